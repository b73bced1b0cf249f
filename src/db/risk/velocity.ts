// SQL for the risk engine's counts: velocity windows under advisory locks, and payer history.
import { sql } from "kysely";
import type { Db } from "../schema.js";

/**
 * Serializes payments that share a velocity key until the transaction ends: one statement takes every
 * key's lock, in a fixed order so two payments with overlapping keys never wait on each other in a
 * cycle. Taken before the counts are read, so each count sees every committed payment before it.
 */
export async function lockVelocityKeys(trx: Db, keys: readonly string[]): Promise<void> {
  if (keys.length === 0) return;
  await sql`SELECT pg_advisory_xact_lock(hashtext('risk_velocity'), hashtext(k)) FROM unnest(${sql.val([...keys].sort())}::text[]) AS k ORDER BY k`.execute(trx);
}

export interface WindowQuery {
  ruleId: string;
  key: string;
  since: Date;
  measure: "count" | "sum" | "distinct_users";
  /** count: stop counting after this many rows (the rule only needs to know it is over its limit). */
  cap: number;
  currency: string | null;
}

/** Each rule's value in its window, before this payment; one statement for all rules. */
export async function readWindows(trx: Db, queries: readonly WindowQuery[]): Promise<Map<string, bigint>> {
  if (queries.length === 0) return new Map();
  const rows = queries.map(
    (q) => sql`(${q.ruleId}::text, ${q.key}::text, ${q.since}::timestamptz, ${q.measure}::text, ${q.cap}::int, ${q.currency}::text)`,
  );
  const result = await sql<{ rule_id: string; v: string }>`
    SELECT r.rule_id,
      CASE r.measure
        WHEN 'count' THEN (SELECT count(*) FROM (SELECT 1 FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since LIMIT r.cap) c)
        WHEN 'sum' THEN (SELECT coalesce(sum(e.amount_minor), 0) FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since AND e.currency = r.currency)
        ELSE (SELECT count(DISTINCT e.user_id) FROM risk_velocity_events e WHERE e.key = r.key AND e.at > r.since AND e.user_id IS NOT NULL)
      END::text AS v
    FROM (VALUES ${sql.join(rows)}) AS r(rule_id, key, since, measure, cap, currency)`.execute(trx);
  return new Map(result.rows.map((r) => [r.rule_id, BigInt(r.v)]));
}

/** Whether `userId` already appears under `key` in the window (a distinct count then does not grow). */
export async function userSeenUnder(trx: Db, key: string, since: Date, userId: string): Promise<boolean> {
  const r = await trx.selectFrom("risk_velocity_events").select("payment_id").where("key", "=", key).where("at", ">", since).where("user_id", "=", userId).limit(1).executeTakeFirst();
  return r !== undefined;
}

export async function insertVelocityEvents(trx: Db, rows: { key: string; at: Date; amountMinor: bigint; currency: string; userId: string | null; paymentId: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("risk_velocity_events")
    .values(rows.map((r) => ({ key: r.key, at: r.at, amount_minor: r.amountMinor, currency: r.currency, user_id: r.userId, payment_id: r.paymentId })))
    .execute();
}

/** Counts this payment for the payer and returns what was seen before it (the row stays locked). */
export async function countPayerPayment(trx: Db, merchantId: string, userId: string): Promise<{ paymentsSeen: number; notPaidDisputes: number }> {
  const r = await trx
    .insertInto("risk_payer_stats")
    .values({ merchant_id: merchantId, user_id: userId, payments_seen: 1 })
    .onConflict((oc) => oc.columns(["merchant_id", "user_id"]).doUpdateSet({ payments_seen: sql`risk_payer_stats.payments_seen + 1` }))
    .returning(["payments_seen", "not_paid_disputes"])
    .executeTakeFirstOrThrow();
  return { paymentsSeen: r.payments_seen - 1, notPaidDisputes: r.not_paid_disputes };
}
