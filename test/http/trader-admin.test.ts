// A trader set up entirely through the operator API takes a pay-in: create the trader, add a
// requisite, top up its deposit (sandbox mode: a ledger transfer, idempotent by reference), set the
// requisite's limits; then a pay-in lands on it and the ledger still balances. In live mode the
// top-up is refused: deposits come in on chain.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";
import { jsonCall, type Method } from "../support/json-call.js";
import { setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let operatorKey: string;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { traders: 0 });
  operatorKey = await createOperatorKey(h.deps);
});
after(async () => {
  await h.close();
});

const admin = (method: Method, url: string, body?: unknown, headers: Record<string, string> = {}) =>
  jsonCall(h.app, method, `/admin/v1/trading${url}`, { "x-operator-key": operatorKey, ...headers }, body);
const createPayin = (fiatAmount: number) => jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount });

test("a trader created, funded and limited through the operator API takes a pay-in; the ledger balances", async () => {
  const trader = await admin("POST", "/traders", { name: "API Trader" });
  assert.equal(trader.status, 201, trader.text);
  const { traderId, traderKey } = trader.json as { traderId: string; traderKey: string };
  const requisite = await admin("POST", `/traders/${traderId}/requisites`, { bank: "SBER", method: "card", ownerName: "Anna K.", number: "2202200000009999" });
  assert.equal(requisite.status, 201, requisite.text);
  const requisiteId = requisite.json.id as string;
  // One account, one requisite: the same card again, for another trader or at once for two, is 409.
  const secondTrader = (await admin("POST", "/traders", { name: "Second" })).json.traderId as string;
  const sameCard = await admin("POST", `/traders/${secondTrader}/requisites`, { bank: "SBER", method: "card", ownerName: "Anna K.", number: "2202200000009999" });
  assert.deepEqual([sameCard.status, sameCard.json.error, sameCard.json.field], [409, "conflict", "number"]);
  assert.match(sameCard.json.message, new RegExp(`already requisite ${requisiteId}`));
  const thirdTrader = (await admin("POST", "/traders", { name: "Third" })).json.traderId as string;
  const racing = await Promise.all([secondTrader, thirdTrader].map((t) => admin("POST", `/traders/${t}/requisites`, { bank: "TBANK", method: "sbp", ownerName: "Anna K.", sbpPhone: "+79000008888" })));
  assert.deepEqual(racing.map((r) => r.status).sort(), [201, 409]);

  // Unfunded, the trader cannot back a pay-in.
  const unfunded = await createPayin(5000);
  assert.equal(unfunded.status, 403, unfunded.text);
  assert.equal(unfunded.json.code, "no_requisite_available");

  const topUp = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "1000.5", reference: "fund-1" });
  assert.equal(topUp.status, 201, topUp.text);
  assert.deepEqual(topUp.json, {
    transferId: `trader_top_up:${traderId}:fund-1`,
    traderId,
    asset: "USDT",
    amount: "1000.5",
    duplicate: false,
    depositAvailable: "1000.5",
    depositHeld: "0",
  });
  // The same reference again books nothing; another amount under it is refused.
  const again = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: 1000.5, reference: "fund-1" });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.duplicate, true);
  assert.equal(again.json.depositAvailable, "1000.5");
  const otherAmount = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "5", reference: "fund-1" });
  assert.equal(otherAmount.status, 409, otherAmount.text);
  assert.equal(otherAmount.json.error, "conflict");
  assert.equal(otherAmount.json.field, "reference");
  // An Idempotency-Key stands in for the reference.
  const byKey = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "10" }, { "idempotency-key": "fund-2" });
  assert.equal(byKey.status, 201, byKey.text);
  const byKeyAgain = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "10" }, { "idempotency-key": "fund-2" });
  assert.equal(byKeyAgain.status, 200, byKeyAgain.text);
  assert.equal(byKeyAgain.json.depositAvailable, "1010.5");
  assert.equal((await traderDepositBalance(h.deps, traderId)).available, 1_010_500_000n);

  const limits = await admin("PUT", `/traders/${traderId}/requisites/${requisiteId}/limits`, { maxOpenPayins: 1, dailyVolumeLimit: 20000, monthlyVolumeLimit: null });
  assert.equal(limits.status, 200, limits.text);
  assert.deepEqual(limits.json, { id: requisiteId, maxOpenPayins: 1, dailyVolumeLimit: "20000.00", monthlyVolumeLimit: null });

  const payin = await createPayin(5000);
  assert.equal(payin.status, 201, payin.text);
  assert.equal(payin.json.requisite.id, requisiteId);
  const listed = await jsonCall(h.app, "GET", "/trader/v1/pay-ins", { "x-trader-key": traderKey });
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(
    (listed.json.items as { id: string }[]).map((p) => p.id),
    [payin.json.id],
  );
  const held = await traderDepositBalance(h.deps, traderId);
  assert.ok(held.pendingDebits > 0n, "the pay-in holds the trader's crypto");

  // maxOpenPayins 1: the one open pay-in fills the requisite.
  const second = await createPayin(6000);
  assert.equal(second.status, 403, second.text);
  assert.equal(second.json.code, "no_requisite_available");
  await verifyLedgerClean(h.deps);
});

