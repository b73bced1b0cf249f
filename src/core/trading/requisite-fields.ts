// A payment method's requisite fields (the method catalogue, docs/contract-trading.md#payment-methods):
// which of a requisite's details the method needs (`number`: card, account, IBAN, QR link; `sbpPhone`:
// an SBP phone) and the pattern each must match. Pure: the catalogue's rows come in, a verdict goes out.

const REQUISITE_FIELD_NAMES = ["number", "sbpPhone"] as const;
export type RequisiteFieldName = (typeof REQUISITE_FIELD_NAMES)[number];

export interface RequisiteField {
  field: RequisiteFieldName;
  label: string;
  /** A regular expression the whole value must match; null: any non-empty value. */
  pattern: string | null;
}

/** Why these fields cannot define a method (an uncompilable pattern, a field twice), or null. */
export function requisiteFieldsProblem(fields: readonly RequisiteField[]): string | null {
  if (fields.length === 0) return "A method needs at least one requisite field";
  if (new Set(fields.map((f) => f.field)).size !== fields.length) return "Each requisite field may appear once";
  for (const f of fields) {
    if (f.pattern === null) continue;
    try {
      new RegExp(f.pattern, "u");
    } catch {
      return `The pattern of ${f.field} is not a valid regular expression`;
    }
  }
  return null;
}

/** The first field a requisite's values miss, break or should not have, with the reason, or null when they fit. */
export function requisiteMismatch(
  fields: readonly RequisiteField[],
  values: Readonly<Record<RequisiteFieldName, string | null | undefined>>,
): { field: RequisiteFieldName; message: string } | null {
  for (const f of fields) {
    const v = values[f.field];
    if (!v) return { field: f.field, message: `This method needs ${f.field} (${f.label})` };
    if (f.pattern !== null && !new RegExp(f.pattern, "u").test(v)) return { field: f.field, message: `${f.field} is not a valid ${f.label}` };
  }
  // A detail the method does not take would be shown to the payer beside the one it does (the
  // dialect's requisite object has one of the two: found by fuzzing, an sbp requisite with a number).
  const extra = REQUISITE_FIELD_NAMES.find((name) => values[name] && !fields.some((f) => f.field === name));
  return extra ? { field: extra, message: `This method takes no ${extra}` } : null;
}
