// SQL that finds what Rampart holds about one person, for `rampart customer erase`
// (src/app/privacy/erase-customer.ts). Every row found is locked until the erasing transaction ends,
// so a payment being written for the person at the same time either waits or is erased with the rest.
import { sql } from "kysely";
import type { Db } from "../schema.js";

/** The KYC users of one store with this e-mail (stored lower case; compared lower case). */
export async function kycUsersByEmail(trx: Db, storeId: string, email: string): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM kyc_users WHERE store_id = ${storeId} AND lower(email) = lower(${email}) FOR UPDATE`.execute(trx);
  return r.rows.map((x) => x.id);
}

/** KYC users by exact e-mail in any store (a card customer's reserved identity address). */
export async function kycUsersByIdentity(trx: Db, email: string): Promise<string[]> {
  const r = await sql<{ id: string }>`SELECT id FROM kyc_users WHERE email = ${email} FOR UPDATE`.execute(trx);
  return r.rows.map((x) => x.id);
}

interface KycCaseTraces {
  id: string;
  files: string[];
  values: (string | null)[];
}

export async function kycCasesOf(trx: Db, userIds: readonly string[]): Promise<{ emails: string[]; cases: KycCaseTraces[] }> {
  if (userIds.length === 0) return { emails: [], cases: [] };
  const users = await sql<{ email: string }>`SELECT email FROM kyc_users WHERE id = ANY(${sql.val([...userIds])}::text[])`.execute(trx);
  const r = await sql<{ id: string; files: unknown; first_name: string | null; last_name: string | null; document_number: string | null; phone_number: string | null }>`
    SELECT id, files, first_name, last_name, document_number, phone_number FROM kyc_cases
    WHERE user_id = ANY(${sql.val([...userIds])}::text[]) ORDER BY id FOR UPDATE`.execute(trx);
  return {
    emails: users.rows.map((u) => u.email),
    cases: r.rows.map((c) => ({
      id: c.id,
      files: Array.isArray(c.files) ? c.files.filter((f): f is string => typeof f === "string") : [],
      // The phone number goes with its country code the way a form or a body writes it.
      values: [c.first_name, c.last_name, c.first_name && c.last_name ? `${c.first_name} ${c.last_name}` : null, c.document_number, c.phone_number],
    })),
  };
}

interface IntentTraces {
  id: string;
  merchant_id: string;
  email: string;
  ip: string;
}

export async function intentsOfUsers(trx: Db, userIds: readonly string[]): Promise<IntentTraces[]> {
  if (userIds.length === 0) return [];
  const r = await sql<IntentTraces>`
    SELECT id, merchant_id::text AS merchant_id, email, ip FROM payment_intents
    WHERE user_id = ANY(${sql.val([...userIds])}::text[]) ORDER BY id FOR UPDATE`.execute(trx);
  return r.rows;
}

interface CardCustomerTraces {
  id: string;
  merchant_id: string;
  phone: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  residence_street: string | null;
}

/** A card customer by its uuid or by the number the clients show as customerId. */
export async function cardCustomerBy(trx: Db, idOrNumber: string): Promise<CardCustomerTraces | null> {
  const where = /^\d{1,18}$/.test(idOrNumber) ? sql`number = ${idOrNumber}::bigint` : sql`id = ${idOrNumber}::uuid`;
  const r = await sql<CardCustomerTraces>`
    SELECT id::text AS id, merchant_id::text AS merchant_id, phone, email, first_name, last_name, residence_street
    FROM card_customers WHERE ${where} FOR UPDATE`.execute(trx);
  return r.rows[0] ?? null;
}

export async function cardsOf(trx: Db, customerId: string): Promise<{ id: string; holder: string; billing_address: string }[]> {
  const r = await sql<{ id: string; holder: string; billing_address: string }>`
    SELECT id::text AS id, holder, billing_address FROM card_cards WHERE customer_id = ${customerId}::uuid ORDER BY id FOR UPDATE`.execute(trx);
  return r.rows;
}

export async function cardPaymentsOf(trx: Db, customerId: string): Promise<{ id: string; offer_id: string }[]> {
  const r = await sql<{ id: string; offer_id: string }>`
    SELECT id::text AS id, offer_id::text AS offer_id FROM card_payments WHERE customer_id = ${customerId}::uuid ORDER BY id`.execute(trx);
  return r.rows;
}

/** A merchant's trading pay-ins whose payerInfo names this userId, with their extra as stored. */
export async function tradingPayinsOfPayer(trx: Db, merchantId: string, userId: string): Promise<{ id: string; extra: string }[]> {
  const r = await sql<{ id: string; extra: string }>`
    SELECT id::text AS id, extra::text AS extra FROM trading_payins
    WHERE merchant_id = ${merchantId}::uuid AND extra -> 'payerInfo' ->> 'userId' = ${userId}
    ORDER BY id FOR UPDATE`.execute(trx);
  return r.rows;
}

export async function merchantExists(trx: Db, merchantId: string): Promise<boolean> {
  const r = await sql<{ id: string }>`SELECT id FROM merchants WHERE id = ${merchantId}::uuid`.execute(trx);
  return r.rows.length > 0;
}

/** The bank transfers that paid (or were kept apart for) the person's intents and pay-ins. */
export async function bankTransfersOf(trx: Db, intentIds: readonly string[], payinIds: readonly string[]): Promise<{ id: string; payer_name: string | null; payer_iban: string | null }[]> {
  if (intentIds.length === 0 && payinIds.length === 0) return [];
  const r = await sql<{ id: string; payer_name: string | null; payer_iban: string | null }>`
    SELECT id, payer_name, payer_iban FROM bank_transfers
    WHERE intent_id = ANY(${sql.val([...intentIds])}::text[]) OR trading_payin_id = ANY(${sql.val([...payinIds])}::uuid[])
    ORDER BY id FOR UPDATE`.execute(trx);
  return r.rows;
}
