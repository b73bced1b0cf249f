// Erasure of a person's data (docs/operations.md#erasure-and-retention): what replaces a personal
// field, and how a stored text (a webhook body, an event's data, a stored response) loses the
// person's values while keeping its shape, so the record stays readable for the books.

/** What an erased personal field holds: readers see at once that the value was removed on purpose. */
export const ERASED = "[erased]";

/** Values shorter than this are not searched for in free text: "ES" or "12" would hit unrelated data. */
const MIN_SCRUB_LENGTH = 4;

/** One rewrite of a stored text: `from` becomes `to`. */
export interface Replacement {
  from: string;
  to: string;
}

/**
 * Replacements that turn each value into the marker, as written and as JSON writes it inside a string
 * (quotes, backslashes and control characters escaped), longest first so a name inside a longer value
 * goes after it. Short values and short all-digit ones (an id like "65535" could be an amount elsewhere) are
 * left to fieldReplacements; a phone number (7 digits or more) is searched for.
 */
export function valueReplacements(values: readonly (string | null | undefined)[]): Replacement[] {
  const out = new Set<string>();
  for (const v of values) {
    const t = v?.trim();
    if (!t || t.length < MIN_SCRUB_LENGTH || t === ERASED || /^\d{1,6}$/.test(t)) continue;
    out.add(t);
    out.add(JSON.stringify(t).slice(1, -1));
  }
  return [...out].sort((a, b) => b.length - a.length).map((from) => ({ from, to: ERASED }));
}

/** Replacements of one JSON field's value wherever the field is written with it ("userId":"65535"). */
export function fieldReplacements(field: string, value: string | null | undefined): Replacement[] {
  if (!value || value === ERASED) return [];
  const k = JSON.stringify(field);
  const v = JSON.stringify(value);
  const to = JSON.stringify(ERASED);
  return [`${k}:${v}`, `${k}: ${v}`].map((from) => ({ from, to: from.replace(v, to) }));
}

/** `text` after the replacements, or null when none matched (the caller then leaves the row alone). */
export function scrubText(text: string, replacements: readonly Replacement[]): string | null {
  let out = text;
  for (const r of replacements) out = out.split(r.from).join(r.to);
  return out === text ? null : out;
}

/** The payer fields a trading pay-in's extra.payerInfo may carry that identify a person. */
const PAYER_INFO_PERSONAL = ["ip", "userId", "userAgent", "fingerprint"] as const;
/** What the retention purge removes from payerInfo: the network traces, not the merchant's user id. */
const PAYER_INFO_TRACES = ["ip", "userAgent"] as const;

/**
 * A trading pay-in's `extra` (JSON text, echoed to the merchant byte for byte) with payerInfo's
 * fields replaced by the marker; every other key keeps its place. `fields` "traces" is the retention
 * purge (IP and user agent), "person" the erasure. Null when there was nothing to replace.
 */
export function scrubPayerInfo(extraJson: string, fields: "person" | "traces"): string | null {
  let extra: unknown;
  try {
    extra = JSON.parse(extraJson);
  } catch {
    return null;
  }
  if (typeof extra !== "object" || extra === null) return null;
  const info = (extra as Record<string, unknown>).payerInfo;
  if (typeof info !== "object" || info === null) return null;
  const infoRecord = info as Record<string, unknown>;
  let changed = false;
  for (const k of fields === "person" ? PAYER_INFO_PERSONAL : PAYER_INFO_TRACES) {
    if (k in infoRecord && infoRecord[k] !== ERASED) {
      infoRecord[k] = ERASED;
      changed = true;
    }
  }
  return changed ? JSON.stringify(extra) : null;
}
