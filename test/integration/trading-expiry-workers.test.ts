// The expiry sweep with several workers (issue 16): workers racing over one backlog in small batches
// claim disjoint jobs (SKIP LOCKED) of disjoint traders (a batch takes whole traders that no other
// batch holds, migration 0086_g) and together expire every due pay-in exactly once; a worker killed
// after its claim, or after its batch committed but before its jobs were recorded, leaves them to the
// next worker once the lease runs out, with nothing done twice and nothing lost. On PostgreSQL: a batch
// shares no day-volume counter row with a create, and meets a create only at the traders' balance rows,
// which both take last, so a create on one of the batch's requisites neither holds it up there nor
// deadlocks it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Kysely, type RawBuilder, sql, type Transaction } from "kysely";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { expireTradingPayins, traderConfirmPayin } from "../../src/app/trading/payin-lifecycle.js";
import { JOB_LEASE_MS } from "../../src/core/jobs/job-retry.js";
import { claimDueJobGroups, claimDueJobs, type ClaimedJobRow } from "../../src/db/outbox/jobs.js";
import { workerTasks } from "../../src/jobs/tasks.js";
import { sweepTradingExpiries } from "../../src/jobs/trading-payin-expire.js";
import { jobHandlers } from "../../src/main/job-handlers.js";
import type { DB } from "../../src/db/schema.js";
import { createHarness, type Harness } from "../support/harness.js";
import { usePostgres } from "../support/test-db.js";
import { createPayinOverHttp, drainWorker, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
const WINDOW_MS = 15 * 60_000;
const KIND = "trading.payin_expire";

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 3, settings: { webhookUrl: "https://merchant.example/hooks" } });
});
after(async () => {
  await h?.close();
});

/** `count` pay-ins over HTTP, due once the clock has moved past their window. */
async function duePayins(count: number, firstAmount: number): Promise<string[]> {
  await drainWorker(h.deps);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await createPayinOverHttp(h.app, fx.merchant.apiKey, firstAmount + i * 10)).id);
  h.clock.advance(WINDOW_MS + 1);
  return ids;
}

const deposits = () => Promise.all(fx.traders.map(async (t) => (await traderDepositBalance(h.deps, t.traderId)).available));
const sweep = (workerId: string, limit = 500) => sweepTradingExpiries(h.deps, { workerId, limit });

/** A worker's claim that it never followed up (it was killed): the jobs stay leased to it. */
async function claimAndDie(): Promise<number> {
  const now = h.clock.now();
  const claimed = await h.deps.database.db
    .transaction()
    .execute((trx) => claimDueJobs(trx, { now, leaseUntil: new Date(now.getTime() + JOB_LEASE_MS), workerId: "killed-worker", limit: 500, kind: KIND }));
  return claimed.length;
}

/** Each pay-in canceled with its hold voided, with one cancel event, one hold resolution and one webhook; its job done. */
async function assertExpiredOnce(ids: string[], attempts: number): Promise<void> {
  const db = h.deps.database.db;
  const rows = await db.selectFrom("trading_payins").select(["status", "hold_state"]).where("id", "in", ids).execute();
  assert.deepEqual(new Set(rows.map((r) => `${r.status}/${r.hold_state}`)), new Set(["canceled/voided"]));
  const perPayin = async (q: RawBuilder<{ id: string; n: string }>) => {
    const counts = new Map((await q.execute(db)).rows.map((r) => [r.id, Number(r.n)]));
    return ids.map((id) => counts.get(id) ?? 0);
  };
  const once = ids.map(() => 1);
  assert.deepEqual(
    await perPayin(sql`SELECT payin_id::text AS id, count(*) AS n FROM trading_payin_events WHERE to_status = 'canceled' AND payin_id IN (${sql.join(ids)}) GROUP BY 1`),
    once,
    "one cancel event each",
  );
  assert.deepEqual(
    await perPayin(sql`SELECT ordering_key AS id, count(*) AS n FROM webhook_messages WHERE ordering_key IN (${sql.join(ids)}) AND body::json->>'status' = 'canceled' GROUP BY 1`),
    once,
    "one canceled webhook each",
  );
  assert.deepEqual(
    await perPayin(sql`SELECT split_part(transfer_id, ':', 2) AS id, count(*) AS n FROM ledger_transfer_resolutions
      WHERE kind = 'voided' AND transfer_id IN (${sql.join(ids.map((id) => `trading:${id}:hold`))}) GROUP BY 1`),
    once,
    "each hold voided",
  );
  const jobs = await db.selectFrom("jobs").select(["status", "attempts"]).where("kind", "=", KIND).where("key", "in", ids.map((id) => `${KIND}:${id}`)).execute();
  assert.equal(jobs.length, ids.length);
  assert.deepEqual(new Set(jobs.map((j) => `${j.status}/${j.attempts}`)), new Set([`done/${attempts}`]));
}