test("a trader created with test: true is a test trader (test mode); without it, a live one; a non-boolean is a 400", async () => {
  const created = await admin("POST", "/traders", { name: "Sandbox Trader", test: true });
  assert.equal(created.status, 201, created.text);
  const live = await admin("POST", "/traders", { name: "Plain Trader" });
  const rows = await h.deps.database.db.selectFrom("traders").select(["id", "test"]).where("id", "in", [created.json.traderId, live.json.traderId]).execute();
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.id, r.test])), { [created.json.traderId]: true, [live.json.traderId]: false });
  const bad = await admin("POST", "/traders", { name: "Odd", test: "maybe" });
  assert.equal(bad.status, 400, bad.text);
});

test("top-ups and limits refuse bad input with a 4xx naming the field, writing nothing", async () => {
  const trader = await admin("POST", "/traders", { name: "Checked Trader" });
  const { traderId } = trader.json as { traderId: string };
  const topUp = (body: unknown, headers: Record<string, string> = {}) => admin("POST", `/traders/${traderId}/deposit/top-ups`, body, headers);

  const cases: [unknown, number, string, string][] = [
    [{ amount: "10" }, 400, "validation_failed", "reference"],
    [{ amount: "0", reference: "r" }, 400, "invalid_amount", "amount"],
    [{ amount: "-1", reference: "r" }, 400, "invalid_amount", "amount"],
    [{ amount: "1.0000001", reference: "r" }, 400, "amount_scale_exceeded", "amount"],
    [{ amount: "1000000001", reference: "r" }, 400, "amount_above_maximum", "amount"],
    [{ amount: "10", reference: "has space" }, 400, "validation_failed", "reference"],
  ];
  for (const [body, status, error, field] of cases) {
    const r = await topUp(body);
    assert.equal(r.status, status, `${JSON.stringify(body)}: ${r.text}`);
    assert.equal(r.json.error, error, JSON.stringify(body));
    assert.equal(r.json.field, field, JSON.stringify(body));
  }
  const unknown = await admin("POST", "/traders/trd_missing/deposit/top-ups", { amount: "10", reference: "r" });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal((await traderDepositBalance(h.deps, traderId)).available, 0n);

  const otherTrader = (await admin("POST", "/traders", { name: "Other" })).json.traderId as string;
  const req = await admin("POST", `/traders/${otherTrader}/requisites`, { bank: "SBER", method: "sbp", ownerName: "O.", sbpPhone: "+79000009999" });
  const limits = { maxOpenPayins: 3, dailyVolumeLimit: null, monthlyVolumeLimit: null };
  const notHis = await admin("PUT", `/traders/${traderId}/requisites/${req.json.id}/limits`, limits);
  assert.equal(notHis.status, 404, "another trader's requisite is not found");
  const notUuid = await admin("PUT", `/traders/${traderId}/requisites/nope/limits`, limits);
  assert.equal(notUuid.status, 404, notUuid.text);
  const badVolume = await admin("PUT", `/traders/${otherTrader}/requisites/${req.json.id}/limits`, { ...limits, dailyVolumeLimit: "1.234" });
  assert.equal(badVolume.status, 400, badVolume.text);
  assert.equal(badVolume.json.field, "dailyVolumeLimit");
});

test("in live mode a top-up is 409 deposit_via_chain and books nothing", async () => {
  const live = await createHarness({ env: { RAMPART_MODE: "live", RAMPART_SECRET_KEY: TEST_SECRET_KEY } });
  try {
    const key = await createOperatorKey(live.deps);
    const call = (method: Method, url: string, body: unknown) => jsonCall(live.app, method, `/admin/v1/trading${url}`, { "x-operator-key": key }, body);
    const { traderId } = (await call("POST", "/traders", { name: "Live Trader" })).json as { traderId: string };
    const r = await call("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "100", reference: "live-1" });
    assert.equal(r.status, 409, r.text);
    assert.equal(r.json.error, "deposit_via_chain");
    assert.match(r.json.message, /on chain/);
    assert.equal((await traderDepositBalance(live.deps, traderId)).available, 0n);
  } finally {
    await live.close();
  }
});
