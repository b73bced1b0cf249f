// The batched trading create (src/app/trading/create-batch.ts) racing other writers on PostgreSQL:
//  - two app instances on one database, each with its own pool and so its own write batcher, whose
//    batches contend for the same few requisites and trader deposits: every slot distinct, no deposit
//    overdrawn, escrow = the active pay-ins' crypto, and every create answered 201 or refused for
//    capacity (a batch that failed reruns its members one by one: a member the batch would overdraw
//    fails there on its own hold);
//  - a batch on a trader whose earlier pay-ins the expiry sweep expires at the same moment, each
//    holding its first locks before either asks for its next: they share no counter row (migration
//    0080_e), so neither deadlocks the other.
// PostgreSQL only: PGlite runs one transaction at a time.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AliasNode, type Kysely, RawNode, type RootOperationNode, SelectQueryNode, sql, TableNode, UpdateQueryNode } from "kysely";
import { getBalance, postTransfer } from "../../src/app/ledger/ledger.js";
import { computeTradingAmounts } from "../../src/app/trading/amounts.js";
import { createInBatch, runBatch } from "../../src/app/trading/create-batch.js";
import { traderDeposit } from "../../src/app/trading/ledger-postings.js";
import { connectPostgres } from "../../src/db/connect.js";
import type { DB } from "../../src/db/schema.js";
import { buildApp } from "../../src/http/build-app.js";
import { sweepTradingExpiries } from "../../src/jobs/trading-payin-expire.js";
import { AfterEachQuery } from "../support/after-query.js";
import { createHarness } from "../support/harness.js";
import { usePostgres } from "../support/test-db.js";
import { batchMembers, createPayinOverHttp, setupTrading, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = !usePostgres() && "needs PostgreSQL (two sessions)";
const RATE = "99.12";
const WINDOW_MS = 15 * 60_000;
/** The trader's crypto a 5,000 RUB pay-in holds; the ranges below are answered around their midpoint, 5,000. */
const C5000 = computeTradingAmounts(500_000n, RATE, "0.085").cryptoMinor;

test("two app instances on one database: concurrent creates over both keep every slot distinct and no deposit overdrawn", { skip }, async () => {
  const h = await createHarness({ poolSize: 8, tweak: (deps) => useFixedRate(deps, RATE) });
  // The second instance: its own pool, hence its own write batcher (one per Database).
  const database = connectPostgres({ url: h.testDb.url!, poolSize: 8 });
  const other = await buildApp({ ...h.deps, database });
  try {
    // Each deposit covers 15 holds of about 5,000 and leaves 0.9 of one: enough for the pick's
    // smallest amount (4,000), not for the midpoint a create is given. 2 traders x 2 requisites.
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2, maxOpenPayins: 50, depositMinor: 15n * C5000 + (9n * C5000) / 10n });
    const apps = [h.app, other];
    /** `n` creates at once, alternating between the instances; each answer with the instance that gave it. */
    const burst = async (n: number) => {
      const answers = await Promise.all(
        Array.from({ length: n }, (_, k) =>
          apps[k % 2]!.inject({
            method: "POST",
            url: "/payment/trading/pay-in",
            headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
            payload: JSON.stringify({ fiatAmountRange: { min: 4000, max: 6000 } }),
          }),
        ),
      );
      for (const r of answers) assert.ok(r.statusCode === 201 || (r.statusCode === 403 && r.json().code === "no_requisite_available"), `${r.statusCode} ${r.body}`);
      return answers.flatMap((r, k) => (r.statusCode === 201 ? [{ app: k % 2, id: (r.json() as { id: string }).id }] : []));
    };
    const created = await burst(48);
    // 24 creates per instance cannot use up 30 holds: the other instance's first create finds room.
    assert.equal(created.length, 30, "15 holds per trader, none refused while a deposit had room");
    assert.deepEqual(new Set(created.map((c) => c.app)), new Set([0, 1]), "both instances created pay-ins");
    // Each trader is left 0.9 of a hold: its requisites still pass the pick (the smallest amount
    // fits), so the batches themselves must leave every create to the single path's refusal.
    assert.deepEqual(await burst(8), [], "no create once the deposits are spent");

    const active = await h.deps.database.db
      .selectFrom("trading_payins")
      .select(["id", "trader_id", "requisite_id", "fiat_amount_minor", "crypto_amount_minor"])
      .where("status", "=", "active")
      .execute();
    assert.deepEqual(new Set(active.map((p) => p.id)), new Set(created.map((c) => c.id)), "each 201 is one active pay-in");
    assert.equal(new Set(active.map((p) => `${p.requisite_id}:${p.fiat_amount_minor}`)).size, active.length, "no (requisite, amount) slot given twice");
    for (const t of fx.traders) {
      const deposit = await getBalance(h.deps.database.db, traderDeposit(t.traderId));
      const escrow = await getBalance(h.deps.database.db, { ...traderDeposit(t.traderId), purpose: "trader_escrow" });
      assert.ok(deposit.available >= 0n, `trader deposit overdrawn: ${deposit.available}`);
      const held = active.filter((p) => p.trader_id === t.traderId).reduce((sum, p) => sum + BigInt(p.crypto_amount_minor), 0n);
      assert.equal(deposit.pendingDebits, held, "the deposit holds the trader's active pay-ins' crypto");
      assert.equal(escrow.pendingCredits, held, "escrow = the trader's active pay-ins' crypto");
    }
    await verifyLedgerClean(h.deps);
  } finally {
    await other.close();
    await database.close();
    await h.close();
  }
});

