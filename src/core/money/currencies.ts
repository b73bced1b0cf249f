// Fiat minor units from ISO 4217 (currency-codes), never from Intl: 29 currencies differ there.
import cc from "currency-codes";
import { AppError } from "../shared/errors.js";

/**
 * Where settlement practice differs from ISO 4217's exponent, the ledger must follow what banks
 * actually move. Kept small and explicit; each entry says why.
 */
const MINOR_UNIT_OVERRIDES: Record<string, number> = {
  // ISO lists 2 decimals, but the Iraqi dinar and Iranian rial circulate and settle in whole units.
  IQD: 0,
  IRR: 0,
};

export function fiatScale(code: string, field = "currency"): number {
  const upper = code.toUpperCase();
  const override = MINOR_UNIT_OVERRIDES[upper];
  if (override !== undefined) return override;
  const entry = /^[A-Z]{3}$/.test(upper) ? cc.code(upper) : undefined;
  if (!entry || typeof entry.digits !== "number") {
    throw new AppError("unknown_currency", { field, message: `Unknown fiat currency: ${code}` });
  }
  return entry.digits;
}

export function isFiat(code: string): boolean {
  try {
    fiatScale(code);
    return true;
  } catch {
    return false;
  }
}
