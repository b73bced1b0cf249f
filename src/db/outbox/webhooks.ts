// SQL for webhook endpoints, messages and attempts.
import { sql } from "kysely";
import type { Db } from "../schema.js";
import type { WebhookFormat } from "../tables/outbox.js";

/**
 * The callback endpoint id for (merchant, url), created on first use. Never locks an existing row. Only
 * 'callback' rows: an endpoint the merchant registered with the same URL is a separate row (0054).
 */
export async function ensureEndpoint(db: Db, a: { id: string; merchantId: string; url: string }): Promise<string> {
  const find = () =>
    db
      .selectFrom("webhook_endpoints")
      .select("id")
      .where("merchant_id", "=", a.merchantId)
      .where("url", "=", a.url)
      .where("kind", "=", "callback")
      .executeTakeFirst();
  const found = await find();
  if (found) return found.id;
  await db
    .insertInto("webhook_endpoints")
    .values({ id: a.id, merchant_id: a.merchantId, url: a.url })
    .onConflict((oc) => oc.columns(["merchant_id", "url", "kind"]).where("deleted_at", "is", null).doNothing())
    .execute();
  return (await find())!.id;
}

interface NewMessage {
  eventId: string;
  merchantId: string;
  endpointId: string;
  format: WebhookFormat;
  url: string;
  orderingKey: string;
  body: string | null;
  query: Record<string, string> | null;
  signingKeyRef: unknown;
  nextAttemptAt: Date;
}

/** One statement for any number of messages; an event id already stored is skipped (a repeat). */
export async function insertMessages(db: Db, messages: readonly NewMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await db
    .insertInto("webhook_messages")
    .values(
      messages.map((m) => ({
        event_id: m.eventId,
        merchant_id: m.merchantId,
        endpoint_id: m.endpointId,
        format: m.format,
        url: m.url,
        ordering_key: m.orderingKey,
        body: m.body,
        query: m.query === null ? null : (JSON.stringify(m.query) as unknown as Record<string, string>),
        signing_key_ref: JSON.stringify(m.signingKeyRef),
        next_attempt_at: m.nextAttemptAt,
      })),
    )
    .onConflict((oc) => oc.column("event_id").doNothing())
    .execute();
}

/**
 * "Still pending", for statements that look messages up by seq or by ordering key: `status NOT IN` the
 * other two of the column's three values (its CHECK, 0003_outbox), which the planner cannot match to the
 * pending-only partial index (webhook_messages_due_seq_idx), so a lookup goes by the primary key or by
 * (ordering_key, seq) whatever the statistics say. With `status = 'pending'` and statistics taken while
 * nothing was pending (after quiet hours, before a burst), the pending-only indexes looked empty and the
 * planner scanned one whole for every message it looked up: a claim of a 5,000-message backlog took
 * about 7 s (test/integration/webhook-claim-plans.test.ts counts the rows the plans handle).
 */
const stillPending = (column: "m.status" | "p.status" | "w.status") => sql`${sql.ref(column)} NOT IN ('delivered', 'failed')`;

/**
 * The messages `w` named by the seqs of the CTE `v`, by primary key: `= ANY(ARRAY(…))` is an index
 * condition on webhook_messages_pkey that bounds what the statement reads to v's rows. With only the
 * join, statistics that put almost no row under its other conditions (locked_by: nobody held a message
 * when they were taken) had the planner scan the messages and compare each with every row of v.
 */
const namedByV = sql`w.seq = ANY(ARRAY(SELECT seq FROM v)) AND w.seq = v.seq`;

export interface ClaimedMessageRow {
  seq: string;
  event_id: string;
  merchant_id: string;
  endpoint_id: string;
  format: WebhookFormat;
  url: string;
  body: string | null;
  query: Record<string, string> | null;
  signing_key_ref: unknown;
  attempts: number;
  /** Until when the claiming worker holds it: a request that could outlast it must not start. */
  lease_until: Date;
}

