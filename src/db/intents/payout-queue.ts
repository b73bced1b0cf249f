// SQL for the operator's payout queue (a manual chain): list payouts by status, find one by key.
import type { PayoutStatus } from "../../core/intents/payout-status.js";
import type { Db } from "../schema.js";

/** Payouts in `status` with their intent's merchant, store and order number, by payout key. */
export async function listPayoutsByStatus(db: Db, status: PayoutStatus, limit: number, after?: string) {
  let q = db
    .selectFrom("intent_payouts as p")
    .innerJoin("payment_intents as i", "i.id", "p.intent_id")
    .selectAll("p")
    .select(["i.merchant_id", "i.store_id", "i.order_number"])
    .where("p.status", "=", status)
    .orderBy("p.payout_key")
    .limit(limit);
  if (after) q = q.where("p.payout_key", ">", after);
  return q.execute();
}

/** A payout by key, unlocked: what it pays (network, asset, address, amount) never changes once created. */
export async function findPayout(db: Db, payoutKey: string) {
  return db.selectFrom("intent_payouts").selectAll().where("payout_key", "=", payoutKey).executeTakeFirst();
}
