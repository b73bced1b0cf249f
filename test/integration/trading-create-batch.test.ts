// The batched trading create (src/app/trading/create-batch.ts, issue 16): a batch gives its members
// slots among the requisites it locked, in Node, so every rule the single create checks under its lock
// must hold between members of one batch. Each test runs one batch directly (runBatch in a
// transaction) with two members that compete for one requisite or one trader's deposit: the first is
// placed, the second must be left "unplaced" (it then takes the single path), and each fails without
// its guard (a slot given twice, a requisite past its maximum or its volume, a deposit overdrawn).
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import type { AmountRequest } from "../../src/core/trading/allocation.js";
import type { Deps } from "../../src/app/deps.js";
import { computeTradingAmounts } from "../../src/app/trading/amounts.js";
import { postTransfer, transfersNotWritten } from "../../src/app/ledger/ledger.js";
import { type BatchCreate, type BatchOutcome, createInBatch, runBatch } from "../../src/app/trading/create-batch.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { createHarness, type Harness } from "../support/harness.js";
import { followChannel } from "../support/notifications.js";
import { usePostgres } from "../support/test-db.js";
import { batchMembers, createPayinOverHttp, setupTrading, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const RATE = "99.12";

const exact = (units: number): AmountRequest => ({ kind: "exact", amountMinor: BigInt(units * 100) });
const range = (min: number, max: number): AmountRequest => ({ kind: "range", minMinor: BigInt(min * 100), maxMinor: BigInt(max * 100) });

async function batch(deps: Deps, list: BatchCreate[]): Promise<BatchOutcome[]> {
  return deps.database.db.transaction().execute((trx) => runBatch(trx, list));
}

function placedOn(out: BatchOutcome): { requisite: string; amount: string } {
  assert.equal(out.kind, "created");
  const r = (out as Extract<BatchOutcome, { kind: "created" }>).result;
  return { requisite: r.payin.requisite_id, amount: r.payin.fiat_amount_minor };
}

async function activeSlots(deps: Deps) {
  return (await sql<{ requisite_id: string; fiat_amount_minor: string }>`
    SELECT requisite_id, fiat_amount_minor FROM trading_payins WHERE status = 'active' ORDER BY created_at, id`.execute(deps.database.db)).rows;
}

/** Sets the requisites' least-recently-used order to the order given (a minute apart, the first the least recently used). */
async function inTurnOrder(deps: Deps, ids: readonly string[]): Promise<void> {
  for (const [k, id] of ids.entries()) {
    await deps.database.db.updateTable("trading_requisites").set({ last_assigned_at: new Date(Date.now() - (ids.length - k) * 60_000) }).where("id", "=", id).execute();
  }
}

test("one batch never gives a (requisite, amount) slot twice: the second member of one exact amount is left to the single path", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, [exact(5000), exact(5000), range(4999, 5001)]));
    assert.deepEqual(placedOn(outs[0]!), { requisite: fx.requisiteIds[0], amount: "500000" });
    assert.equal(outs[1]!.kind, "unplaced");
    // The range takes the next free amount on the same requisite, not the one the first member took.
    assert.deepEqual(placedOn(outs[2]!), { requisite: fx.requisiteIds[0], amount: "499900" });
    assert.equal((await activeSlots(h.deps)).length, 2);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("members of one batch asking several amount ranges each see the amounts taken inside their own range", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
    // Each range's nearest amount to its middle (the lower of a tie) taken already.
    await batch(h.deps, await batchMembers(h.deps, fx, [exact(4999), exact(7999)]));
    // One pick reads the taken amounts of both ranges at once (requisites.ts usageColumns, one
    // multirange): a read that missed either taken amount would give it again and fail the batch whole.
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, [range(4999, 5000), range(7999, 8000)]));
    assert.deepEqual(outs.map(placedOn), [
      { requisite: fx.requisiteIds[0], amount: "500000" },
      { requisite: fx.requisiteIds[0], amount: "800000" },
    ]);
    assert.equal((await activeSlots(h.deps)).length, 4);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("one batch keeps a requisite's max_open_payins: two members on a requisite of one open pay-in, one placed", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 1 });
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, [range(4000, 6000), range(4000, 6000)]));
    assert.equal(placedOn(outs[0]!).requisite, fx.requisiteIds[0]);
    assert.equal(outs[1]!.kind, "unplaced");
    assert.equal((await activeSlots(h.deps)).length, 1);
  } finally {
    await h.close();
  }
});

