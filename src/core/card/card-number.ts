// Card number checks (Luhn and brand through card-validator), expiry, and the only form in which digits
// of a PAN leave the vault: BIN **** last 4, for saved cards and payments alike.
import cardValidator from "card-validator";
import { AppError } from "../shared/errors.js";

type CardBrand = "VISA" | "MASTERCARD";

const BRANDS: Record<string, CardBrand> = { visa: "VISA", mastercard: "MASTERCARD" };

/** Digits only, 13-19 of them, valid Luhn digit, VISA or MASTERCARD. */
export function checkPan(pan: string): CardBrand {
  if (!/^\d{13,19}$/.test(pan)) throw new AppError("invalid_card_number", { field: "cardNumber", message: "The card number must be 13-19 digits." });
  const v = cardValidator.number(pan);
  if (!luhnValid(pan)) throw new AppError("invalid_card_number", { field: "cardNumber", message: "The card number's check digit is wrong." });
  const brand = v.card ? BRANDS[v.card.type] : undefined;
  if (!brand) throw new AppError("unsupported_card_brand", { field: "cardNumber" });
  if (!v.isValid) throw new AppError("invalid_card_number", { field: "cardNumber", message: "The card number has the wrong length for its brand." });
  return brand;
}

/** The Luhn check on its own, so a bad check digit is named as such whatever the brand. */
function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** A card is valid through the last day of its expiry month (UTC). */
export function checkExpiry(month: number, year: number, now: Date): void {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new AppError("validation_failed", { field: "cardExpirationMonth", message: "cardExpirationMonth must be 1-12." });
  if (!Number.isInteger(year) || year < 2000 || year > 2100) throw new AppError("validation_failed", { field: "cardExpirationYear", message: "cardExpirationYear must be a 4-digit year." });
  const nowMonths = now.getUTCFullYear() * 12 + now.getUTCMonth();
  if (year * 12 + (month - 1) < nowMonths) throw new AppError("card_expired", { field: "cardExpirationYear" });
}

/**
 * "424242****4242". vault.ist shows this form on payments and in history, and "4242***4242" on saved
 * cards; Rampart uses the first everywhere, so one card reads the same in every answer.
 */
export function maskedPan(bin: string, last4: string): string {
  return `${bin}****${last4}`;
}
