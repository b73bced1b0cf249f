// SQL for the jobs table. Claiming is one statement: lock due rows with SKIP LOCKED (so concurrent
// workers never wait on or take each other's rows), stamp the lease and the claimer, and return them.
import { sql, type Transaction } from "kysely";
import type { DB, Db } from "../schema.js";

export interface ClaimedJobRow {
  id: string;
  kind: string;
  key: string;
  payload: unknown;
  attempts: number;
}

/** Created/updated times come from the database default: the contract's enqueue takes no clock. */
export async function insertJob(db: Db, row: NewJobRow): Promise<void> {
  await insertJobs(db, [row]);
}

export interface NewJobRow {
  id: string;
  kind: string;
  key: string;
  payload: unknown;
  dueAt: Date;
  /** The group whose jobs one worker claims at a time (migration 0086_g); none by default. */
  groupKey?: string | null;
}

/** Jobs in one insert; a key already enqueued is skipped, as insertJob's. */
export async function insertJobs(db: Db, rows: readonly NewJobRow[]): Promise<void> {
  if (rows.length === 0) return;
  await jobsInsert(rows).execute(db);
}

/**
 * The insert of insertJobs, also for a statement that writes the jobs with other rows (a CTE, as the
 * intents' and the trading pay-ins' creations do). The rows go as one JSON document, so the text is the
 * same whatever their number and such a statement can be prepared once (db/hot-statements.ts). No
 * rows: inserts nothing.
 */
export function jobsInsert(rows: readonly NewJobRow[]) {
  const docs = JSON.stringify(
    rows.map((row) => ({ id: row.id, kind: row.kind, key: row.key, payload: row.payload ?? null, due_at: row.dueAt, group_key: row.groupKey ?? null })),
  );
  // A payload of JSON null comes out of jsonb_to_recordset as SQL NULL: stored as the JSON null it was.
  return sql`INSERT INTO jobs (id, kind, key, payload, due_at, group_key)
    SELECT id, kind, key, coalesce(payload, 'null'::jsonb), due_at, group_key
      FROM jsonb_to_recordset(${docs}::jsonb) AS j(id uuid, kind text, key text, payload jsonb, due_at timestamptz, group_key text)
    ON CONFLICT (key) DO NOTHING`;
}

/**
 * Claims up to `limit` due jobs (pending and due, or running with an expired lease: its worker died)
 * and leases them to `workerId` until `leaseUntil`: of one `kind`, or of any kind but `exceptKinds`;
 * with `group` given, only that group's (null: the jobs without one; claimDueJobGroups).
 * Run it in its own short transaction.
 */
export async function claimDueJobs(
  db: Db,
  a: { now: Date; leaseUntil: Date; workerId: string; limit: number; kind?: string; exceptKinds?: readonly string[]; group?: string | null },
): Promise<ClaimedJobRow[]> {
  // With a kind (a batch sweep), jobs_pending_kind_due_idx keeps the scan to that kind's due rows
  // (with a group too, jobs_pending_kind_group_due_idx); the condition sits inside each arm of the OR,
  // where the planner matches arms to partial indexes. The dispatcher's claim (all kinds but the swept
  // ones) reads jobs_pending_due_dispatched_idx (0088_d), which holds no swept job.
  const ofGroup = a.group === undefined ? sql`` : a.group === null ? sql`AND group_key IS NULL` : sql`AND group_key = ${a.group}`;
  const ofKind =
    a.kind !== undefined ? sql`AND kind = ${a.kind} ${ofGroup}` : a.exceptKinds?.length ? sql`AND kind <> ALL(${[...a.exceptKinds]}::text[])` : sql``;
  const r = await sql<ClaimedJobRow>`
    WITH due AS (
      SELECT id FROM jobs
      WHERE (status = 'pending' AND due_at <= ${a.now} ${ofKind})
         OR (status = 'running' AND lease_until < ${a.now} ${ofKind})
      ORDER BY due_at
      LIMIT ${a.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE jobs SET status = 'running', lease_until = ${a.leaseUntil}, locked_by = ${a.workerId},
                    attempts = jobs.attempts + 1, updated_at = ${a.now}
    FROM due WHERE jobs.id = due.id
    RETURNING jobs.id, jobs.kind, jobs.key, jobs.payload, jobs.attempts`.execute(db);
  return r.rows;
}