test("one batch keeps a requisite's daily and monthly volume: the second member would pass the limit and is left out", async () => {
  for (const column of ["daily_volume_limit_minor", "monthly_volume_limit_minor"] as const) {
    const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
    try {
      const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
      // Room for 5,000 and then 4,000, not 4,001.
      await h.deps.database.db.updateTable("trading_requisites").set({ [column]: "900000" }).where("id", "=", fx.requisiteIds[0]!).execute();
      const outs = await batch(h.deps, await batchMembers(h.deps, fx, [exact(5000), exact(4001)]));
      assert.equal(placedOn(outs[0]!).amount, "500000", column);
      assert.equal(outs[1]!.kind, "unplaced", column);
    } finally {
      await h.close();
    }
  }
});

test("one batch never holds more than a trader's deposit: two members over its two requisites, the deposit covers one hold", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const one = computeTradingAmounts(500_000n, RATE, "0.085").cryptoMinor;
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, maxOpenPayins: 10, depositMinor: one + one / 2n });
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, [exact(5000), exact(5000)]));
    assert.equal(placedOn(outs[0]!).amount, "500000");
    assert.equal(outs[1]!.kind, "unplaced");
    const deposit = await traderDepositBalance(h.deps, fx.traders[0]!.traderId);
    assert.equal(deposit.pendingDebits, one);
    assert.ok(deposit.available >= 0n);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("members of one batch each get their own answer, and several holds of one trader book in one statement that balances", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2, maxOpenPayins: 10 });
    const amounts = [exact(5000), exact(5000), exact(5000), exact(5000), exact(5000)];
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, amounts));
    // Four requisites, one exact amount: four placed, each on its own requisite, the fifth left out.
    const placed = outs.filter((o) => o.kind === "created").map(placedOn);
    assert.equal(placed.length, 4);
    assert.equal(new Set(placed.map((p) => p.requisite)).size, 4);
    assert.equal(outs[4]!.kind, "unplaced");
    const ids = outs.flatMap((o) => (o.kind === "created" ? [o.result.payin.id] : []));
    assert.equal(new Set(ids).size, 4, "each member answers its own pay-in");
    const held = (await sql<{ n: string }>`SELECT count(*) AS n FROM ledger_transfers WHERE id = ANY(${ids.map((id) => `trading:${id}:hold`)})`.execute(h.deps.database.db)).rows[0]!;
    assert.equal(held.n, "4");
    const events = (await sql<{ n: string }>`SELECT count(*) AS n FROM trading_payin_events WHERE payin_id = ANY(${ids}::uuid[])`.execute(h.deps.database.db)).rows[0]!;
    assert.equal(events.n, "4");
    const jobs = (await sql<{ n: string }>`SELECT count(*) AS n FROM jobs WHERE key = ANY(${ids.map((id) => `trading.payin_expire:${id}`)})`.execute(h.deps.database.db)).rows[0]!;
    assert.equal(jobs.n, "4");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("a batch's insert tells each trader's cabinet once: every trader given a pay-in is announced on trading_payin_changed", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  const cabinet = await followChannel(h.deps.database, "trading_payin_changed");
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2, maxOpenPayins: 10 });
    const traders = fx.traders.map((t) => t.traderId);
    const announced = Promise.all(traders.map((id) => cabinet.announced(id)));
    const outs = await batch(h.deps, await batchMembers(h.deps, fx, [exact(5000), exact(5000), exact(5000), exact(5000)]));
    assert.equal(outs.filter((o) => o.kind === "created").length, 4);
    await announced;
    // Four pay-ins over two traders, written by one statement: one notification per trader.
    for (const id of traders) assert.equal(cabinet.count(id), 1, `trader ${id}`);
  } finally {
    await cabinet.stop();
    await h.close();
  }
});

