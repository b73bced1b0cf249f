// The rules of a store's payment-intent settings, checked the same way whoever writes them (operator
// API, sandbox seed, tests). Each refusal names the field at fault, in the operator API's field syntax
// (`bank.iban`, `servedCountries.2`).
import countries from "i18n-iso-countries";
import { isValidBIC } from "ibantools";
import { validIban } from "../shared/iban.js";
import { AppError } from "../shared/errors.js";
import { printableText } from "../shared/printable-text.js";

interface BankDetails {
  iban: string;
  bic: string;
  beneficiary: string;
  bankName: string;
}

export interface IntentStoreSettings {
  /** ISO 3166 alpha-2; an intent for any other country ends in 10002. */
  servedCountries: string[];
  /** Shown to the payer in the instructions. */
  bank: BankDetails;
  /** Status 4 → 10 after this long without a matched transfer. */
  paymentWindowSeconds: number;
  /** Status 2/3 → 10 after this long; also the hosted KYC link's lifetime. */
  kycWindowSeconds: number;
  /** How long an approved KYC lets the user skip KYC on later intents. */
  kycValidityDays: number;
  /** A transfer of another amount recalculates the crypto instead of being refunded. */
  acceptAmountMismatch: boolean;
}

export const INTENT_SETTINGS_LIMITS = {
  /** ISO 3166-1 has 249 codes. */
  maxServedCountries: 250,
  /** Payment and KYC windows: a minute up to 30 days. */
  windowSeconds: { min: 60, max: 30 * 86_400 },
  kycValidityDays: { min: 1, max: 3650 },
  /** The SEPA credit transfer's name field holds 70 characters. */
  beneficiaryMaxLength: 70,
  bankNameMaxLength: 140,
} as const;

/** The values a store gets when the seed leaves them out (the table's defaults too). */
export const DEFAULT_INTENT_SETTINGS = {
  paymentWindowSeconds: 3600,
  kycWindowSeconds: 86_400,
  kycValidityDays: 365,
  acceptAmountMismatch: false,
} as const;

/**
 * Checks (in field order) and normalises: countries upper-case and deduplicated, IBAN without spaces,
 * BIC upper-case. `at` prefixes the field names when the settings are nested in a larger body.
 */
export function checkIntentStoreSettings(s: IntentStoreSettings, at = ""): IntentStoreSettings {
  const L = INTENT_SETTINGS_LIMITS;
  const bad = (field: string, message: string): never => {
    throw new AppError("validation_failed", { field: at + field, message: at + message });
  };
  const text = (field: string, v: string, max: number): string => printableText(v, max) ?? bad(field, `${field} must be 1 to ${max} printable characters.`);
  const integer = (field: string, v: number, range: { min: number; max: number }): number => {
    if (!Number.isSafeInteger(v) || v < range.min || v > range.max) bad(field, `${field} must be an integer from ${range.min} to ${range.max}.`);
    return v;
  };

  if (s.servedCountries.length === 0) bad("servedCountries", "servedCountries must name at least one country.");
  const served: string[] = [];
  s.servedCountries.forEach((c, i) => {
    const up = typeof c === "string" ? c.trim().toUpperCase() : "";
    // isValid also accepts alpha-3 and numeric codes; intents carry alpha-2 only.
    if (!/^[A-Z]{2}$/.test(up) || !countries.isValid(up)) bad(`servedCountries.${i}`, `servedCountries.${i} is not an ISO 3166 alpha-2 country code: ${JSON.stringify(c)}.`);
    if (!served.includes(up)) served.push(up);
  });
  if (served.length > L.maxServedCountries) bad("servedCountries", `servedCountries holds at most ${L.maxServedCountries} countries.`);

  const iban = validIban(s.bank.iban) ?? bad("bank.iban", "bank.iban is not a valid IBAN (country, length and check digits).");
  const bic = typeof s.bank.bic === "string" ? s.bank.bic.trim().toUpperCase() : "";
  if (!isValidBIC(bic)) bad("bank.bic", "bank.bic is not a valid BIC (8 or 11 characters).");
  const bank = { iban, bic, beneficiary: text("bank.beneficiary", s.bank.beneficiary, L.beneficiaryMaxLength), bankName: text("bank.bankName", s.bank.bankName, L.bankNameMaxLength) };

  const paymentWindowSeconds = integer("paymentWindowSeconds", s.paymentWindowSeconds, L.windowSeconds);
  const kycWindowSeconds = integer("kycWindowSeconds", s.kycWindowSeconds, L.windowSeconds);
  const kycValidityDays = integer("kycValidityDays", s.kycValidityDays, L.kycValidityDays);
  if (typeof s.acceptAmountMismatch !== "boolean") bad("acceptAmountMismatch", "acceptAmountMismatch must be true or false.");
  return { servedCountries: served, bank, paymentWindowSeconds, kycWindowSeconds, kycValidityDays, acceptAmountMismatch: s.acceptAmountMismatch };
}
