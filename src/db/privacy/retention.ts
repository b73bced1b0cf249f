// SQL of the retention purge (src/app/ops/retention.ts): each function handles at most `limit` rows
// older than `before`, claimed with FOR UPDATE SKIP LOCKED so several workers share the work without
// waiting on each other or doing a row twice, and returns what it removed.
import { sql } from "kysely";
import { ERASED } from "../../core/privacy/erasure.js";
import type { Db } from "../schema.js";

const count = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0n);

/** Decided KYC cases' document files: the keys leave the case (the files go by a files.delete job). */
export async function takeKycDocuments(trx: Db, before: Date, limit: number): Promise<{ cases: number; files: string[] }> {
  const r = await sql<{ id: string; files: unknown }>`
    SELECT id, files FROM kyc_cases WHERE files <> '[]'::jsonb AND decided_at < ${before}
    ORDER BY decided_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
  if (r.rows.length === 0) return { cases: 0, files: [] };
  await sql`UPDATE kyc_cases SET files = '[]'::jsonb WHERE id = ANY(${sql.val(r.rows.map((c) => c.id))}::text[])`.execute(trx);
  const files = r.rows.flatMap((c) => (Array.isArray(c.files) ? c.files.filter((f): f is string => typeof f === "string") : []));
  return { cases: r.rows.length, files };
}

/** Trading receipts (dispute evidence): the rows go, their files by a files.delete job. */
export async function takeReceipts(trx: Db, before: Date, limit: number): Promise<string[]> {
  const r = await sql<{ storage_key: string }>`
    DELETE FROM trading_receipts WHERE invoice_key IN (
      SELECT invoice_key FROM trading_receipts WHERE created_at < ${before} ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
    RETURNING storage_key`.execute(trx);
  return r.rows.map((x) => x.storage_key);
}

/** Delivered or failed webhook/IPN messages, by their last attempt, with their attempts (bodies and receivers' answers). */
export async function deleteFinishedWebhooks(trx: Db, before: Date, limit: number): Promise<number> {
  const r = await sql<{ seq: string }>`
    SELECT seq::text AS seq FROM webhook_messages WHERE status <> 'pending' AND updated_at < ${before}
    ORDER BY updated_at LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
  if (r.rows.length === 0) return 0;
  const seqs = sql.val(r.rows.map((x) => x.seq));
  await sql`DELETE FROM webhook_attempts WHERE message_seq = ANY(${seqs}::bigint[])`.execute(trx);
  return count(await sql`DELETE FROM webhook_messages WHERE seq = ANY(${seqs}::bigint[])`.execute(trx));
}

/** Payment intents' payer IP becomes the marker. */
export async function eraseOldIntentIps(trx: Db, before: Date, limit: number): Promise<number> {
  return count(
    await sql`UPDATE payment_intents SET ip = ${ERASED} WHERE id IN (
      SELECT id FROM payment_intents WHERE ip <> ${ERASED} AND created_at < ${before} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(trx),
  );
}

/** Trading pay-ins whose payerInfo still holds an IP or user agent (the predicate of their index). */
export async function payinsWithPayerTraces(trx: Db, before: Date, limit: number): Promise<{ id: string; extra: string }[]> {
  const r = await sql<{ id: string; extra: string }>`
    SELECT id::text AS id, extra::text AS extra FROM trading_payins
    WHERE coalesce(extra -> 'payerInfo' ->> 'ip', extra -> 'payerInfo' ->> 'userAgent', ${ERASED}) <> ${ERASED} AND created_at < ${before}
    LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
  return r.rows;
}

/** The longest window any risk rule counts over (enabled or not: one switched back on needs its history). */
export async function longestRiskWindowSeconds(db: Db): Promise<number> {
  const r = await sql<{ s: string | null }>`SELECT max((spec ->> 'windowSeconds')::bigint)::text AS s FROM risk_rules`.execute(db);
  return Number(r.rows[0]?.s ?? 0);
}

/** Velocity rows no rule's window reaches any more. */
export async function deleteVelocityBefore(trx: Db, before: Date, limit: number): Promise<number> {
  return count(
    await sql`DELETE FROM risk_velocity_events WHERE ctid IN (
      SELECT ctid FROM risk_velocity_events WHERE at < ${before} LIMIT ${limit} FOR UPDATE SKIP LOCKED)`.execute(trx),
  );
}
