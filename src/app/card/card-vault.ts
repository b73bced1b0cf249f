// The card vault: PANs are encrypted with AES-256-GCM under a key derived from the server secret (the
// ciphertext names its key id, so the secret can rotate) and found again by a keyed HMAC (during a
// rotation, under either secret; `rampart secret rotate` rewrites both). Only the BIN
// and the last 4 digits are ever kept in clear. The CVV never reaches this module.
import { createHmac } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";
import type { SecretBox } from "../../core/crypto/secret-box.js";
import { checkExpiry, checkPan } from "../../core/card/card-number.js";
import { countryAlpha2 } from "../../core/card/profile-survey.js";
import { AppError } from "../../core/shared/errors.js";
import { type BillingAddressRow, type CardRow, cardSecret, countCards, deleteCard, findCardByHmac, insertCard, restoreCard, updateBillingAddress } from "../../db/card/cards.js";
import { findCustomer } from "../../db/card/customers.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { type SecretConfig, secretBox, secretKeys } from "../secret/secret-boxes.js";
import type { CustomerPrincipal } from "./customer-auth.js";

const MAX_CARDS = 4;

interface BillingAddressInput {
  address: string;
  city: string;
  countryCode: string;
  zip: string;
  state?: string | null;
}

interface AddCardInput {
  pan: string;
  holder: string;
  expMonth: number;
  expYear: number;
  billingAddress: BillingAddressInput;
}

export function panBox(deps: { config: SecretConfig }): SecretBox {
  return secretBox(deps.config, "card-pan");
}

/** The PAN's HMAC under each secret that may have written it, the current one first. */
export function panHmacs(deps: { config: SecretConfig }, pan: string): string[] {
  return secretKeys(deps.config).map((secret) => createHmac("sha256", derivedKey(secret, "card-pan-hmac")).update(pan).digest("hex"));
}

function trimmed(v: string, field: string, max: number): string {
  const t = v.trim();
  if (t.length === 0 || t.length > max || /[\u0000-\u001f]/.test(t)) throw new AppError("validation_failed", { field, message: `${field} must be 1-${max} characters.` });
  return t;
}

function billingRow(b: BillingAddressInput, prefix = "billingAddress."): BillingAddressRow {
  const country = countryAlpha2(b.countryCode.trim());
  if (!country) throw new AppError("validation_failed", { field: `${prefix}countryCode`, message: "countryCode must be an ISO 3166 alpha-2 or alpha-3 code." });
  const state = b.state === undefined || b.state === null || b.state.trim() === "" ? null : trimmed(b.state, `${prefix}state`, 100);
  return {
    billing_address: trimmed(b.address, `${prefix}address`, 200),
    billing_city: trimmed(b.city, `${prefix}city`, 100),
    billing_country: country,
    billing_zip: trimmed(b.zip, `${prefix}zip`, 20),
    billing_state: state,
  };
}

/**
 * Saves a card and returns it (a duplicate for the same customer returns the existing one). The
 * customer row is locked so two concurrent adds cannot both pass the 4-card limit.
 */
export async function addCard(deps: Deps, who: CustomerPrincipal, input: AddCardInput, commit?: CommitAnswer<CardRow>): Promise<CardRow> {
  const now = deps.clock.now();
  const brand = checkPan(input.pan);
  checkExpiry(input.expMonth, input.expYear, now);
  const holder = trimmed(input.holder, "cardHolder", 100);
  const billing = billingRow(input.billingAddress);
  const hmacs = panHmacs(deps, input.pan);
  return deps.database.db.transaction().execute(async (trx) => {
    await findCustomer(trx, who.customerId, true);
    const existing = await findCardByHmac(trx, who.customerId, hmacs);
    if (existing && existing.deleted_at === null) {
      const { deleted_at: _, ...card } = existing;
      await commit?.(trx, card);
      return card;
    }
    if ((await countCards(trx, who.customerId)) >= MAX_CARDS) throw new AppError("card_limit_reached");
    if (existing) {
      const card = await restoreCard(trx, existing.id, billing);
      await commit?.(trx, card);
      return card;
    }
    const box = panBox(deps);
    const card = await insertCard(trx, {
      customer_id: who.customerId,
      pan_enc: box.encrypt(input.pan),
      pan_key_id: box.keyId,
      pan_hmac: hmacs[0]!,
      bin: input.pan.slice(0, 6),
      last4: input.pan.slice(-4),
      brand,
      holder,
      exp_month: input.expMonth,
      exp_year: input.expYear,
      ...billing,
      created_at: now,
    });
    await commit?.(trx, card);
    return card;
  });
}

export async function replaceBillingAddress(deps: Deps, who: CustomerPrincipal, cardId: string, b: BillingAddressInput, commit?: CommitAnswer<void>): Promise<void> {
  const row = billingRow(b, "");
  await deps.database.db.transaction().execute(async (trx) => {
    if (!(await updateBillingAddress(trx, who.customerId, cardId, row))) throw new AppError("not_found", { message: "No such card." });
    await commit?.(trx, undefined);
  });
}

/** Deletes a saved card: it leaves /data and the card list, and offers on it can no longer be made or paid. */
export async function removeCard(deps: Deps, who: CustomerPrincipal, cardId: string): Promise<void> {
  if (!(await deleteCard(deps.database.db, who.customerId, cardId, deps.clock.now()))) throw new AppError("not_found", { message: "No such card." });
}

/** Decrypts a card for one acquirer call. The caller must not keep, log or store the result. */
export async function openCard(deps: Deps, cardId: string): Promise<{ pan: string; expMonth: number; expYear: number }> {
  const s = await cardSecret(deps.database.db, cardId);
  if (!s) throw new AppError("not_found", { message: "No such card." });
  return { pan: panBox(deps).decrypt(s.pan_enc), expMonth: s.exp_month, expYear: s.exp_year };
}
