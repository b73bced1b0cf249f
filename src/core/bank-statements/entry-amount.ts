// An entry's amount: decimal text exactly as the bank wrote it (point or comma), checked against the
// currency's ISO 4217 exponent and turned into minor units without ever passing through a float.
import { fiatScale } from "../money/currencies.js";
import { formatMinor, parseAmount } from "../money/decimal.js";
import { AppError } from "../shared/errors.js";
import { INT8_MAX } from "../shared/int8.js";
import { EntryError } from "./statement-entry.js";

export function entryCurrency(code: string | null | undefined): string {
  const upper = (code ?? "").trim().toUpperCase();
  if (upper === "") throw new EntryError("no currency");
  try {
    fiatScale(upper);
  } catch {
    throw new EntryError(`unknown currency ${JSON.stringify(code).slice(0, 20)}`);
  }
  return upper;
}

/** `text` in major units ("1250.00", "1250,5"); returns the normalised text and the minor units. */
export function entryAmount(text: string | null | undefined, currency: string, decimalSeparator: "." | "," = "."): { amount: string; amountMinor: bigint } {
  const raw = (text ?? "").trim();
  const plain = decimalSeparator === "," ? raw.replace(",", ".") : raw;
  // A trailing separator ("100," in MT940) means no decimals.
  const normalized = plain.endsWith(".") ? plain.slice(0, -1) : plain;
  const scale = fiatScale(currency);
  let minor: bigint;
  try {
    minor = parseAmount(normalized, scale);
  } catch (err) {
    if (err instanceof AppError && err.code === "amount_scale_exceeded") throw new EntryError(`amount ${raw} has more decimals than ${currency} allows (${scale})`);
    throw new EntryError(`amount ${JSON.stringify(raw.slice(0, 40))} is not a decimal amount`);
  }
  if (minor <= 0n) throw new EntryError("amount is zero");
  // The ledger's int8, with room for the trading dialect's hundredths of a currency without decimals
  // (toTradingMinor multiplies JPY by 100): a larger amount was a 500 at the insert (found by fuzzing).
  if (minor > INT8_MAX / 100n) throw new EntryError(`amount ${raw.slice(0, 40)} is above the largest the ledger holds`);
  return { amount: formatMinor(minor, scale), amountMinor: minor };
}
