// Bank transfers that reach a trading pay-in already closed. The first transfer of a pay-in its trader
// confirmed by hand is that pay-in's payment (recorded, nothing booked twice); any further transfer on
// the slot is a second payment: the pay-in keeps its status, amounts and ledger, the event is recorded
// on it, the operator sees it going back to the payer, and no webhook fires. The sandbox feed only
// pays the pay-ins of the merchant whose key it is given.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { returnedTransfers } from "../../src/app/bank-transfers/transfer-queues.js";
import { merchantCryptoBalance } from "../../src/app/trading/ledger-postings.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { drainWorker, setupTrading, startWebhookReceiver, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let other: MerchantFixture;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  hooks = await startWebhookReceiver(() => fx.merchant.apiKey);
  fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, depositMinor: 1_000_000_000_000n, settings: { webhookUrl: hooks.url } });
  other = await createMerchant(h.deps);
});
after(async () => {
  await hooks.close();
  await h.close();
});

interface Payin {
  id: string;
  requisite: { id: string };
}

async function create(amount: number): Promise<Payin> {
  const r = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: amount });
  assert.equal(r.status, 201, r.text);
  return r.json as Payin;
}

const feed = (body: Record<string, unknown>, apiKey = fx.merchant.apiKey) => sandboxTransfer(h.app, { apiKey }, body);
const read = async (id: string) => (await jsonCall(h.app, "GET", `/payment/trading/${id}`, { "x-api-key": fx.merchant.apiKey })).json;

async function webhooksOf(id: string): Promise<string[]> {
  await drainWorker(h.deps);
  return hooks.received.filter((w) => w.json.id === id).map((w) => String(w.json.status));
}

async function eventActions(id: string): Promise<string[]> {
  const rows = await h.deps.database.db.selectFrom("trading_payin_events").select("data").where("payin_id", "=", id).orderBy("id").execute();
  return rows.map((r) => String((r.data as { action?: string }).action ?? "create"));
}

test("confirmed by the trader, then reported by the bank: the transfer is its payment; a second one goes back", async () => {
  const p = await create(7100);
  const confirm = await jsonCall(h.app, "POST", `/trader/v1/pay-ins/${p.id}/confirm`, { "x-trader-key": fx.traders[0]!.traderKey });
  assert.equal(confirm.status, 200, confirm.text);
  const credited = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const closed = await read(p.id);

  const reported = await feed({ requisiteId: p.requisite.id, amount: 7100 });
  assert.deepEqual([reported.json.outcome, reported.json.tradingPayinId], ["paid", p.id]);
  const second = await feed({ requisiteId: p.requisite.id, amount: "7100.00" });
  assert.deepEqual([second.json.outcome, second.json.tradingPayinId], ["duplicate_payment", p.id]);
  assert.match(second.json.reason ?? "", /trader returns it/);

  assert.deepEqual(await read(p.id), closed, "the closed pay-in is unchanged");
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), credited, "credited once");
  assert.deepEqual(await webhooksOf(p.id), ["closed"], "one webhook: no status changed after the close");
  assert.deepEqual(await eventActions(p.id), ["create", "pay", "payment_reported", "duplicate_payment"]);
  assert.ok((await returnedTransfers(h.deps)).some((t) => t.id === second.json.transferId && t.trading_payin_id === p.id));
  await verifyLedgerClean(h.deps);
});

test("closed by the bank feed: the same payment made twice is a second payment, the pay-in stays closed", async () => {
  const p = await create(7200);
  const first = await feed({ requisiteId: p.requisite.id, amount: 7200 });
  assert.equal(first.json.outcome, "paid");
  const closed = await read(p.id);
  const again = await feed({ requisiteId: p.requisite.id, amount: 7200 });
  assert.equal(again.json.outcome, "duplicate_payment");
  assert.deepEqual(await read(p.id), closed);
  assert.deepEqual(await webhooksOf(p.id), ["closed"]);
  await verifyLedgerClean(h.deps);
});

test("a redelivered bank transaction id changes nothing and answers what it matched the first time", async () => {
  const p = await create(7300);
  const body = { requisiteId: p.requisite.id, amount: 7300, externalId: `redelivered-${p.id}` };
  const first = await feed(body);
  const again = await feed(body);
  assert.deepEqual([again.json.duplicate, again.json.transferId, again.json.outcome], [true, first.json.transferId, "paid"]);
  assert.deepEqual(await eventActions(p.id), ["create", "pay"]);
});

test("another merchant's key cannot pay this merchant's pay-in (404, nothing recorded)", async () => {
  const p = await create(7400);
  const body = { requisiteId: p.requisite.id, amount: 7400, externalId: `foreign-${p.id}` };
  const foreign = await feed(body, other.apiKey);
  assert.equal(foreign.status, 404, foreign.text);
  assert.equal((await read(p.id)).status, "active");
  assert.equal((await feed(body)).json.outcome, "paid", "the transfer id is still free");
  const unknown = await feed({ requisiteId: "00000000-0000-4000-8000-00000000dead", amount: 1 });
  assert.equal(unknown.status, 404);
});
