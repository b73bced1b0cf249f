// SQL for the risk engine's counts: velocity windows under advisory locks, and payer history, in one
// call of risk_count_payment (migration 0034), which says why the counts are exact under concurrency.
import { sql } from "kysely";
import type { Db } from "../schema.js";

export interface WindowQuery {
  ruleId: string;
  key: string;
  since: Date;
  /** distinct_users counts this payment's userId too; count and sum are read before this payment. */
  measure: "count" | "sum" | "distinct_users";
  /** count: stop counting after this many rows (the rule only needs to know it is over its limit). */
  cap: number;
  currency: string | null;
}

interface CountedPayment {
  /** Per rule id: its window's value (see WindowQuery.measure). */
  windows: Map<string, bigint>;
  /** What was seen of the payer before this payment; null when not asked for or no userId. */
  payer: { paymentsSeen: number; notPaidDisputes: number } | null;
}

/**
 * Locks the payment's velocity keys (held until the transaction ends), reads each rule's window,
 * counts the payer when `countPayer`, and records the payment under every key: one round trip. Call
 * it inside the transaction that writes the payment; rolling that back un-counts it.
 */
export async function countPayment(
  trx: Db,
  p: { keys: readonly string[]; queries: readonly WindowQuery[]; merchantId: string; userId: string | null; countPayer: boolean; at: Date; amountMinor: bigint; currency: string; paymentId: string },
): Promise<CountedPayment> {
  const q = p.queries;
  const result = await sql<{ r: { windows: Record<string, string>; payer: CountedPayment["payer"] } }>`
    SELECT risk_count_payment(
      ${sql.val([...p.keys])}::text[], ${sql.val(q.map((x) => x.ruleId))}::text[], ${sql.val(q.map((x) => x.key))}::text[],
      ${sql.val(q.map((x) => x.since.toISOString()))}::timestamptz[], ${sql.val(q.map((x) => x.measure))}::text[], ${sql.val(q.map((x) => x.cap))}::integer[],
      ${sql.val(q.map((x) => x.currency))}::text[], ${p.merchantId}::uuid, ${p.userId}::text, ${p.countPayer}::boolean,
      ${p.at}::timestamptz, ${p.amountMinor.toString()}::bigint, ${p.currency}::text, ${p.paymentId}::text
    ) AS r`.execute(trx);
  const r = result.rows[0]!.r;
  return { windows: new Map(Object.entries(r.windows).map(([id, v]) => [id, BigInt(v)])), payer: r.payer };
}