/**
 * Claims due messages: pending, due, not leased to a live worker, endpoint enabled, and no earlier
 * message of the same ordering key still pending (a later status waits for the earlier one to be
 * delivered or to fail). Each claimed row is leased to `workerId` with its attempt counted. One
 * statement (autocommit). At most `perEndpoint` messages per endpoint are held after the claim:
 * `busy` gives the caller's messages held per endpoint; endpoints already at the bound are left out of
 * the scan, the others get the slots they have left (first due first). The scan walks the due messages
 * in the claim's order (webhook_messages_due_seq_idx, 0092_w) and stops at `limit`.
 *
 * A caller that sends `lease.perRound` requests to an endpoint at a time and queues the rest gives a
 * message in slot s (its place in that endpoint's queue, held ones first) ceil(s / perRound) rounds of
 * `lease.roundMs` (the request timeout) after `lease.from`: a message queued behind a hanging endpoint's
 * requests keeps its lease until its own request has had its full timeout.
 */
export async function claimDueMessages(
  db: Db,
  a: {
    now: Date;
    lease: { from: Date; perRound: number; roundMs: number };
    workerId: string;
    limit: number;
    perEndpoint: number;
    busy?: [endpointId: string, held: number][];
  },
): Promise<ClaimedMessageRow[]> {
  const busy = a.busy ?? [];
  const saturated = busy.filter(([, n]) => n >= a.perEndpoint).map(([id]) => id);
  const excluded = saturated.length ? sql`AND m.endpoint_id NOT IN (${sql.join(saturated)})` : sql``;
  // A first row of NULLs: VALUES cannot be empty.
  const busyRows = sql.join([sql`(NULL::uuid, 0)`, ...busy.map(([id, n]) => sql`(${id}::uuid, ${n}::integer)`)]);
  const r = await sql<ClaimedMessageRow>`
    WITH busy (endpoint_id, n) AS (VALUES ${busyRows}),
    candidate AS (
      SELECT m.seq, m.endpoint_id, m.next_attempt_at FROM webhook_messages m
      JOIN webhook_endpoints e ON e.id = m.endpoint_id
      WHERE m.status = 'pending' AND m.next_attempt_at <= ${a.now}
        AND (m.lease_until IS NULL OR m.lease_until < ${a.now})
        AND e.disabled_at IS NULL AND e.enabled ${excluded}
        -- OFFSET 0 keeps this a probe of the (ordering_key, seq) index (0037_b) per due message
        -- (PostgreSQL does not turn a subquery with an OFFSET into a join): as an anti-join it was planned
        -- from the pending count, and on current statistics hashed the table's whole delivered history.
        AND NOT EXISTS (
          SELECT 1 FROM webhook_messages p
          WHERE p.ordering_key = m.ordering_key AND p.seq < m.seq AND ${stillPending("p.status")} OFFSET 0)
      ORDER BY m.next_attempt_at, m.seq
      LIMIT ${a.limit}
    ),
    slotted AS (
      SELECT c.seq, coalesce(b.n, 0) + row_number() OVER (PARTITION BY c.endpoint_id ORDER BY c.next_attempt_at, c.seq) AS slot
      FROM candidate c LEFT JOIN busy b ON b.endpoint_id = c.endpoint_id
    ),
    due AS (
      -- Re-checked on the locked row: another worker may have taken or settled it since the scan.
      SELECT m.seq, s.slot FROM webhook_messages m JOIN slotted s ON s.seq = m.seq
      WHERE s.slot <= ${a.perEndpoint}
        AND ${stillPending("m.status")} AND (m.lease_until IS NULL OR m.lease_until < ${a.now})
      FOR UPDATE OF m SKIP LOCKED
    )
    UPDATE webhook_messages w SET lease_until = ${a.lease.from}::timestamptz
                                    + ceil(due.slot::numeric / ${a.lease.perRound}::integer) * ${a.lease.roundMs}::integer * interval '1 millisecond',
                                  locked_by = ${a.workerId},
                                  attempts = w.attempts + 1, updated_at = ${a.now}
    FROM due WHERE w.seq = due.seq
    RETURNING w.seq, w.event_id, w.merchant_id, w.endpoint_id, w.format, w.url, w.body, w.query,
              w.signing_key_ref, w.attempts, w.lease_until`.execute(db);
  return r.rows;
}

