// SQL for payment intents, their events, store settings, incoming transfers and payouts.
import { type Insertable, type Kysely, type Selectable, sql, type Updateable } from "kysely";
import type { DB } from "../schema.js";
import type { IntentPayoutsTable, IntentStoreSettingsTable, PaymentIntentsTable } from "../tables/intents.js";

type Db = Kysely<DB>;
export type IntentRow = Selectable<PaymentIntentsTable>;
export type IntentSettingsRow = Selectable<IntentStoreSettingsTable>;
export type PayoutRow = Selectable<IntentPayoutsTable>;

export async function findIntentSettings(db: Db, storeId: string): Promise<IntentSettingsRow | undefined> {
  return db.selectFrom("intent_store_settings").selectAll().where("store_id", "=", storeId).executeTakeFirst();
}

/** Inserts a store's settings unless it has some; true when this call inserted them. */
export async function insertIntentSettings(db: Db, row: Insertable<IntentStoreSettingsTable>): Promise<boolean> {
  const r = await db
    .insertInto("intent_store_settings")
    .values(row)
    .onConflict((oc) => oc.column("store_id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** False when the store has no settings. */
export async function updateIntentSettings(db: Db, storeId: string, set: Updateable<IntentStoreSettingsTable>): Promise<boolean> {
  const r = await db.updateTable("intent_store_settings").set(set).where("store_id", "=", storeId).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function insertIntent(db: Db, row: Insertable<PaymentIntentsTable>): Promise<IntentRow> {
  return db.insertInto("payment_intents").values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findIntent(db: Db, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).executeTakeFirst();
}

/** What the status endpoint shows, by id alone (the caller checks the merchant). */
export async function findIntentStatusRow(db: Db, id: string): Promise<IntentStatusRow | undefined> {
  return db.selectFrom("payment_intents").select(["id", "merchant_id", "status", "order_number", "tx_hash"]).where("id", "=", id).executeTakeFirst();
}
export type IntentStatusRow = Pick<IntentRow, "id" | "merchant_id" | "status" | "order_number" | "tx_hash">;

/** Another merchant's intent is simply not found. */
export async function findMerchantIntent(db: Db, merchantId: string, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).where("merchant_id", "=", merchantId).executeTakeFirst();
}

export async function lockIntent(db: Db, id: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function lockIntentByReference(db: Db, reference: string): Promise<IntentRow | undefined> {
  return db.selectFrom("payment_intents").selectAll().where("reference", "=", reference).forUpdate().executeTakeFirst();
}

/** Intents waiting on a user's KYC (statuses 2 and 3), locked in id order. */
export async function lockIntentsWaitingOnUser(db: Db, userId: string): Promise<IntentRow[]> {
  return db
    .selectFrom("payment_intents")
    .selectAll()
    .where("user_id", "=", userId)
    .where("status", "in", [2, 3])
    .orderBy("id")
    .forUpdate()
    .execute();
}

export async function updateIntent(db: Db, id: string, set: Updateable<PaymentIntentsTable>): Promise<IntentRow> {
  return db.updateTable("payment_intents").set(set).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
}

export async function insertIntentEvent(
  db: Db,
  e: { intentId: string; from: number | null; to: number; actor: string; at: Date; data?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto("payment_intent_events")
    .values({ intent_id: e.intentId, from_status: e.from, to_status: e.to, actor: e.actor, at: e.at, data: JSON.stringify(e.data ?? {}) })
    .execute();
}

export async function nextOrderNumber(db: Db): Promise<string> {
  const r = await sql<{ n: string }>`select nextval('intent_order_number_seq') as n`.execute(db);
  return `ORD-${r.rows[0]!.n}`;
}

/** Records an incoming transfer once; false when its id was seen before. */
export async function insertBankTransfer(
  db: Db,
  row: { externalId: string; reference: string; amountMinor: bigint; currency: string; intentId: string | null; outcome: string; receivedAt: Date },
): Promise<boolean> {
  const r = await db
    .insertInto("intent_bank_transfers")
    .values({
      external_id: row.externalId,
      reference: row.reference,
      amount_minor: row.amountMinor,
      currency: row.currency,
      intent_id: row.intentId,
      outcome: row.outcome,
      received_at: row.receivedAt,
    })
    .onConflict((oc) => oc.column("external_id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function insertPayout(db: Db, row: Insertable<IntentPayoutsTable>): Promise<void> {
  await db.insertInto("intent_payouts").values(row).onConflict((oc) => oc.column("intent_id").doNothing()).execute();
}

export async function lockPayout(db: Db, intentId: string): Promise<PayoutRow | undefined> {
  return db.selectFrom("intent_payouts").selectAll().where("intent_id", "=", intentId).forUpdate().executeTakeFirst();
}

export async function updatePayout(db: Db, payoutKey: string, set: Updateable<IntentPayoutsTable>): Promise<void> {
  await db.updateTable("intent_payouts").set(set).where("payout_key", "=", payoutKey).execute();
}
