// SQL for what trading disputes feed into risk: the payer's "not paid" count, and the requisites' and
// traders' dispute counters and allocation holds (migration 0033_a).
import { sql } from "kysely";
import type { Db } from "../schema.js";

/** One more dispute decided "not paid" for the payer (created when Rampart had not seen it). */
export async function addNotPaidDispute(db: Db, merchantId: string, userId: string): Promise<void> {
  await db
    .insertInto("risk_payer_stats")
    .values({ merchant_id: merchantId, user_id: userId, not_paid_disputes: 1 })
    .onConflict((oc) => oc.columns(["merchant_id", "user_id"]).doUpdateSet({ not_paid_disputes: sql`risk_payer_stats.not_paid_disputes + 1` }))
    .execute();
}

/** Counts a pay-in's first dispute on its requisite (the row stays locked) and returns the counters. */
export function countRequisiteDispute(db: Db, requisiteId: string) {
  return db
    .updateTable("trading_requisites")
    .set({ disputes_opened: sql`disputes_opened + 1` })
    .where("id", "=", requisiteId)
    .returning(["id", "trader_id", "payins_assigned", "disputes_opened", "risk_held_at"])
    .executeTakeFirstOrThrow();
}

/** The trader's pay-ins and first disputes over all its requisites (trading_requisites_trader_idx). */
export async function traderDisputeTotals(db: Db, traderId: string): Promise<{ payins: number; disputes: number; heldAt: Date | null }> {
  const r = await sql<{ payins: string; disputes: string; held_at: Date | null }>`
    SELECT coalesce(sum(r.payins_assigned), 0)::text AS payins, coalesce(sum(r.disputes_opened), 0)::text AS disputes,
           (SELECT t.risk_held_at FROM traders t WHERE t.id = ${traderId}) AS held_at
    FROM trading_requisites r WHERE r.trader_id = ${traderId}`.execute(db);
  const row = r.rows[0]!;
  return { payins: Number(row.payins), disputes: Number(row.disputes), heldAt: row.held_at };
}

export async function setRequisiteHold(db: Db, id: string, at: Date | null): Promise<void> {
  // A release starts the count afresh: the operator reviewed what it was.
  const reset = at === null ? { payins_assigned: 0, disputes_opened: 0 } : {};
  await db.updateTable("trading_requisites").set({ risk_held_at: at, ...reset }).where("id", "=", id).execute();
}

export async function setTraderHold(db: Db, traderId: string, at: Date | null): Promise<void> {
  await db.updateTable("traders").set({ risk_held_at: at }).where("id", "=", traderId).execute();
  if (at === null) await db.updateTable("trading_requisites").set({ payins_assigned: 0, disputes_opened: 0 }).where("trader_id", "=", traderId).execute();
}

export function lockRequisiteHold(db: Db, id: string) {
  return db.selectFrom("trading_requisites").select(["id", "trader_id", "risk_held_at"]).where("id", "=", id).forUpdate().executeTakeFirst();
}

export function lockTraderHold(db: Db, traderId: string) {
  return db.selectFrom("traders").select(["id", "risk_held_at"]).where("id", "=", traderId).forUpdate().executeTakeFirst();
}

/** What is held now, oldest hold first (bounded). */
export async function listHolds(db: Db, limit: number) {
  const requisites = await db
    .selectFrom("trading_requisites")
    .select(["id", "trader_id", "bank_code", "method", "payins_assigned", "disputes_opened", "risk_held_at"])
    .where("risk_held_at", "is not", null)
    .orderBy("risk_held_at")
    .limit(limit)
    .execute();
  const traders = await db.selectFrom("traders").select(["id", "name", "risk_held_at"]).where("risk_held_at", "is not", null).orderBy("risk_held_at").limit(limit).execute();
  return { requisites, traders };
}
