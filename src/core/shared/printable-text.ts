// Names and labels an operator types that payers and statements show: trimmed, 1 to `max`
// characters, no control characters (they would break pages and copies on bank statements).

/** The trimmed text, or null when it is empty, longer than `max` or holds a control character. */
export function printableText(v: unknown, max: number): string | null {
  const t = typeof v === "string" ? v.trim() : "";
  return t.length === 0 || t.length > max || /[\u0000-\u001f\u007f]/.test(t) ? null : t;
}