test("a repeat of a member's externalTransactionId in one batch is left to the single path instead of failing the batch", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, maxOpenPayins: 10 });
    const twice = await batchMembers(h.deps, fx, [exact(5000), exact(5001)], { externalTransactionId: "ext-dup-1" });
    const other = await batchMembers(h.deps, fx, [exact(5002)], { externalTransactionId: "ext-other" });
    const outs = await batch(h.deps, [...twice, ...other]);
    assert.deepEqual(placedOn(outs[0]!).amount, "500000");
    assert.equal(outs[1]!.kind, "unplaced", "the repeat waits for the single path, which answers it as a replay or a conflict");
    assert.deepEqual(placedOn(outs[2]!).amount, "500200", "the other members are written");
    assert.equal((await activeSlots(h.deps)).length, 2);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("members of one batch that ask for different banks each get a requisite of their bank, past less recently used ones of another", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 3, maxOpenPayins: 10 });
    // Two SBER requisites come first in the least-recently-used order, the TBANK one last: a pick that
    // ignored the bank would lock the two SBER ones for this batch of two and place the TBANK member nowhere.
    const [sber1, sber2, tbank] = fx.requisiteIds as [string, string, string];
    await h.deps.database.db.updateTable("trading_requisites").set({ bank_code: "TBANK" }).where("id", "=", tbank).execute();
    await inTurnOrder(h.deps, [sber1, sber2, tbank]);
    const outs = await batch(h.deps, [...(await batchMembers(h.deps, fx, [exact(5000)], null, "TBANK")), ...(await batchMembers(h.deps, fx, [exact(5000)], null, "SBER"))]);
    assert.equal(placedOn(outs[0]!).requisite, tbank);
    assert.ok([sber1, sber2].includes(placedOn(outs[1]!).requisite));
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("a requisite two kinds of ask both lock in one batch keeps its max_open_payins: any bank and its bank, one open pay-in, one placed", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 1 });
    const outs = await batch(h.deps, [...(await batchMembers(h.deps, fx, [exact(5000)])), ...(await batchMembers(h.deps, fx, [exact(5001)], null, "SBER"))]);
    // The bank's ask picks first (the narrower), then the any-bank pick locks the same requisite again.
    assert.equal(placedOn(outs[1]!).requisite, fx.requisiteIds[0]);
    assert.equal(outs[0]!.kind, "unplaced", "the second pick locked the same requisite, whose one open pay-in the first member took");
    assert.equal((await activeSlots(h.deps)).length, 1);
  } finally {
    await h.close();
  }
});

test("a requisite two kinds of ask both lock in one batch keeps the amounts each pick read as taken: the other ask's amount is not given again", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
    assert.equal(placedOn((await batch(h.deps, await batchMembers(h.deps, fx, [exact(6000)])))[0]!).amount, "600000");
    // The bank's pick reads the taken amounts around 5,000 (none), the any-bank pick those around
    // 6,000 (6,000): a batch that kept only the first pick's would give 6,000 again and fail whole.
    const outs = await batch(h.deps, [...(await batchMembers(h.deps, fx, [exact(6000)])), ...(await batchMembers(h.deps, fx, [exact(5000)], null, "SBER"))]);
    assert.equal(outs[0]!.kind, "unplaced", "6,000 is taken on the one requisite");
    assert.deepEqual(placedOn(outs[1]!), { requisite: fx.requisiteIds[0], amount: "500000" });
    assert.equal((await activeSlots(h.deps)).length, 2);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("a broader ask picking after a narrower one in one batch still has room for its own requisites past those the first pick holds", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, maxOpenPayins: 1 });
    const [first, second] = fx.requisiteIds as [string, string];
    await inTurnOrder(h.deps, [first, second]);
    // SBER picks first and takes the least recently used requisite's one open pay-in; the any-bank pick
    // meets that requisite again first, and must still lock the next one for its own member.
    const outs = await batch(h.deps, [...(await batchMembers(h.deps, fx, [exact(5000)])), ...(await batchMembers(h.deps, fx, [exact(5000)], null, "SBER"))]);
    assert.equal(placedOn(outs[1]!).requisite, first);
    assert.equal(placedOn(outs[0]!).requisite, second);
  } finally {
    await h.close();
  }
});

test("a requisite one kind of ask just used in a batch comes after the others for the next kind of ask, as in creates one after another", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, maxOpenPayins: 10 });
    const [first, second] = fx.requisiteIds as [string, string];
    await inTurnOrder(h.deps, [first, second]);
    // SBER picks first and uses the least recently used requisite; the any-bank member, next, must
    // take the other one, as a create after the SBER one would, not stack a second pay-in on it.
    // Another amount, so the slot itself does not send it elsewhere.
    const outs = await batch(h.deps, [...(await batchMembers(h.deps, fx, [exact(5001)])), ...(await batchMembers(h.deps, fx, [exact(5000)], null, "SBER"))]);
    assert.equal(placedOn(outs[1]!).requisite, first);
    assert.equal(placedOn(outs[0]!).requisite, second);
  } finally {
    await h.close();
  }
});

