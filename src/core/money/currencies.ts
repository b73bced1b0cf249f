// Fiat minor units from ISO 4217 (currency-codes), never from Intl: 29 currencies differ there.
import cc from "currency-codes";
import { AppError } from "../shared/errors.js";

/**
 * Where settlement practice differs from ISO 4217's exponent, the ledger must follow what banks
 * actually move. Kept small and explicit; each entry says why.
 */
const MINOR_UNIT_OVERRIDES: Record<string, number> = {
  // ISO 4217 gives IQD 3 decimals (fils) and IRR 2 (dinars), but neither subunit circulates and banks
  // settle both in whole units: a requisite asking for 1000.500 IQD could never be paid exactly.
  IQD: 0,
  IRR: 0,
};

/**
 * ISO 4217 codes that are no money a payer sends: precious metals, units of account, bond-market
 * units, the testing code and "no currency" (found by fuzzing: a merchant could set XXX as its trading
 * currency, and every pay-in then failed on the rate).
 */
const NOT_MONEY = new Set(["XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA", "XBA", "XBB", "XBC", "XBD", "XTS", "XXX"]);

/** The minor-unit digits of a fiat currency, or null when `code` is none. */
function knownScale(code: string): number | null {
  const upper = code.toUpperCase();
  const override = MINOR_UNIT_OVERRIDES[upper];
  if (override !== undefined) return override;
  const entry = /^[A-Z]{3}$/.test(upper) && !NOT_MONEY.has(upper) ? cc.code(upper) : undefined;
  return entry && typeof entry.digits === "number" ? entry.digits : null;
}

export function fiatScale(code: string, field = "currency"): number {
  const scale = knownScale(code);
  if (scale === null) throw new AppError("unknown_currency", { field, message: `Unknown fiat currency: ${code}` });
  return scale;
}

export const isFiat = (code: string): boolean => knownScale(code) !== null;

/** Every ISO 4217 code whose minor unit has `scale` digits (overrides applied): an amount typed as a
 * decimal means a different minor-unit integer in each. */
export function fiatCodesWithScale(scale: number): string[] {
  return cc.data.map((c) => c.code).filter((code) => knownScale(code) === scale);
}
