// The trading dialect's fiat amounts on the wire: a JSON number or a decimal string in, always a
// 2-decimal string out ("6030.00"). Internally bigint hundredths.

import { AppError } from "../shared/errors.js";

const FIAT_SCALE = 2;

/** 5000 | 5000.5 | "5000.50" → 500050n; null when not a positive amount with at most 2 decimals. */
export function parseFiatAmount(value: unknown): bigint | null {
  let text: string;
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value <= 0 || value > 1e15) return null;
    // The shortest round-trip text of the double is what the client wrote (5000.5 → "5000.5").
    text = String(value);
  } else if (typeof value === "string") {
    text = value.trim();
  } else {
    return null;
  }
  const m = /^(\d{1,15})(?:\.(\d{1,2})0*)?$/.exec(text);
  if (!m) return null;
  const minor = BigInt(m[1]!) * 100n + BigInt((m[2] ?? "").padEnd(2, "0"));
  return minor > 0n ? minor : null;
}

/**
 * An amount a person typed in a form, in their own notation: "5 000,50", "5000,5", "5,000.50",
 * "5.000,50" → 500050n. The last "," or "." followed by one or two digits at the end is the decimal
 * mark; any other ",", ".", space or apostrophe groups thousands. Null when it is not an amount.
 */
export function parseTypedFiatAmount(value: unknown): bigint | null {
  if (typeof value !== "string") return parseFiatAmount(value);
  const text = value.trim().replace(/[\s\u00a0\u202f']/g, "");
  const m = /^([\d.,]*?)(?:[.,](\d{1,2}))?$/.exec(text);
  if (!m || !/^\d{1,3}([.,]?\d{3})*$|^\d+$/.test(m[1]!)) return null;
  return parseFiatAmount(`${m[1]!.replace(/[.,]/g, "")}${m[2] !== undefined ? `.${m[2]}` : ""}`);
}

export function formatFiatAmount(minor: bigint): string {
  const neg = minor < 0n;
  const abs = neg ? -minor : minor;
  return `${neg ? "-" : ""}${abs / 100n}.${(abs % 100n).toString().padStart(2, "0")}`;
}

/** For refusal codes such as MIN_FIAT_AMOUNT_SHOULD_BE_100: whole units when whole. */
export function formatFiatBound(minor: bigint): string {
  return minor % 100n === 0n ? (minor / 100n).toString() : formatFiatAmount(minor);
}

/**
 * A bank amount in the currency's own minor units (ISO scale) as the dialect's hundredths; null when it
 * has a fraction finer than a hundredth (no pay-in can ask for it).
 */
export function toTradingMinor(amountMinor: bigint, currencyScale: number): bigint | null {
  if (currencyScale <= FIAT_SCALE) return amountMinor * 10n ** BigInt(FIAT_SCALE - currencyScale);
  const divisor = 10n ** BigInt(currencyScale - FIAT_SCALE);
  return amountMinor % divisor === 0n ? amountMinor / divisor : null;
}

/** parseFiatAmount, or a 400 validation_failed naming `field`. */
export function requireFiatAmount(value: unknown, field: string): bigint {
  const v = parseFiatAmount(value);
  if (v === null) throw new AppError("validation_failed", { field, message: `${field} must be a positive amount with at most 2 decimals` });
  return v;
}
