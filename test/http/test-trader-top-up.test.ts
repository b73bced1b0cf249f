// Test mode (issue 19) in a live installation: the operator tops up a test trader's deposit through
// POST /admin/v1/trading/traders/{id}/deposit/top-ups from the test platform's funding (play money),
// idempotent by reference; a merchant's test key then gets a trading pay-in on that trader's requisite,
// the trader confirms it, and the live platform's balances never move. A live trader's top-up is still
// 409 deposit_via_chain. The ledger verifies clean after each step.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { jsonCall, type Method } from "../support/json-call.js";
import { platformBalances } from "../support/platform-balances.js";
import { drainWorker, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let operatorKey: string;

before(async () => {
  h = await createHarness({ env: LIVE_ENV, tweak: (deps) => useFixedRate(deps, "99.12") });
  // One live trader with a requisite and a deposit (funded as a chain deposit would): a twin's pay-in must pass it by.
  fx = await setupTrading(h.deps, { traders: 1 });
  operatorKey = await createOperatorKey(h.deps, "test trader top-up");
});
after(async () => {
  await h?.close();
});

const admin = (method: Method, url: string, body?: unknown) => jsonCall(h.app, method, `/admin/v1/trading${url}`, { "x-operator-key": operatorKey }, body);

test("the operator tops up a test trader from test funding; a twin's pay-in lands on it; live platform balances stay put", async () => {
  const made = await admin("POST", "/traders", { name: "QA Trader", test: true });
  assert.equal(made.status, 201, made.text);
  const { traderId, traderKey } = made.json as { traderId: string; traderKey: string };
  const requisite = await admin("POST", `/traders/${traderId}/requisites`, { bank: "SBER", method: "card", ownerName: "Test Owner", number: "2202200077770002" });
  assert.equal(requisite.status, 201, requisite.text);
  const key = await jsonCall(h.app, "POST", "/merchant/v1/keys", { "x-api-key": fx.merchant.apiKey }, { label: "qa", mode: "test" });
  assert.equal(key.status, 201, key.text);
  const testKey = key.json.apiKey as string;
  const payin = (fiatAmount: number) => jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": testKey }, { fiatAmount });

  assert.equal((await payin(5000)).json.code, "no_requisite_available", "unfunded, the test trader takes nothing (and no live trader does)");

  const liveBefore = await platformBalances(h.deps, "platform");
  const testBefore = await platformBalances(h.deps, "platform:test");
  const topUp = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "500", reference: "play-1" });
  assert.equal(topUp.status, 201, topUp.text);
  assert.deepEqual([topUp.json.duplicate, topUp.json.depositAvailable], [false, "500"]);
  const again = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "500", reference: "play-1" });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual([again.json.duplicate, again.json.depositAvailable], [true, "500"], "the same reference books once");
  assert.equal((await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "7", reference: "play-1" })).status, 409, "another amount under it");
  const testFunding = BigInt((await platformBalances(h.deps, "platform:test"))["USDT platform_funding"] ?? "0");
  assert.equal(testFunding - BigInt(testBefore["USDT platform_funding"] ?? "0"), -500_000_000n, "drawn from the test platform's funding");
  assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore, "the top-up did not touch a live platform account");
  await verifyLedgerClean(h.deps);

  const created = await payin(5000);
  assert.equal(created.status, 201, created.text);
  assert.equal(created.json.requisite.id, requisite.json.id, "the twin's pay-in is on the test trader's requisite");
  const confirmed = await jsonCall(h.app, "POST", `/trader/v1/pay-ins/${created.json.id}/confirm`, { "x-trader-key": traderKey });
  assert.equal(confirmed.status, 200, confirmed.text);
  await drainWorker(h.deps);
  assert.equal((await jsonCall(h.app, "GET", `/payment/trading/${created.json.id}`, { "x-api-key": testKey })).json.status, "closed");
  assert.ok((await traderDepositBalance(h.deps, traderId)).available < 500_000_000n, "the settlement drew on the topped-up deposit");
  assert.ok(BigInt((await platformBalances(h.deps, "platform:test"))["USDT fee_revenue"] ?? "0") > BigInt(testBefore["USDT fee_revenue"] ?? "0"), "its fee went to the test platform");
  assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore, "a settled test pay-in moved no live platform account");
  await verifyLedgerClean(h.deps);
});

test("a live trader's top-up in a live installation is still 409 deposit_via_chain and books nothing", async () => {
  const { traderId } = fx.traders[0]!;
  const before = await traderDepositBalance(h.deps, traderId);
  const liveBefore = await platformBalances(h.deps, "platform");
  const r = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "100", reference: "live-1" });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error, "deposit_via_chain");
  assert.match(r.json.message, /on chain/);
  assert.deepEqual(await traderDepositBalance(h.deps, traderId), before);
  assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore);
  assert.equal((await admin("POST", "/traders/trd_nobody/deposit/top-ups", { amount: "1", reference: "x" })).status, 404, "an unknown trader");
});