/**
 * Records a handler's outcome, only while this worker still holds the lease of that attempt (a worker
 * whose lease expired and whose job was re-claimed must not overwrite the newer attempt).
 * Returns false when the lease was lost.
 */
export async function finishJob(
  db: Db,
  a: { id: string; workerId: string; attempts: number; now: Date } & (
    | { status: "done" }
    | { status: "pending"; dueAt: Date; error: string }
    | { status: "failed"; error: string }
  ),
): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set({
      status: a.status,
      lease_until: null,
      locked_by: null,
      updated_at: a.now,
      ...(a.status === "pending" ? { due_at: a.dueAt, last_error: a.error } : {}),
      ...(a.status === "failed" ? { last_error: a.error } : {}),
    })
    .where("id", "=", a.id)
    .where("status", "=", "running")
    .where("locked_by", "=", a.workerId)
    .where("attempts", "=", a.attempts)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** How long a group claim waits for another worker's claim of its kind (see claimDueJobGroups). */
const GROUP_CLAIM_LOCK_WAIT = "5s";
/** Groups one claim takes at most (see claimDueJobGroups). */
const MAX_GROUPS_PER_CLAIM = 32;

/** A group claim that gave up waiting for another worker's claim: nothing was claimed this round. */
export function isGroupClaimBusy(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "55P03";
}

/**
 * Claims up to `limit` due jobs of `kind` as claimDueJobs does, but whole groups (migration 0086_g)
 * that no other worker's live lease holds: the free group of the oldest due job first, then the next
 * while the batch has room. Two sweep batches then never share a group (the expiry's trader: its
 * counter and balance rows, issue 16), and many small groups still fill a batch. The claims of a kind
 * take turns on a transaction-level advisory lock, taken in a statement of its own so that the
 * statements after it read the leases the claim before committed: two workers claiming at once
 * cannot both find a group free. Jobs without a group (written before 0086_g) are one group that
 * excludes none. Run it in its own short transaction.
 *
 * The wait for the lock is bounded (GROUP_CLAIM_LOCK_WAIT): a claimer stalled mid-claim must not stall
 * every worker's sweep; the waiter fails with lock_not_available (55P03, isGroupClaimBusy) and its
 * transaction rolls back. The claim's time is read after the lock, so a claim that waited does not
 * hand out leases that are already running out. A claim takes at most MAX_GROUPS_PER_CLAIM groups:
 * each costs two statements under the lock, so many small groups would hold every other claim back.
 */
export async function claimDueJobGroups(
  trx: Transaction<DB>,
  a: { clock: () => Date; leaseMs: number; workerId: string; limit: number; kind: string },
): Promise<ClaimedJobRow[]> {
  await sql`SET LOCAL lock_timeout = ${sql.lit(GROUP_CLAIM_LOCK_WAIT)}`.execute(trx);
  await sql`SELECT pg_advisory_xact_lock(hashtext('jobs_group_claim'), hashtext(${a.kind}))`.execute(trx);
  const now = a.clock();
  const claim = { ...a, now, leaseUntil: new Date(now.getTime() + a.leaseMs) };
  const claimed: ClaimedJobRow[] = [];
  // Groups none of whose due jobs could be claimed: another transaction holds them locked (a claim
  // outside the groups, claimDueJobs). Passed over for this round, so the claim goes on to the next.
  const passedOver: (string | null)[] = [];
  for (let groups = 0; claimed.length < a.limit && groups < MAX_GROUPS_PER_CLAIM; groups++) {
    const group = await oldestFreeGroup(trx, { ...claim, passedOver });
    if (group === undefined) break;
    const rows = await claimDueJobs(trx, { ...claim, group, limit: a.limit - claimed.length });
    if (rows.length === 0) passedOver.push(group);
    claimed.push(...rows);
  }
  return claimed;
}

/**
 * The group of the oldest due job whose group no live lease holds (this transaction's own claims
 * included) and that is not among `passedOver`: pending jobs through jobs_pending_kind_due_idx in due
 * order, those of a dead worker (lease over) through jobs_running_lease_idx. undefined: none due.
 */