/** The name of the table a query node writes or first reads. */
function tableOf(node: RootOperationNode): string | undefined {
  const from = UpdateQueryNode.is(node) ? node.table : SelectQueryNode.is(node) ? node.from?.froms[0] : undefined;
  const table = from && AliasNode.is(from) ? from.node : from;
  return table && TableNode.is(table) ? table.table.identifier.name : undefined;
}

/**
 * A handle on `db` whose first query that `at` matches holds its transaction right after it, with the
 * locks it took, until `go()`.
 */
function holdAfter(db: Kysely<DB>, at: (node: RootOperationNode) => boolean) {
  let held = false;
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  let go!: () => void;
  const released = new Promise<void>((resolve) => (go = resolve));
  const plugin = new AfterEachQuery(async (_n, node) => {
    if (held || !at(node)) return;
    held = true;
    arrived();
    await released;
  });
  return {
    db: db.withPlugin(plugin),
    go,
    /** Resolves once held; rejects if `work` settled first (it never got there). */
    reachedIn: (work: Promise<unknown>) =>
      Promise.race([reached, work.then(() => Promise.reject(new Error("ended before its hold point")), (err: unknown) => Promise.reject(err))]),
  };
}

// The deadlock this guards against: the sweep's status update takes its requisites' counter rows, then
// the void wants the trader's balance rows. The batch's insert takes its requisites' part-0 counter
// rows, then its holds the balance rows: a batch that locked the balance rows before its insert (as it
// once did) with one counter row for both sides (before 0080_e and 0078_p's parts) waited for the
// sweep while the sweep waited for it. Here each holds its locks before either goes on, so a cycle
// forms if one can; with one counter row the batch waits on the held sweep and fails on its timeout.
test("a create batch racing the expiry sweep on one trader: no deadlock, the due pay-ins expire with holds voided, the new ones stay active", { skip }, async () => {
  const h = await createHarness({ poolSize: 6, tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    // One requisite: the new pay-ins land on the requisite (and counters) of the due ones.
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
    const due = [(await createPayinOverHttp(h.app, fx.merchant.apiKey, 5000)).id, (await createPayinOverHttp(h.app, fx.merchant.apiKey, 5010)).id];
    h.clock.advance(WINDOW_MS + 1);
    const range = { kind: "range" as const, minMinor: 400_000n, maxMinor: 600_000n };
    const members = await batchMembers(h.deps, fx, [range, range]);

    // The sweep, held after its status update: the due pay-ins and their requisite's counters locked.
    const sweepHold = holdAfter(h.deps.database.db, (node) => UpdateQueryNode.is(node) && tableOf(node) === "trading_payins");
    const swept = sweepTradingExpiries({ ...h.deps, database: { ...h.deps.database, db: sweepHold.db } }, { workerId: "sweeper" });
    await sweepHold.reachedIn(swept);
    // The batch, held after its holds' statement locked the trader's balance rows (its requisite and
    // counters locked before them).
    const batchHold = holdAfter(h.deps.database.db, (node) => RawNode.is(node) && /ledger_account_balances[\s\S]*FOR UPDATE OF b/.test(node.sqlFragments.join("")));
    // A wait for ever (a cycle PostgreSQL did not break) fails on the lock timeout instead of hanging.
    const batched = batchHold.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL lock_timeout = '10s'`.execute(trx);
      return runBatch(trx, members);
    });
    try {
      await batchHold.reachedIn(batched);
    } finally {
      sweepHold.go();
      batchHold.go();
      // Both settled before anything below (or the harness's close) runs, whatever either did.
      await Promise.allSettled([swept, batched]);
    }
    const [expired, outs] = await Promise.all([swept, batched]);

    assert.equal(expired, 2, "the sweep expired both due pay-ins");
    assert.doesNotMatch(h.logs.text, /job batch failed/, "the sweep's batch ran whole, not one by one after an error (a deadlock)");
    assert.deepEqual(outs.map((o) => o.kind), ["created", "created"]);
    const db = h.deps.database.db;
    const rows = await db.selectFrom("trading_payins").select(["id", "status", "hold_state"]).execute();
    const state = new Map(rows.map((r) => [r.id, `${r.status}/${r.hold_state}`]));
    for (const id of due) assert.equal(state.get(id), "canceled/voided", "a due pay-in canceled, its hold voided");
    for (const o of outs) assert.equal(o.kind === "created" && state.get(o.result.payin.id), "active/pending", "a new pay-in active, its crypto held");
    const newCrypto = outs.reduce((sum, o) => sum + (o.kind === "created" ? BigInt(o.result.payin.crypto_amount_minor) : 0n), 0n);
    assert.equal((await getBalance(db, traderDeposit(fx.traders[0]!.traderId))).pendingDebits, newCrypto, "only the new pay-ins' holds remain");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("a batch whose holds a concurrent hold left uncovered after its pick read the deposit rolls back whole; its member takes the single path", { skip }, async () => {
  const h = await createHarness({ poolSize: 6, tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    // Room for one hold and a half: the pick reads room for this member's.
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10, depositMinor: C5000 + C5000 / 2n });
    const deposit = traderDeposit(fx.traders[0]!.traderId);
    const [member] = await batchMembers(h.deps, fx, [{ kind: "exact", amountMinor: 500_000n }]);
    // Right after the batch's pick (its requisite locked, the deposit read but not locked; its insert
    // and holds go next, in one round trip), another session holds one 5,000 pay-in's crypto of the
    // deposit and commits: half a hold is left.
    const plugin = new AfterEachQuery(async (_n, node) => {
      if (!(RawNode.is(node) && node.sqlFragments.join("").includes("FOR UPDATE SKIP LOCKED"))) return;
      const other = { id: "test:concurrent-hold", code: "test_hold", ref: { type: "test", id: "concurrent" }, pending: {} };
      const entries = [{ account: deposit, amountMinor: -C5000 }, { account: { ...deposit, purpose: "trader_escrow" as const }, amountMinor: C5000 }];
      await h.deps.database.db.transaction().execute((trx) => postTransfer(trx, { ...other, entries }, h.clock.now()));
    });
    const out = await createInBatch({ ...h.deps, database: { ...h.deps.database, db: h.deps.database.db.withPlugin(plugin) } }, member!);
    assert.deepEqual(out, { kind: "unplaced" }, "the member is answered unplaced (the single path then decides), not insufficient_funds");
    const payins = await h.deps.database.db.selectFrom("trading_payins").select("id").execute();
    assert.deepEqual(payins, [], "nothing of the batch is written");
    assert.equal((await getBalance(h.deps.database.db, deposit)).pendingDebits, C5000, "only the concurrent hold holds the deposit");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
