// SQL that replaces one person's personal fields with the erasure marker (core/privacy/erasure.ts)
// inside the erasing transaction. Each function returns how many rows it changed; a row already
// erased is not counted again, so a second erasure reports zeros.
import { sql } from "kysely";
import { ERASED } from "../../core/privacy/erasure.js";
import type { Db } from "../schema.js";

const count = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);
const texts = (ids: readonly string[]) => sql.val([...ids]);

/** The e-mail is unique per store, so each user keeps a distinct marker: `[erased]:<user id>`. */
export async function eraseKycUsers(trx: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  return count(
    await sql`UPDATE kyc_users SET email = ${ERASED} || ':' || id
      WHERE id = ANY(${texts(ids)}::text[]) AND email NOT LIKE ${`${ERASED}:%`}`.execute(trx),
  );
}

/** Names, birth date, document, nationality, phone and the document files' keys (the files go by job). */
export async function eraseKycCases(trx: Db, ids: readonly string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  const m = ERASED;
  return count(
    await sql`UPDATE kyc_cases SET
        first_name = CASE WHEN first_name IS NULL THEN NULL ELSE ${m} END,
        last_name = CASE WHEN last_name IS NULL THEN NULL ELSE ${m} END,
        birth_date = CASE WHEN birth_date IS NULL THEN NULL ELSE ${m} END,
        document_type = CASE WHEN document_type IS NULL THEN NULL ELSE ${m} END,
        document_number = CASE WHEN document_number IS NULL THEN NULL ELSE ${m} END,
        nationality = CASE WHEN nationality IS NULL THEN NULL ELSE ${m} END,
        phone_country_code = CASE WHEN phone_country_code IS NULL THEN NULL ELSE ${m} END,
        phone_number = CASE WHEN phone_number IS NULL THEN NULL ELSE ${m} END,
        files = '[]'::jsonb,
        updated_at = ${now}
      WHERE id = ANY(${texts(ids)}::text[])
        AND (files <> '[]'::jsonb OR ${m} NOT IN (coalesce(first_name, ${m}), coalesce(last_name, ${m}), coalesce(birth_date, ${m}),
             coalesce(document_type, ${m}), coalesce(document_number, ${m}), coalesce(nationality, ${m}),
             coalesce(phone_country_code, ${m}), coalesce(phone_number, ${m})))`.execute(trx),
  );
}

/** The payer's e-mail and IP; the wallet, amounts and statuses stay (the payment record). */
export async function eraseIntents(trx: Db, ids: readonly string[], now: Date): Promise<number> {
  if (ids.length === 0) return 0;
  return count(
    await sql`UPDATE payment_intents SET email = ${ERASED}, ip = ${ERASED}, updated_at = ${now}
      WHERE id = ANY(${texts(ids)}::text[]) AND (email <> ${ERASED} OR ip <> ${ERASED})`.execute(trx),
  );
}

/**
 * The customer's phone (unique per merchant, so `[erased]:<id>`), e-mail, password (the account can
 * no longer sign in), names, address and birth date; its sessions end and its codes go.
 */
export async function eraseCardCustomer(trx: Db, c: { id: string; merchantId: string; phone: string }, now: Date): Promise<{ customers: number; sessions: number; codes: number }> {
  const m = ERASED;
  const customers = count(
    await sql`UPDATE card_customers SET
        phone = ${m} || ':' || id::text, password_hash = ${m},
        email = CASE WHEN email IS NULL THEN NULL ELSE ${m} END, email_confirmed_at = NULL,
        first_name = CASE WHEN first_name IS NULL THEN NULL ELSE ${m} END,
        last_name = CASE WHEN last_name IS NULL THEN NULL ELSE ${m} END,
        residence_city = CASE WHEN residence_city IS NULL THEN NULL ELSE ${m} END,
        residence_street = CASE WHEN residence_street IS NULL THEN NULL ELSE ${m} END,
        residence_zip_code = CASE WHEN residence_zip_code IS NULL THEN NULL ELSE ${m} END,
        date_of_birth = NULL, sms_code_hash = NULL, sms_code_expires_at = NULL, updated_at = ${now}
      WHERE id = ${c.id}::uuid AND phone NOT LIKE ${`${m}:%`}`.execute(trx),
  );
  const sessions = count(await sql`UPDATE card_sessions SET revoked_at = ${now} WHERE customer_id = ${c.id}::uuid AND revoked_at IS NULL`.execute(trx));
  const codes = count(await sql`DELETE FROM card_verification_codes WHERE customer_id = ${c.id}::uuid`.execute(trx));
  // Failed sign-ins are keyed by the phone (src/db/card: 'phone:<merchant>:<phone>').
  await sql`DELETE FROM card_login_failures WHERE key = ${`phone:${c.merchantId}:${c.phone}`}`.execute(trx);
  return { customers, sessions, codes };
}