test("two workers racing in batches of 4 over 11 due pay-ins: disjoint claims, each pay-in expired exactly once", async () => {
  const before = await deposits();
  const ids = await duePayins(11, 8000);

  // Each round both workers sweep at once; 11 pay-ins in batches of at most 4 take at least two rounds.
  let total = 0;
  let rounds = 0;
  for (;;) {
    const swept = await Promise.all([sweep("worker-a", 4), sweep("worker-b", 4)]);
    assert.ok(swept.every((n) => n <= 4), "a batch never exceeds its limit");
    if (swept[0] + swept[1] === 0) break;
    total += swept[0] + swept[1];
    rounds++;
  }
  assert.equal(total, 11, "every job claimed once");
  assert.ok(rounds >= 2, "past the batch boundary");

  await assertExpiredOnce(ids, 1);
  assert.deepEqual(await deposits(), before, "every hold released once");
  await verifyLedgerClean(h.deps);
});

/** A claim of the sweep's (its own short transaction, not followed by a batch here). */
const claimGroups = (trx: Transaction<DB>, workerId: string, limit: number) =>
  claimDueJobGroups(trx, { clock: () => h.clock.now(), leaseMs: JOB_LEASE_MS, workerId, limit, kind: KIND });
const inTransaction = <T>(fn: (trx: Transaction<DB>) => Promise<T>) => h.deps.database.db.transaction().execute(fn);

/** The traders of claimed jobs' pay-ins. */
async function tradersOf(jobs: readonly ClaimedJobRow[]): Promise<Set<string>> {
  const ids = jobs.map((j) => (j.payload as { payinId: string }).payinId);
  if (ids.length === 0) return new Set();
  const rows = await h.deps.database.db.selectFrom("trading_payins").select("trader_id").where("id", "in", ids).execute();
  return new Set(rows.map((r) => r.trader_id));
}

/** `perTrader` due pay-ins of each trader of the fixture (created until each has them; the rest expire at once). */
async function duePayinsOfEachTrader(perTrader: number, firstAmount: number): Promise<string[]> {
  await drainWorker(h.deps);
  const ids: string[] = [];
  const count = new Map<string, number>(fx.traders.map((t) => [t.traderId, 0]));
  const db = h.deps.database.db;
  for (let i = 0; [...count.values()].some((n) => n < perTrader); i++) {
    assert.ok(i < 10 * perTrader * fx.traders.length, "the creates reach every trader");
    const { id } = await createPayinOverHttp(h.app, fx.merchant.apiKey, firstAmount + i * 10);
    const { trader_id } = await db.selectFrom("trading_payins").select("trader_id").where("id", "=", id).executeTakeFirstOrThrow();
    count.set(trader_id, count.get(trader_id)! + 1);
    ids.push(id);
  }
  h.clock.advance(WINDOW_MS + 1);
  return ids;
}

/** Sweeps until nothing is due (after claims that were never followed up: their leases run out first). */
async function sweepAll(ids: string[], claimedBefore: readonly ClaimedJobRow[]): Promise<void> {
  h.clock.advance(JOB_LEASE_MS + 1);
  while ((await sweep("worker-z")) > 0);
  const again = new Set(claimedBefore.map((j) => (j.payload as { payinId: string }).payinId));
  for (const [list, attempts] of [[ids.filter((id) => again.has(id)), 2], [ids.filter((id) => !again.has(id)), 1]] as const) {
    if (list.length > 0) await assertExpiredOnce(list, attempts);
  }
}