test("a batch runs at most four picks, for its largest kinds of ask: the members of a fifth, smaller one take the single path", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 10 });
    // Five kinds of ask: four of one member (three banks with no requisite, and SBER), any bank with two.
    const asks = await Promise.all(["TBANK", "ALFA", "VTB", "SBER"].map((bank) => batchMembers(h.deps, fx, [exact(5000)], null, bank)));
    const anyBank = await batchMembers(h.deps, fx, [exact(5001), exact(5002)]);
    const outs = await batch(h.deps, [...asks.flat(), ...anyBank]);
    assert.deepEqual(
      outs.map((o) => o.kind),
      ["unplaced", "unplaced", "unplaced", "unplaced", "created", "created"],
      "the two any-bank members are placed; SBER's one, the fifth kind of one member, is left out though the requisite has room",
    );
    assert.deepEqual(outs.slice(4).map((o) => placedOn(o).requisite), [fx.requisiteIds[0], fx.requisiteIds[0]]);
  } finally {
    await h.close();
  }
});

test("two batches racing on one database: the second skips the requisite the first holds locked instead of waiting for it", { skip: !usePostgres() && "needs PostgreSQL (two connections)" }, async () => {
  const h = await createHarness({ poolSize: 4, tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 1, maxOpenPayins: 10 });
    const [a, b] = [await batchMembers(h.deps, fx, [exact(5000)]), await batchMembers(h.deps, fx, [exact(5000)])];
    let releaseA!: () => void;
    const aHolds = new Promise<void>((resolve) => (releaseA = resolve));
    let aPlaced!: () => void;
    const aLocked = new Promise<void>((resolve) => (aPlaced = resolve));
    const first = h.deps.database.db.transaction().execute(async (trx) => {
      const outs = await runBatch(trx, a);
      aPlaced();
      await aHolds; // A keeps its requisite (and its trader's balance rows) locked until B is done.
      return outs;
    });
    await aLocked;
    // A batch that waited for A's requisite would wait for ever: the lock timeout turns that into a failure.
    let second: BatchOutcome[];
    try {
      second = await h.deps.database.db.transaction().execute(async (trx) => {
        await sql`SET LOCAL lock_timeout = '10s'`.execute(trx);
        return runBatch(trx, b);
      });
    } finally {
      releaseA();
      await first.catch(() => undefined); // settled before the harness closes, whatever B did
    }
    const [pa, pb] = [placedOn((await first)[0]!), placedOn(second[0]!)];
    assert.notEqual(pa.requisite, pb.requisite);
    assert.deepEqual(new Set([pa.requisite, pb.requisite]), new Set(fx.requisiteIds));
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("a trader funded without an escrow account (before 0093_l) sends its first batch to the single path, which opens the account; its next batch is placed", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, RATE) });
  try {
    const fx = await setupTrading(h.deps, { traders: 0 });
    const trader = await createTrader(h.deps, "Funded before 0093_l");
    // Funded as before: a posting to the deposit alone (fundTraderDeposit now opens the escrow too).
    const deposit = { owner: `trader:${trader.traderId}`, asset: "USDT", purpose: "trader_deposit" } as const;
    const funding = { owner: "platform", asset: "USDT", purpose: "platform_funding" } as const;
    await h.deps.database.db.transaction().execute((trx) =>
      postTransfer(trx, { id: "test:old-funding", code: "trader_deposit_funding", ref: { type: "trader", id: trader.traderId }, entries: [{ account: funding, amountMinor: -1_000_000_000n }, { account: deposit, amountMinor: 1_000_000_000n }] }, h.clock.now()),
    );
    const requisite = await createRequisite(h.deps, { traderId: trader.traderId, bank: "SBER", method: "card", ownerName: "Owner", number: "2202200012345678", maxOpenPayins: 10 });
    const own = { ...fx, traders: [trader], requisiteIds: [requisite] };
    const escrowOpen = async () => (await h.deps.database.db.selectFrom("ledger_accounts").select("id").where("owner", "=", deposit.owner).where("purpose", "=", "trader_escrow").execute()).length;

    // The batch's holds open no account: their statement fails whole, and writes nothing.
    await assert.rejects(batch(h.deps, await batchMembers(h.deps, own, [exact(5000)])), (err: unknown) => transfersNotWritten(err));
    assert.deepEqual(await activeSlots(h.deps), []);
    // Through the batcher the member is answered unplaced; a create over the API takes the single path.
    assert.deepEqual(await createInBatch(h.deps, (await batchMembers(h.deps, own, [exact(5000)]))[0]!), { kind: "unplaced" });
    assert.equal(await escrowOpen(), 0);
    assert.equal((await createPayinOverHttp(h.app, fx.merchant.apiKey, 5000)).requisite.id, requisite);
    assert.equal(await escrowOpen(), 1, "the single path's hold opened the escrow");
    assert.equal(placedOn((await batch(h.deps, await batchMembers(h.deps, own, [exact(5001)])))[0]!).amount, "500100");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