async function oldestFreeGroup(db: Db, a: { now: Date; kind: string; passedOver: readonly (string | null)[] }): Promise<string | null | undefined> {
  const named = a.passedOver.filter((g): g is string => g !== null);
  const free = sql`CASE WHEN group_key IS NULL THEN ${!a.passedOver.includes(null)}::bool
                        ELSE group_key NOT IN (SELECT group_key FROM busy) AND group_key <> ALL(${named}::text[]) END`;
  const r = await sql<{ group_key: string | null }>`
    WITH busy AS (
      SELECT DISTINCT group_key FROM jobs
      WHERE status = 'running' AND lease_until >= ${a.now} AND kind = ${a.kind} AND group_key IS NOT NULL
    )
    SELECT group_key FROM (
      (SELECT group_key, due_at FROM jobs
        WHERE status = 'pending' AND kind = ${a.kind} AND due_at <= ${a.now} AND ${free}
        ORDER BY due_at LIMIT 1)
      UNION ALL
      (SELECT group_key, due_at FROM jobs
        WHERE status = 'running' AND lease_until < ${a.now} AND kind = ${a.kind} AND ${free}
        ORDER BY due_at LIMIT 1)
    ) oldest
    ORDER BY due_at LIMIT 1`.execute(db);
  return r.rows.length === 0 ? undefined : r.rows[0]!.group_key;
}

/** Records "done" for a batch of jobs in one statement, each only while this worker holds that attempt's lease. */
export async function finishJobsDone(db: Db, a: { jobs: readonly { id: string; attempts: number }[]; workerId: string; now: Date }): Promise<Set<string>> {
  if (a.jobs.length === 0) return new Set();
  const rows = a.jobs.map((j) => sql`(${j.id}::uuid, ${j.attempts}::int)`);
  const r = await sql<{ id: string }>`
    UPDATE jobs SET status = 'done', lease_until = NULL, locked_by = NULL, updated_at = ${a.now}
    FROM (VALUES ${sql.join(rows)}) AS v(id, attempts)
    WHERE jobs.id = v.id AND jobs.status = 'running' AND jobs.locked_by = ${a.workerId} AND jobs.attempts = v.attempts
    RETURNING jobs.id`.execute(db);
  return new Set(r.rows.map((row) => row.id));
}

/** When the oldest job due at `now` fell due (null: none due); reads jobs_pending_due_idx. */
export async function oldestDueJobAt(db: Db, now: Date): Promise<Date | null> {
  const r = await db.selectFrom("jobs").select((eb) => eb.fn.min("due_at").as("at")).where("status", "=", "pending").where("due_at", "<=", now).executeTakeFirst();
  return r?.at ? new Date(r.at) : null;
}

/**
 * Hands a claimed job back untouched (a worker stopping before it ran it): pending again, due at once,
 * its attempt not counted. Only while this worker still holds that attempt's lease.
 */
export async function releaseJob(db: Db, a: { id: string; workerId: string; attempts: number; now: Date }): Promise<boolean> {
  const r = await db
    .updateTable("jobs")
    .set((eb) => ({ status: "pending", lease_until: null, locked_by: null, attempts: eb("attempts", "-", 1), updated_at: a.now }))
    .where("id", "=", a.id)
    .where("status", "=", "running")
    .where("locked_by", "=", a.workerId)
    .where("attempts", "=", a.attempts)
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function deleteFinishedJobsBefore(db: Db, before: Date, limit: number): Promise<number> {
  const r = await sql`
    DELETE FROM jobs WHERE id IN (
      SELECT id FROM jobs WHERE status = 'done' AND updated_at < ${before} LIMIT ${limit})`.execute(db);
  return Number(r.numAffectedRows ?? 0n);
}

/**
 * Makes the pending jobs of `kind` whose payload names `ref` (e.g. withdrawalId = wd_…) due at `now`;
 * returns how many it moved and how many such jobs are running (leased). An operator's "now" for work
 * waiting out its backoff. The kind's pending rows are few (one per object in flight).
 */
export async function hurryJobs(db: Db, a: { kind: string; ref: { field: string; value: string }; now: Date }): Promise<{ moved: number; running: number }> {
  const moved = await sql<{ id: string }>`
    UPDATE jobs SET due_at = ${a.now}, updated_at = ${a.now}
    WHERE kind = ${a.kind} AND status = 'pending' AND payload ->> ${a.ref.field} = ${a.ref.value}
    RETURNING id`.execute(db);
  const running = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM jobs WHERE kind = ${a.kind} AND status = 'running' AND payload ->> ${a.ref.field} = ${a.ref.value}`.execute(db);
  return { moved: moved.rows.length, running: running.rows[0]!.n };
}