// Migration 0086_g: the expiry job's group is its pay-in's trader, and a batch takes whole groups no
// other batch holds, so two workers' batches share no requisite counter row and no balance row.
test("a batch takes the jobs of traders no other worker's batch holds: the next claim takes another trader, then none", async () => {
  const ids = await duePayinsOfEachTrader(3, 6000);
  const a = await inTransaction((trx) => claimGroups(trx, "worker-a", 2));
  const b = await inTransaction((trx) => claimGroups(trx, "worker-b", 2));
  assert.equal(a.length, 2);
  assert.equal(b.length, 2);
  const [ta, tb] = [await tradersOf(a), await tradersOf(b)];
  assert.equal(ta.size, 1, "worker a's batch is one trader's");
  assert.equal(tb.size, 1, "worker b's batch is one trader's");
  assert.notDeepEqual(ta, tb, "and another trader's than worker a's");
  assert.deepEqual(await inTransaction((trx) => claimGroups(trx, "worker-c", 2)), [], "both traders are held: nothing for a third worker");
  const pending = await h.deps.database.db.selectFrom("jobs").select("id").where("kind", "=", KIND).where("status", "=", "pending").where("due_at", "<=", h.clock.now()).execute();
  assert.ok(pending.length >= 2, "though due jobs of both traders are left");
  await sweepAll(ids, [...a, ...b]);
  await verifyLedgerClean(h.deps);
});

test("a batch with room takes the next free trader too, whole", async () => {
  const ids = await duePayinsOfEachTrader(2, 6500);
  const all = await inTransaction((trx) => claimGroups(trx, "worker-a", 500));
  assert.equal(all.length, ids.length, "both traders' jobs in one batch");
  assert.deepEqual(await inTransaction((trx) => claimGroups(trx, "worker-b", 500)), []);
  await sweepAll(ids, all);
});

// Two claims at once: the second waits on the first's advisory lock, then reads its leases and takes
// the other trader. Without the lock it would read the first's jobs as still pending, pick the same
// trader and take the rest of its jobs (SKIP LOCKED), so both batches would meet on its rows.
test("a claim made while another is in progress waits for it, then takes another trader", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  const ids = await duePayinsOfEachTrader(3, 7500);
  let second: Promise<ClaimedJobRow[]> | undefined;
  const first = await inTransaction(async (trx) => {
    const claimed = await claimGroups(trx, "worker-a", 2);
    let done = false;
    second = inTransaction((t) => claimGroups(t, "worker-b", 2)).finally(() => (done = true));
    let waiting: string[] = [];
    while (!done && waiting.length === 0) waiting = await lockWaiters();
    assert.equal(waiting.length, 1, "the second claim waits");
    assert.match(waiting[0]!, /pg_advisory_xact_lock/);
    // Time passes while it waits (less than a lease, so the first's jobs stay held).
    h.clock.advance(30_000);
    return claimed;
  });
  const other = await second!;
  assert.equal(other.length, 2);
  const leases = await h.deps.database.db.selectFrom("jobs").select("lease_until").where("id", "in", other.map((j) => j.id)).execute();
  assert.deepEqual(
    leases.map((l) => l.lease_until?.getTime()),
    other.map(() => h.clock.now().getTime() + JOB_LEASE_MS),
    "the waiting claim's leases start when it got the lock, not when it began waiting",
  );
  const [ta, tb] = [await tradersOf(first), await tradersOf(other)];
  assert.equal(ta.size, 1);
  assert.equal(tb.size, 1);
  assert.notDeepEqual(ta, tb, "the second claim takes the other trader");
  await sweepAll(ids, [...first, ...other]);
});

// A claimer stalled while holding the lock (paused process, lost network) must not stall the others.
test("a claim waiting on another's lock gives up after its bound: the sweep claims nothing this round and goes on", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  const ids = await duePayinsOfEachTrader(2, 7800);
  const first = await inTransaction(async (trx) => {
    const claimed = await claimGroups(trx, "worker-a", 2);
    assert.equal(await sweep("worker-b"), 0, "the lock held past the bound: nothing claimed, no error");
    return claimed;
  });
  // A trader may have more than 2 (the creates go on until each has 2): the held one's are left out.
  const [held] = [...(await tradersOf(first))];
  const others = await h.deps.database.db.selectFrom("trading_payins").select("id").where("id", "in", ids).where("trader_id", "<>", held!).execute();
  assert.equal(await sweep("worker-b"), others.length, "the next round claims the other trader's jobs");
  await sweepAll(ids, first);
});

