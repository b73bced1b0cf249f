// A store's payment-intent settings: written by the operator API (and the sandbox seed), read by the
// intent use cases. The IPN secret is kept encrypted, used only to sign IPNs, and shown once: when the
// settings are first created and when it is rotated.
//
// When a change takes effect (the intent use cases read the live row; the bank details alone are copied):
// - servedCountries: checked only when an intent is created.
// - paymentWindowSeconds / kycWindowSeconds: applied when an intent enters status 4 / 2, so an intent
//   already waiting keeps its deadline, and an intent still at 2 or 3 gets the new payment window.
// - kycValidityDays: applied when a KYC case is approved; approved cases keep their expiry.
// - acceptAmountMismatch: read when a transfer is matched, so it applies to intents already at 4.
// - bank details: copied onto the intent when it enters status 4 (transition.ts), so an intent already
//   at 4 keeps showing the account it was given; intents reaching 4 later show the new one.
// - default IPN / success / cancel URLs (the merchant's own settings): copied onto an intent when it is
//   created without its own, so intents created earlier keep theirs.
// - IPN secret: resolved when an IPN is sent, so messages still pending at a rotation are signed with
//   the new secret.
import type { Transaction } from "kysely";
import { randomBytes } from "node:crypto";
import { DEFAULT_INTENT_SETTINGS, type IntentStoreSettings, checkIntentStoreSettings } from "../../core/intents/store-settings.js";
import { AppError } from "../../core/shared/errors.js";
import { httpUrlProblem } from "../../core/shared/http-url.js";
import { webhookTargetProblem } from "../../core/shared/webhook-target.js";
import { type IntentSettingsRow, findIntentSettings, insertIntentSettings, lockIntentSettings, updateIntentSettings } from "../../db/intents/intents.js";
import type { DB } from "../../db/schema.js";
import { findStore } from "../../db/stores.js";
import type { Deps } from "../deps.js";
import { intentStoreChanging } from "./store-cache.js";
import { type SecretConfig, secretBox } from "../secret/secret-boxes.js";

export function ipnSecretBox(deps: { config: SecretConfig }) {
  return secretBox(deps.config, "ipn-secret");
}

const newIpnSecret = () => `ipn_${randomBytes(24).toString("base64url")}`;

/** The settings as the operator API shows them; never the IPN secret. */
export interface IntentSettingsView extends IntentStoreSettings {
  storeId: string;
  defaultIpnUrl: string | null;
  defaultSuccessUrl: string | null;
  defaultCancelUrl: string | null;
  updatedAt: Date;
}

export function intentSettingsView(row: IntentSettingsRow): IntentSettingsView {
  return {
    storeId: row.store_id,
    servedCountries: row.served_countries,
    bank: { iban: row.bank_iban, bic: row.bank_bic, beneficiary: row.bank_beneficiary, bankName: row.bank_name },
    paymentWindowSeconds: row.payment_window_seconds,
    kycWindowSeconds: row.kyc_window_seconds,
    kycValidityDays: row.kyc_validity_days,
    acceptAmountMismatch: row.accept_amount_mismatch,
    defaultIpnUrl: row.default_ipn_url,
    defaultSuccessUrl: row.default_success_url,
    defaultCancelUrl: row.default_cancel_url,
    updatedAt: row.updated_at,
  };
}

function settingsColumns(s: IntentStoreSettings) {
  // The default URLs are the merchant's (patchStoreSettings): the operator's PUT leaves them as they are.
  return {
    served_countries: s.servedCountries,
    bank_iban: s.bank.iban,
    bank_bic: s.bank.bic,
    bank_beneficiary: s.bank.beneficiary,
    bank_name: s.bank.bankName,
    payment_window_seconds: s.paymentWindowSeconds,
    kyc_window_seconds: s.kycWindowSeconds,
    kyc_validity_days: s.kycValidityDays,
    accept_amount_mismatch: s.acceptAmountMismatch,
  };
}

export interface SavedIntentSettings {
  settings: IntentSettingsView;
  /** Only when this call created the settings: the new IPN secret, shown this once. */
  ipnSecret: string | null;
}

/**
 * Replaces a store's settings in the caller's transaction, creating them (with a new IPN secret) when
 * the store has none. The caller has checked that the store exists.
 */
export async function writeIntentSettings(deps: Deps, trx: Transaction<DB>, storeId: string, input: IntentStoreSettings): Promise<SavedIntentSettings> {
  const s = checkIntentStoreSettings(input);
  const now = deps.clock.now();
  const secret = newIpnSecret();
  intentStoreChanging(deps, storeId);
  // Insert first: of two concurrent first writes one inserts, the other waits on the key and updates.
  const created = await insertIntentSettings(trx, { store_id: storeId, ...settingsColumns(s), ipn_secret_enc: ipnSecretBox(deps).encrypt(secret), updated_at: now });
  if (!created) await updateIntentSettings(trx, storeId, { ...settingsColumns(s), updated_at: now });
  return { settings: intentSettingsView((await findIntentSettings(trx, storeId))!), ipnSecret: created ? secret : null };
}

/** What a merchant may change on one of its stores itself (PATCH /merchant/v1/settings). */
export interface StoreSettingsPatch {
  storeId: string;
  servedCountries?: string[];
  /** How long an approved KYC is reused on the payer's later intents. */
  kycValidityDays?: number;
  defaultIpnUrl?: string | null;
  defaultSuccessUrl?: string | null;
  defaultCancelUrl?: string | null;
}

