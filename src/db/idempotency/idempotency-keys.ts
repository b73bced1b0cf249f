// SQL for idempotency keys. The claim is one INSERT … ON CONFLICT DO NOTHING: exactly one request
// wins a (scope, key); a stale row (expired, or abandoned in flight) is taken over by a guarded UPDATE.
import { sql } from "kysely";
import type { Db } from "../schema.js";

interface IdempotencyRow {
  fingerprint: string;
  status: "in_flight" | "done";
  response_status: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  created_at: Date;
  expires_at: Date;
}

/** True when this caller now owns the key. */
export async function claimIdempotencyKey(db: Db, a: { scope: string; key: string; fingerprint: string; now: Date; expiresAt: Date }): Promise<boolean> {
  const r = await db
    .insertInto("idempotency_keys")
    .values({ scope: a.scope, key: a.key, fingerprint: a.fingerprint, created_at: a.now, expires_at: a.expiresAt })
    .onConflict((oc) => oc.columns(["scope", "key"]).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** Takes over a row that expired, or that stayed in flight since before `abandonedBefore`. */
export async function takeOverIdempotencyKey(
  db: Db,
  a: { scope: string; key: string; fingerprint: string; now: Date; expiresAt: Date; abandonedBefore: Date },
): Promise<boolean> {
  const r = await sql`
    UPDATE idempotency_keys SET fingerprint = ${a.fingerprint}, status = 'in_flight', response_status = NULL,
      response_headers = NULL, response_body = NULL, created_at = ${a.now}, expires_at = ${a.expiresAt}
    WHERE scope = ${a.scope} AND key = ${a.key}
      AND (expires_at <= ${a.now} OR (status = 'in_flight' AND created_at < ${a.abandonedBefore}))`.execute(db);
  return (r.numAffectedRows ?? 0n) > 0n;
}

export async function findIdempotencyKey(db: Db, scope: string, key: string): Promise<IdempotencyRow | undefined> {
  return db
    .selectFrom("idempotency_keys")
    .select(["fingerprint", "status", "response_status", "response_headers", "response_body", "created_at", "expires_at"])
    .where("scope", "=", scope)
    .where("key", "=", key)
    .executeTakeFirst();
}

/**
 * Guarded by the owner token (created_at); false when the row is not this owner's in-flight claim
 * (with `revise`: nor an answer this owner already stored).
 */
export async function completeIdempotencyKey(
  db: Db,
  a: { scope: string; key: string; fingerprint: string; claimedAt: Date; status: number; headers: Record<string, string>; body: string; revise?: boolean },
): Promise<boolean> {
  const r = await db
    .updateTable("idempotency_keys")
    .set({ status: "done", response_status: a.status, response_headers: JSON.stringify(a.headers) as unknown as Record<string, string>, response_body: a.body })
    .where("scope", "=", a.scope)
    .where("key", "=", a.key)
    .where("fingerprint", "=", a.fingerprint)
    .where("created_at", "=", a.claimedAt)
    .where("status", "in", a.revise ? ["in_flight", "done"] : ["in_flight"])
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Frees a key whose request ended without a storable response (5xx), so the client can retry. */
export async function releaseIdempotencyKey(db: Db, a: { scope: string; key: string; fingerprint: string; claimedAt: Date }): Promise<void> {
  await db
    .deleteFrom("idempotency_keys")
    .where("scope", "=", a.scope)
    .where("key", "=", a.key)
    .where("fingerprint", "=", a.fingerprint)
    .where("created_at", "=", a.claimedAt)
    .where("status", "=", "in_flight")
    .execute();
}

export async function deleteExpiredIdempotencyKeys(db: Db, now: Date, limit: number): Promise<number> {
  const r = await sql`
    DELETE FROM idempotency_keys WHERE (scope, key) IN (
      SELECT scope, key FROM idempotency_keys WHERE expires_at <= ${now} LIMIT ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}