// A claim outside the groups (claimDueJobs) holding the oldest free trader's due jobs locked: the
// group claim cannot take them (SKIP LOCKED) and must go on to the next trader in the same round.
test("a batch passes over a trader whose due jobs another transaction holds locked and takes the next one", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  const ids = await duePayinsOfEachTrader(2, 8200);
  let claimed: ClaimedJobRow[] = [];
  let held = "";
  await inTransaction(async (outside) => {
    const locked = await sql<{ group_key: string }>`
      SELECT group_key FROM jobs
      WHERE kind = ${KIND} AND status = 'pending'
        AND group_key = (SELECT group_key FROM jobs WHERE kind = ${KIND} AND status = 'pending' ORDER BY due_at LIMIT 1)
      FOR UPDATE`.execute(outside);
    assert.ok(locked.rows.length >= 2, "the oldest due trader's jobs are held");
    held = locked.rows[0]!.group_key;
    claimed = await inTransaction((trx) => claimGroups(trx, "worker-b", 500));
  });
  assert.ok(claimed.length >= 2, "the other trader's jobs are claimed in the same round");
  assert.deepEqual([...(await tradersOf(claimed))], [fx.traders.map((t) => t.traderId).find((id) => id !== held)], "the other trader's only");
  await sweepAll(ids, claimed);
});

test("the worker's job dispatcher leaves due expiries to the sweep, which takes them in one batch", async () => {
  const ids = await duePayins(3, 7000);
  const dispatcher = workerTasks(jobHandlers).find((t) => t.name === "dispatch-jobs")!;
  assert.equal(await dispatcher.runOnce(h.deps), 0, "no expiry job taken one by one");
  assert.equal(await sweep("worker-a"), 3);
  await assertExpiredOnce(ids, 1);
});

test("a worker killed after its claim: the jobs wait out its lease, then another worker expires them once", async () => {
  const before = await deposits();
  const ids = await duePayins(5, 8500);
  assert.equal(await claimAndDie(), 5);

  assert.equal(await sweep("worker-b"), 0, "the jobs are leased to the killed worker");
  h.clock.advance(JOB_LEASE_MS + 1);
  assert.equal(await sweep("worker-b"), 5, "its lease over, they are claimed again");

  await assertExpiredOnce(ids, 2);
  assert.deepEqual(await deposits(), before);
  await verifyLedgerClean(h.deps);
});

test("a worker killed after its batch committed, before recording its jobs: the next worker records them, doing nothing twice", async () => {
  const before = await deposits();
  const ids = await duePayins(5, 9000);
  assert.equal(await claimAndDie(), 5);
  await expireTradingPayins(h.deps, ids); // the killed worker's batch transaction, committed

  h.clock.advance(JOB_LEASE_MS + 1);
  assert.equal(await sweep("worker-b"), 5);
  await assertExpiredOnce(ids, 2);
  assert.deepEqual(await deposits(), before, "the holds released once, not twice");
  await verifyLedgerClean(h.deps);
});

/** The ledger account of the deposit of a pay-in's trader. */
async function depositOf(payinId: string): Promise<string> {
  const db = h.deps.database.db;
  const p = await db.selectFrom("trading_payins").select("trader_id").where("id", "=", payinId).executeTakeFirstOrThrow();
  const deposit = await db
    .selectFrom("ledger_accounts")
    .select("id")
    .where("owner", "=", `trader:${p.trader_id}`)
    .where("purpose", "=", "trader_deposit")
    .executeTakeFirstOrThrow();
  return deposit.id;
}

/** A create's insert in `trx`, next to `payinId` (same requisite and day, another amount): its trigger takes the day-volume counter a create takes. */
async function createsInsert(trx: Transaction<DB>, payinId: string): Promise<void> {
  await sql`
    INSERT INTO trading_payins
    SELECT (jsonb_populate_record(NULL::trading_payins, to_jsonb(p) || jsonb_build_object(
      'id', gen_random_uuid(), 'fiat_amount_minor', p.fiat_amount_minor + 1, 'external_transaction_id', NULL))).*
    FROM trading_payins p WHERE p.id = ${payinId}`.execute(trx);
}

/**
 * The statements of this database's sessions waiting on a row or advisory lock. Not the lock every
 * committing NOTIFY takes on the cluster's notification queue (wait event "object"): a commit of this
 * database can wait there a moment behind another database's, which says nothing of what these tests
 * hold.
 */
async function lockWaiters(): Promise<string[]> {
  const r = await sql<{ query: string }>`
    SELECT query FROM pg_stat_activity
    WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple', 'advisory')`.execute(h.deps.database.db);
  return r.rows.map((x) => x.query);
}

/** Rolls back the transaction that mimicked a create (it never held a ledger hold). */
class CreateRolledBack extends Error {}
async function asCreate(body: (trx: Transaction<DB>) => Promise<void>): Promise<void> {
  await h.deps.database.db
    .transaction()
    .execute(async (trx) => {
      await body(trx);
      throw new CreateRolledBack();
    })
    .catch((err: unknown) => {
      if (!(err instanceof CreateRolledBack)) throw err;
    });
}