/** One attempt to record: the attempt row and the message's next state. */
export type RecordedAttempt = {
  /** The attempt row's id. */
  id: string;
  seq: string;
  /** The message's attempt count when claimed (the lease guard), also the attempt's number. */
  attempts: number;
  at: Date;
  url: string;
  statusCode: number | null;
  latencyMs: number;
  responseBody: string | null;
  attemptError: string | null;
  /** When the answer was in: the message's updated_at (and delivered_at). */
  now: Date;
} & ({ status: "delivered" } | { status: "pending"; nextAttemptAt: Date; error: string } | { status: "failed"; error: string });

/**
 * Records attempts in ONE statement (autocommit: no BEGIN/COMMIT round trips): every attempt row is
 * inserted, and each message this worker still holds (pending, locked_by it, attempts unchanged) takes
 * its next state. Returns the seqs whose message was updated; a message whose lease was lost meanwhile
 * (another worker took it, or it was settled) keeps its state and is missing from the answer. The rows
 * go as one array per column (unnest): 13 parameters and one statement text whatever the batch size,
 * which PostgreSQL parses and plans in about two thirds of the time of a VALUES list of 100 rows.
 */
export async function recordAttempts(db: Db, workerId: string, rows: RecordedAttempt[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const col = <T>(f: (r: RecordedAttempt) => T) => rows.map(f);
  const time = (d: Date | null) => d?.toISOString() ?? null;
  const r = await sql<{ seq: string }>`
    WITH v AS (
      SELECT * FROM unnest(${col((r) => r.id)}::uuid[], ${col((r) => r.seq)}::bigint[], ${col((r) => r.attempts)}::integer[],
        ${col((r) => time(r.at))}::timestamptz[], ${col((r) => r.url)}::text[], ${col((r) => r.statusCode)}::integer[],
        ${col((r) => r.latencyMs)}::integer[], ${col((r) => r.responseBody)}::text[], ${col((r) => r.attemptError)}::text[],
        ${col((r) => r.status)}::text[], ${col((r) => time(r.status === "pending" ? r.nextAttemptAt : null))}::timestamptz[],
        ${col((r) => (r.status === "delivered" ? null : r.error))}::text[], ${col((r) => time(r.now))}::timestamptz[])
      AS v (id, seq, attempts, at, url, status_code, latency_ms, response_body, attempt_error, status, next_attempt_at, error, now)),
    attempt AS (
      INSERT INTO webhook_attempts (id, message_seq, attempt, at, url, status_code, latency_ms, response_body, error)
      SELECT id, seq, attempts, at, url, status_code, latency_ms, response_body, attempt_error FROM v)
    UPDATE webhook_messages w SET status = v.status, lease_until = NULL, locked_by = NULL, updated_at = v.now,
      delivered_at = CASE WHEN v.status = 'delivered' THEN v.now ELSE w.delivered_at END,
      next_attempt_at = coalesce(v.next_attempt_at, w.next_attempt_at),
      last_error = v.error
    FROM v
    WHERE ${namedByV} AND ${stillPending("w.status")} AND w.locked_by = ${workerId} AND w.attempts = v.attempts
    RETURNING w.seq`.execute(db);
  return new Set(r.rows.map((x) => String(x.seq)));
}

/**
 * Gives claimed messages that were never sent back to the queue (a stopping worker's backlog): lease
 * dropped and the attempt the claim counted taken back, for the ones this worker still holds.
 */
export async function releaseMessages(db: Db, workerId: string, held: { seq: string; attempts: number }[]): Promise<void> {
  if (held.length === 0) return;
  const values = held.map((h) => sql`(${h.seq}::bigint, ${h.attempts}::integer)`);
  await sql`
    WITH v (seq, attempts) AS (VALUES ${sql.join(values)})
    UPDATE webhook_messages w SET lease_until = NULL, locked_by = NULL, attempts = w.attempts - 1
    FROM v
    WHERE ${namedByV} AND ${stillPending("w.status")} AND w.locked_by = ${workerId} AND w.attempts = v.attempts`.execute(db);
}

export async function disableEndpoint(db: Db, a: { id: string; at: Date; reason: string }): Promise<boolean> {
  const r = await db
    .updateTable("webhook_endpoints")
    .set({ disabled_at: a.at, disabled_reason: a.reason })
    .where("id", "=", a.id)
    .where("disabled_at", "is", null)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Whether the endpoint takes deliveries now: enabled, not stopped by a 410, not deleted (as a claim checks). */
export async function endpointTakesDeliveries(db: Db, id: string): Promise<boolean> {
  const e = await db
    .selectFrom("webhook_endpoints")
    .select("id")
    .where("id", "=", id)
    .where("enabled", "=", true)
    .where("disabled_at", "is", null)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  return e !== undefined;
}

export async function findEndpoint(db: Db, id: string) {
  return db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function setEndpointSecret(db: Db, id: string, secretEnc: string): Promise<void> {
  await db.updateTable("webhook_endpoints").set({ secret_enc: secretEnc }).where("id", "=", id).execute();
}

export interface MessageFilter {
  merchantId?: string;
  endpointId?: string;
  status?: "pending" | "delivered" | "failed";
  /** Messages with seq below this (the previous page's cursor). */
  beforeSeq?: string;
  limit: number;
}

/** Newest first. */
export async function listMessages(db: Db, f: MessageFilter) {
  let q = db
    .selectFrom("webhook_messages")
    .select(["seq", "event_id", "merchant_id", "endpoint_id", "format", "url", "ordering_key", "status", "attempts", "next_attempt_at", "last_error", "delivered_at", "created_at"])
    .orderBy("seq", "desc")
    .limit(f.limit);
  if (f.merchantId) q = q.where("merchant_id", "=", f.merchantId);
  if (f.endpointId) q = q.where("endpoint_id", "=", f.endpointId);
  if (f.status) q = q.where("status", "=", f.status);
  if (f.beforeSeq) q = q.where("seq", "<", f.beforeSeq);
  return q.execute();
}

export async function findMessageByEventId(db: Db, eventId: string) {
  return db.selectFrom("webhook_messages").selectAll().where("event_id", "=", eventId).executeTakeFirst();
}

export async function listAttempts(db: Db, messageSeq: string) {
  return db.selectFrom("webhook_attempts").selectAll().where("message_seq", "=", messageSeq).orderBy("at").orderBy("attempt").execute();
}

/** Puts settled messages back in the queue, due at `now`, with a fresh attempt budget. */
export async function requeueMessages(db: Db, a: { seqs: string[]; now: Date }): Promise<number> {
  if (a.seqs.length === 0) return 0;
  const r = await db
    .updateTable("webhook_messages")
    .set({ status: "pending", attempts: 0, next_attempt_at: a.now, lease_until: null, locked_by: null, updated_at: a.now })
    .where("seq", "in", a.seqs)
    .where("status", "in", ["delivered", "failed"])
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

export async function failedMessageSeqs(db: Db, endpointId: string): Promise<string[]> {
  const rows = await db.selectFrom("webhook_messages").select("seq").where("endpoint_id", "=", endpointId).where("status", "=", "failed").forUpdate().execute();
  return rows.map((r) => r.seq);
}

export async function enableEndpoint(db: Db, id: string): Promise<void> {
  await db.updateTable("webhook_endpoints").set({ disabled_at: null, disabled_reason: null }).where("id", "=", id).execute();
}

/** Endpoints switched off (a 410 Gone), newest first. */
export async function listDisabledEndpoints(db: Db, limit: number) {
  return db
    .selectFrom("webhook_endpoints")
    .select(["id", "merchant_id", "url", "disabled_at", "disabled_reason"])
    .where("disabled_at", "is not", null)
    .orderBy("disabled_at", "desc")
    .limit(limit)
    .execute();
}
