// The expiry sweep (issue 16): a backlog of due pay-ins is expired in batches, one transaction each,
// with every hold voided (several holds of one trader moving its balance rows once, by their sum),
// one event and one webhook per pay-in, and every job recorded done. A batch that throws falls back to
// the single handler, so one bad job holds back only itself.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { postPending } from "../../src/app/ledger/ledger.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { tradingExpirySweepTask } from "../../src/jobs/trading-payin-expire.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createPayinOverHttp, drainWorker, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
const WINDOW_MS = 15 * 60_000;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 3, settings: { webhookUrl: "https://merchant.example/hooks" } });
});
after(async () => {
  await h?.close();
});

async function createPayins(amounts: number[]): Promise<string[]> {
  const ids: string[] = [];
  for (const fiatAmount of amounts) ids.push((await createPayinOverHttp(h.app, fx.merchant.apiKey, fiatAmount)).id);
  return ids;
}

const deposits = () => Promise.all(fx.traders.map(async (t) => (await traderDepositBalance(h.deps, t.traderId)).available));

async function jobsOf(ids: string[]) {
  return h.deps.database.db
    .selectFrom("jobs")
    .select(["status", "attempts", "last_error", "payload"])
    .where("kind", "=", "trading.payin_expire")
    .execute()
    .then((rows) => rows.filter((r) => ids.includes((r.payload as { payinId: string }).payinId)));
}

test("a backlog of due pay-ins: one sweep expires them all, holds voided per trader, an event and a webhook each", async () => {
  await drainWorker(h.deps);
  const before = await deposits();
  const ids = await createPayins(Array.from({ length: 30 }, (_, i) => 5000 + i * 10));
  const held = await deposits();
  assert.ok(held.every((d, i) => d < before[i]!), "each trader's deposit holds crypto for its pay-ins");
  const webhooksBefore = await h.deps.database.db.selectFrom("webhook_messages").select("ordering_key").where("ordering_key", "in", ids).execute();

  assert.equal(await tradingExpirySweepTask.runOnce(h.deps), 0, "nothing is due before the window ends");
  h.clock.advance(WINDOW_MS + 1);
  assert.equal(await tradingExpirySweepTask.runOnce(h.deps), 30, "one batch takes the whole backlog");

  const rows = await h.deps.database.db.selectFrom("trading_payins").select(["id", "status", "hold_state"]).where("id", "in", ids).execute();
  assert.deepEqual(new Set(rows.map((r) => `${r.status}/${r.hold_state}`)), new Set(["canceled/voided"]));
  const events = await h.deps.database.db
    .selectFrom("trading_payin_events")
    .select(["from_status", "actor", "data"])
    .where("payin_id", "in", ids)
    .where("to_status", "=", "canceled")
    .execute();
  assert.equal(events.length, 30);
  assert.ok(events.every((e) => e.from_status === "active" && e.actor === "system" && (e.data as { action: string }).action === "expire"));
  const webhooks = await h.deps.database.db.selectFrom("webhook_messages").select(["ordering_key", "body"]).where("ordering_key", "in", ids).execute();
  assert.equal(webhooks.length - webhooksBefore.length, 30, "one webhook per expired pay-in");
  assert.equal(webhooks.filter((w) => JSON.parse(w.body!).status === "canceled").length, 30, "the dialect shows an expiry as canceled");
  assert.deepEqual(new Set((await jobsOf(ids)).map((j) => j.status)), new Set(["done"]));
  assert.deepEqual(await deposits(), before, "every hold released back to its trader's deposit");
  assert.equal(await tradingExpirySweepTask.runOnce(h.deps), 0, "and nothing is left to sweep");
  await verifyLedgerClean(h.deps);
});

test("a batch that throws runs its jobs one by one: the others expire, the bad one is retried", async () => {
  await drainWorker(h.deps);
  const [bad, ...good] = await createPayins([7000, 7010, 7020]);
  // A hold posted behind the pay-in's back cannot be voided: the batch's ledger pass refuses it.
  await h.deps.database.db.transaction().execute((trx) => postPending(trx, `trading:${bad}:hold`, h.clock.now()));
  h.clock.advance(WINDOW_MS + 1);

  assert.equal(await tradingExpirySweepTask.runOnce(h.deps), 3);
  const status = async (id: string) =>
    (await h.deps.database.db.selectFrom("trading_payins").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
  for (const id of good) assert.equal(await status(id), "canceled");
  assert.equal(await status(bad!), "active", "the pay-in whose hold could not be voided is left as it was");
  const [job] = await jobsOf([bad!]);
  assert.equal(job!.status, "pending", "retried later");
  assert.match(job!.last_error ?? "", /posted/);
  assert.deepEqual(new Set((await jobsOf(good)).map((j) => j.status)), new Set(["done"]));
});