// A create holds its requisite's day-volume counter from its insert to its commit. The batch's status
// update changes the same requisites' volume, in the counters' other part (migration 0080_e), so it
// does not wait for the create: with one counter row per day it waited 0.6-1.8 s a batch under load.
test("a create holding its requisite's day-volume counter does not hold up a batch on that requisite", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  const ids = await duePayins(4, 9500);
  await asCreate(async (trx) => {
    await createsInsert(trx, ids[0]!);
    let done = false;
    const swept = sweep("worker-a").finally(() => (done = true));
    while (!done) assert.deepEqual(await lockWaiters(), [], "the batch waits on no lock the create holds");
    assert.equal(await swept, 4);
  });
  await assertExpiredOnce(ids, 1);
  await verifyLedgerClean(h.deps);
});

// The batch's last step voids holds, locking the traders' balance rows, which a create takes last (its
// hold): the batch waits there holding no row the create will want, so the two never deadlock.
test("a create holding its counter, then its trader's deposit: the batch waits at the deposit only, and runs whole", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  const ids = await duePayins(4, 9600);
  const depositId = await depositOf(ids[0]!);
  let swept: Promise<number> | undefined;
  await asCreate(async (trx) => {
    await createsInsert(trx, ids[0]!);
    await sql`SELECT posted FROM ledger_account_balances WHERE account_id = ${depositId} FOR UPDATE`.execute(trx);
    swept = sweep("worker-a");
    let waiting: string[] = [];
    while (waiting.length === 0) waiting = await lockWaiters();
    assert.equal(waiting.length, 1);
    assert.match(waiting[0]!, /ledger_account_balances/, `the batch waits at the balance rows, not at the counters: ${JSON.stringify(waiting)}`);
  });
  assert.equal(await swept, 4);
  assert.doesNotMatch(h.logs.text, /job batch failed/, "the batch ran whole, not one by one after an error");
  await assertExpiredOnce(ids, 1);
  await verifyLedgerClean(h.deps);
});

// Paying takes the same order as a batch: the status write (its triggers take the requisite's
// counters, 0078_p and 0080_e) before the ledger (the trader's balance rows). Here a batch has
// canceled a pay-in of the same requisite and holds its counters; the trader's confirmation of
// another pay-in waits at its status write holding no balance row, so the batch then takes the
// balance rows at once. Posting first (the order before) deadlocked exactly here.
test("a pay-in confirmed while a batch holds its requisite's counters waits there, holding no balance row", { skip: !usePostgres() && "needs two PostgreSQL sessions" }, async () => {
  await drainWorker(h.deps);
  const paid = await createPayinOverHttp(h.app, fx.merchant.apiKey, 9700);
  const db = h.deps.database.db;
  const { trader_id: traderId } = await db.selectFrom("trading_payins").select("trader_id").where("id", "=", paid.id).executeTakeFirstOrThrow();
  let confirmed: ReturnType<typeof traderConfirmPayin> | undefined;
  await asCreate(async (trx) => {
    // The batch's state between its status update and its void: a pay-in of the same requisite canceled.
    const other = crypto.randomUUID();
    await sql`
      INSERT INTO trading_payins
      SELECT (jsonb_populate_record(NULL::trading_payins, to_jsonb(p) || jsonb_build_object(
        'id', ${other}::uuid, 'fiat_amount_minor', p.fiat_amount_minor + 1, 'external_transaction_id', NULL,
        'hold_transfer_id', 'trading:' || ${other} || ':hold'))).*
      FROM trading_payins p WHERE p.id = ${paid.id}`.execute(trx);
    await sql`UPDATE trading_payins SET status = 'canceled' WHERE id = ${other}`.execute(trx);
    confirmed = traderConfirmPayin(h.deps, traderId, paid.id);
    let waiting: string[] = [];
    while (waiting.length === 0) waiting = await lockWaiters();
    assert.equal(waiting.length, 1);
    assert.match(waiting[0]!, /update "trading_payins"/i, "the confirmation waits at its status write");
    // The batch's void: the trader's balance rows, free because the confirmation has not posted yet.
    await sql`SELECT b.posted FROM ledger_account_balances b JOIN ledger_accounts a ON a.id = b.account_id
      WHERE a.owner = ${`trader:${traderId}`} FOR UPDATE`.execute(trx);
  });
  assert.equal((await confirmed)!.status, "closed");
  await verifyLedgerClean(h.deps);
});
