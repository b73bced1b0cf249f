// A store's payment-intent settings. The IPN secret is kept encrypted and used only to sign IPNs.
import { randomBytes } from "node:crypto";
import { createSecretBox } from "../../adapters/crypto/secret-box.js";
import { findIntentSettings, upsertIntentSettings } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { registerSigningKeyResolver } from "../outbox/signing-keys.js";

export function ipnSecretBox(deps: Pick<Deps, "config">) {
  return createSecretBox("ipn-secret", { id: "k1", secret: deps.config.secretKey });
}

export interface IntentStoreSettingsInput {
  storeId: string;
  servedCountries: string[];
  bank: { iban: string; bic: string; beneficiary: string; bankName: string };
  paymentWindowSeconds?: number;
  kycWindowSeconds?: number;
  kycValidityDays?: number;
  acceptAmountMismatch?: boolean;
  /** Generated when absent; returned once so the merchant can verify IPNs. */
  ipnSecret?: string;
}

/** Creates the settings if the store has none (idempotent); returns the IPN secret in force. */
export async function ensureIntentSettings(deps: Deps, s: IntentStoreSettingsInput): Promise<string> {
  const secret = s.ipnSecret ?? `ipn_${randomBytes(24).toString("base64url")}`;
  await upsertIntentSettings(deps.database.db, {
    store_id: s.storeId,
    served_countries: s.servedCountries.map((c) => c.toUpperCase()),
    bank_iban: s.bank.iban,
    bank_bic: s.bank.bic,
    bank_beneficiary: s.bank.beneficiary,
    bank_name: s.bank.bankName,
    ipn_secret_enc: ipnSecretBox(deps).encrypt(secret),
    ...(s.paymentWindowSeconds !== undefined ? { payment_window_seconds: s.paymentWindowSeconds } : {}),
    ...(s.kycWindowSeconds !== undefined ? { kyc_window_seconds: s.kycWindowSeconds } : {}),
    ...(s.kycValidityDays !== undefined ? { kyc_validity_days: s.kycValidityDays } : {}),
    ...(s.acceptAmountMismatch !== undefined ? { accept_amount_mismatch: s.acceptAmountMismatch } : {}),
  });
  return (await storeIpnSecret(deps, s.storeId))!;
}

export async function storeIpnSecret(deps: Deps, storeId: string): Promise<string | null> {
  const row = await findIntentSettings(deps.database.db, storeId);
  return row ? ipnSecretBox(deps).decrypt(row.ipn_secret_enc) : null;
}

registerSigningKeyResolver("ipn_secret", (deps, ref) => storeIpnSecret(deps, ref.storeId));
