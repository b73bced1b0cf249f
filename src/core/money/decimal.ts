// Exact conversions between decimal text (or JSON numbers) and bigint minor units. A JSON number is
// read through its shortest round-trip string (String(n)), never through float arithmetic, so 0.1
// means exactly one tenth.
import { AppError } from "../shared/errors.js";
import { pow10 } from "./rounding.js";

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Turns a JS number into plain decimal text, expanding exponent forms like 1e-7 or 1.5e+21. */
export function numberToDecimalText(n: number): string {
  const text = String(n);
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const [, sign, int, frac = "", expText] = m;
  const exp = Number.parseInt(expText!, 10);
  const digits = int! + frac;
  const point = int!.length + exp;
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

interface ParseOptions {
  field?: string;
  /** Allow a leading minus (ledger adjustments); amounts from clients never are. */
  allowNegative?: boolean;
}

/** Parses a decimal amount in major units to minor units at `scale`; refuses excess precision. */
export function parseAmount(input: unknown, scale: number, opts: ParseOptions = {}): bigint {
  const field = opts.field !== undefined ? { field: opts.field } : {};
  let text: string;
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new AppError("invalid_amount", field);
    text = numberToDecimalText(input);
  } else if (typeof input === "string") {
    text = input.trim();
  } else {
    throw new AppError("invalid_amount", field);
  }
  let negative = false;
  if (text.startsWith("-")) {
    if (!opts.allowNegative) throw new AppError("invalid_amount", { ...field, message: "The amount must not be negative." });
    negative = true;
    text = text.slice(1);
  }
  const m = DECIMAL.exec(text);
  if (!m) throw new AppError("invalid_amount", field);
  const frac = (m[2] ?? "").replace(/0+$/, "");
  if (frac.length > scale) {
    throw new AppError("amount_scale_exceeded", { ...field, message: `At most ${scale} decimal places are allowed.` });
  }
  const minor = BigInt(m[1]!) * pow10(scale) + BigInt((frac || "0").padEnd(scale, "0").slice(0, scale) || "0");
  return negative ? -minor : minor;
}

/** Minor units to fixed-scale text: 603000n at scale 2 → "6030.00". */
export function formatMinor(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const abs = negative ? -minor : minor;
  const text = abs.toString().padStart(scale + 1, "0");
  const out = scale === 0 ? text : `${text.slice(0, -scale)}.${text.slice(-scale)}`;
  return negative ? `-${out}` : out;
}

/** Like formatMinor without trailing zeros: 150000n at scale 6 → "0.15". */
export function formatMinorTrimmed(minor: bigint, scale: number): string {
  const fixed = formatMinor(minor, scale);
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed;
}

/** A positive decimal as coefficient × 10^-scale (rates, fee rates). */
export interface Decimal {
  coefficient: bigint;
  scale: number;
}

export function parseDecimal(text: string, field?: string): Decimal {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new AppError("invalid_amount", field !== undefined ? { field } : {});
  const frac = (m[2] ?? "").replace(/0+$/, "");
  return { coefficient: BigInt(m[1]! + frac), scale: frac.length };
}

export function formatDecimal(d: Decimal): string {
  return formatMinorTrimmed(d.coefficient, d.scale);
}

/**
 * Amounts that dialects render as JSON numbers (major units). Only safe when the value has at most
 * 15 significant digits, which every amount within the pairs' limits has; the text form is exact.
 */
export function minorToJsonNumber(minor: bigint, scale: number): number {
  return JSON.parse(formatMinorTrimmed(minor, scale)) as number;
}