/**
 * Changes only the given fields of one of the merchant's stores, in the caller's transaction: the row
 * is locked, merged and checked by the same rules as the operator's PUT (field names prefixed by `at`).
 * Another merchant's store is 404; a store without payment-intent settings is 403 store_not_configured
 * (its bank details are the operator's to set first). The IPN URL must be a public target.
 */
export async function patchStoreSettings(deps: Deps, trx: Transaction<DB>, merchantId: string, patch: StoreSettingsPatch, at = ""): Promise<IntentSettingsView> {
  const bad = (field: string, message: string) => new AppError("validation_failed", { field: at + field, message: `${at}${field}: ${message}` });
  if (patch.defaultIpnUrl) {
    const problem = webhookTargetProblem(patch.defaultIpnUrl, deps.config.allowPrivateWebhooks);
    if (problem) throw bad("defaultIpnUrl", problem);
  }
  for (const field of ["defaultSuccessUrl", "defaultCancelUrl"] as const) {
    const problem = patch[field] ? httpUrlProblem(patch[field]) : null;
    if (problem) throw bad(field, problem);
  }
  const store = await findStore(trx, patch.storeId);
  if (!store || store.merchant_id !== merchantId) throw new AppError("not_found", { field: `${at}storeId`, message: "Store not found." });
  const row = await lockIntentSettings(trx, patch.storeId);
  if (!row) throw new AppError("store_not_configured", { field: `${at}storeId` });
  const current = intentSettingsView(row);
  intentStoreChanging(deps, patch.storeId);
  const s = checkIntentStoreSettings(
    { ...current, servedCountries: patch.servedCountries ?? current.servedCountries, kycValidityDays: patch.kycValidityDays ?? current.kycValidityDays },
    at,
  );
  await updateIntentSettings(trx, patch.storeId, {
    ...settingsColumns(s),
    ...(patch.defaultIpnUrl !== undefined ? { default_ipn_url: patch.defaultIpnUrl } : {}),
    ...(patch.defaultSuccessUrl !== undefined ? { default_success_url: patch.defaultSuccessUrl } : {}),
    ...(patch.defaultCancelUrl !== undefined ? { default_cancel_url: patch.defaultCancelUrl } : {}),
    updated_at: deps.clock.now(),
  });
  return intentSettingsView((await findIntentSettings(trx, patch.storeId))!);
}

/** The store's row, 404 when there is none. */
export async function storeOr404(deps: Deps, storeId: string) {
  const store = await findStore(deps.database.db, storeId);
  if (!store) throw new AppError("not_found", { message: "Store not found." });
  return store;
}

const noSettings = () => new AppError("not_found", { message: "This store has no payment-intent settings yet." });

/** PUT: the full settings of an existing store. */
export async function saveIntentSettings(deps: Deps, storeId: string, input: IntentStoreSettings): Promise<SavedIntentSettings> {
  await storeOr404(deps, storeId);
  return deps.database.db.transaction().execute((trx) => writeIntentSettings(deps, trx, storeId, input));
}

export async function getIntentSettings(deps: Deps, storeId: string): Promise<IntentSettingsView> {
  await storeOr404(deps, storeId);
  const row = await findIntentSettings(deps.database.db, storeId);
  if (!row) throw noSettings();
  return intentSettingsView(row);
}

/** A new IPN secret, returned this once; the old one stops signing at once (pending IPNs included). */
export async function rotateIpnSecret(deps: Deps, storeId: string): Promise<string> {
  await storeOr404(deps, storeId);
  const secret = newIpnSecret();
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  const updated = await deps.database.db
    .transaction()
    .execute((trx) => {
      intentStoreChanging(deps, storeId);
      return updateIntentSettings(trx, storeId, { ipn_secret_enc: ipnSecretBox(deps).encrypt(secret), updated_at: deps.clock.now() });
    });
  if (!updated) throw noSettings();
  return secret;
}

/** The seed's input: the windows, validity and mismatch rule may be left to DEFAULT_INTENT_SETTINGS. */
type IntentStoreSettingsInput = Pick<IntentStoreSettings, "servedCountries" | "bank"> &
  Partial<IntentStoreSettings> & { storeId: string; /** Generated when absent. */ ipnSecret?: string };

/** Seed and tests: creates the settings if the store has none (idempotent); returns the IPN secret in force. */
export async function ensureIntentSettings(deps: Deps, input: IntentStoreSettingsInput): Promise<string> {
  const d = DEFAULT_INTENT_SETTINGS;
  const s = checkIntentStoreSettings({
    servedCountries: input.servedCountries,
    bank: input.bank,
    paymentWindowSeconds: input.paymentWindowSeconds ?? d.paymentWindowSeconds,
    kycWindowSeconds: input.kycWindowSeconds ?? d.kycWindowSeconds,
    kycValidityDays: input.kycValidityDays ?? d.kycValidityDays,
    acceptAmountMismatch: input.acceptAmountMismatch ?? d.acceptAmountMismatch,
  });
  intentStoreChanging(deps, input.storeId);
  await insertIntentSettings(deps.database.db, {
    store_id: input.storeId,
    ...settingsColumns(s),
    ipn_secret_enc: ipnSecretBox(deps).encrypt(input.ipnSecret ?? newIpnSecret()),
  });
  return (await storeIpnSecret(deps, input.storeId))!;
}

/** The store's IPN secret, or null without settings; resolveSigningKey signs each IPN with it at send time. */
export async function storeIpnSecret(deps: Deps, storeId: string): Promise<string | null> {
  const row = await findIntentSettings(deps.database.db, storeId);
  return row ? ipnSecretBox(deps).decrypt(row.ipn_secret_enc) : null;
}