/**
 * Holder and billing address; the PAN's ciphertext becomes an encryption of the marker (`panEnc`, so a
 * secret rotation still decrypts every row) and its HMAC a per-card marker. BIN and last 4 stay: the
 * payments show them. The card leaves the customer's list for good.
 */
export async function eraseCards(trx: Db, customerId: string, pan: { enc: string; keyId: string }, now: Date): Promise<number> {
  const m = ERASED;
  return count(
    await sql`UPDATE card_cards SET holder = ${m}, billing_address = ${m}, billing_city = ${m}, billing_zip = ${m},
        billing_state = CASE WHEN billing_state IS NULL THEN NULL ELSE ${m} END,
        pan_enc = ${pan.enc}, pan_key_id = ${pan.keyId}, pan_hmac = ${m} || ':' || id::text,
        deleted_at = coalesce(deleted_at, ${now})
      WHERE customer_id = ${customerId}::uuid AND holder <> ${m}`.execute(trx),
  );
}

export async function setTradingPayinExtra(trx: Db, id: string, extra: string, now: Date): Promise<void> {
  await sql`UPDATE trading_payins SET extra = ${extra}::json, updated_at = ${now} WHERE id = ${id}::uuid`.execute(trx);
}

export async function eraseBankTransferPayers(trx: Db, ids: readonly string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const m = ERASED;
  return count(
    await sql`UPDATE bank_transfers SET
        payer_name = CASE WHEN payer_name IS NULL THEN NULL ELSE ${m} END,
        payer_iban = CASE WHEN payer_iban IS NULL THEN NULL ELSE ${m} END
      WHERE id = ANY(${texts(ids)}::text[]) AND (payer_name <> ${m} OR payer_iban <> ${m})`.execute(trx),
  );
}

/**
 * The payer as creditor of a refund that is closed or still waiting for an IBAN. An order pending or
 * exported keeps its creditor until the bank has carried it out: the money must reach the person.
 */
export async function eraseRefundCreditors(trx: Db, bankTransferIds: readonly string[]): Promise<{ erased: number; keptOpen: number }> {
  if (bankTransferIds.length === 0) return { erased: 0, keptOpen: 0 };
  const m = ERASED;
  const erased = count(
    await sql`UPDATE refund_orders SET
        creditor_name = CASE WHEN creditor_name IS NULL THEN NULL ELSE ${m} END,
        creditor_iban = CASE WHEN creditor_iban IS NULL THEN NULL ELSE ${m} END
      WHERE bank_transfer_id = ANY(${texts(bankTransferIds)}::text[]) AND status IN ('closed', 'waiting')
        AND (creditor_name <> ${m} OR creditor_iban <> ${m})`.execute(trx),
  );
  const open = await sql<{ n: string }>`SELECT count(*)::text AS n FROM refund_orders
    WHERE bank_transfer_id = ANY(${texts(bankTransferIds)}::text[]) AND status IN ('pending', 'exported')`.execute(trx);
  return { erased, keptOpen: Number(open.rows[0]!.n) };
}

/** Velocity rows of the person's payments or keyed by one of their values (merchant|signal|value). */
export async function deleteVelocityTraces(trx: Db, paymentIds: readonly string[], values: readonly string[]): Promise<number> {
  if (paymentIds.length === 0 && values.length === 0) return 0;
  return count(
    await sql`DELETE FROM risk_velocity_events
      WHERE payment_id = ANY(${texts(paymentIds)}::text[])
         OR EXISTS (SELECT 1 FROM unnest(${texts(values)}::text[]) AS v WHERE right(key, length(v) + 1) = '|' || v)`.execute(trx),
  );
}

export async function deletePayerStats(trx: Db, merchantId: string, userId: string): Promise<number> {
  return count(await sql`DELETE FROM risk_payer_stats WHERE merchant_id = ${merchantId}::uuid AND user_id = ${userId}`.execute(trx));
}
