// Full trading lifecycles through the HTTP API, with webhooks delivered to a loopback receiver and
// checked against their signatures, the ledger balances checked, and `ledger verify` clean after each:
// close (trader confirm, bank feed), cancel, expiry, dispute → closed / re_calculation / canceled,
// auto-resolve. Races: payment vs expiry, trader confirm vs bank feed. Tenant isolation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fundTraderDeposit, merchantCryptoBalance, traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchant } from "../support/factories.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { unmatchedTransfers } from "../../src/app/bank-transfers/transfer-queues.js";
import { drainWorker, setupTrading, uploadPngReceipt, startWebhookReceiver, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let hooks: Awaited<ReturnType<typeof startWebhookReceiver>>;
const DEPOSIT = 1_000_000_000_000n;
const traderFreeDeposit = async (traderId: string) => (await traderDepositBalance(h.deps, traderId)).available;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  hooks = await startWebhookReceiver(() => fx.merchant.apiKey);
  fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, depositMinor: DEPOSIT, settings: { webhookUrl: hooks.url } });
});
after(async () => {
  await hooks.close();
  await h.close();
});

const api = (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method,
    url,
    headers: { "x-api-key": fx.merchant.apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
const feed = (body: Record<string, unknown>) => sandboxTransfer(h.app, { apiKey: fx.merchant.apiKey }, body);
const trader = (url: string, body?: unknown) =>
  h.app.inject({
    method: "POST",
    url: `/trader/v1${url}`,
    headers: { "x-trader-key": fx.traders[0]!.traderKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
const admin = async (url: string, body: unknown) => {
  const { createOperatorKey } = await import("../../src/app/keys/create-keys.js");
  return h.app.inject({
    method: "POST",
    url: `/admin/v1/trading${url}`,
    headers: { "x-operator-key": await createOperatorKey(h.deps), "content-type": "application/json" },
    payload: JSON.stringify(body),
  });
};

async function create(fiatAmount: number) {
  const r = await api("POST", "/payment/trading/pay-in", { fiatAmount });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as { id: string; cryptoAmount: string; merchantFee: string; requisite: { id: string }; fiatAmount: string };
}


/** Delivers pending webhooks and returns the statuses this pay-in's webhooks carried, in order. */
async function webhookStatuses(id: string): Promise<string[]> {
  await drainWorker(h.deps);
  const mine = hooks.received.filter((w) => w.json.id === id);
  for (const w of mine) {
    assert.ok(w.signatureValid, "webhook x-signature = hex HMAC-SHA256(body, api key)");
    assert.ok(w.headers["x-rampart-event-id"], "event id header");
  }
  return mine.map((w) => String(w.json.status));
}

const net = (p: { cryptoAmount: string; merchantFee: string }) => BigInt(p.cryptoAmount) - BigInt(p.merchantFee);

test("close by trader confirm: hold posted, merchant credited net of fee, one webhook", async () => {
  const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await create(6030);
  assert.equal(await traderFreeDeposit(fx.traders[0]!.traderId) < DEPOSIT, true, "crypto held at creation");
  const r = await trader(`/pay-ins/${p.id}/confirm`);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().status, "closed");
  assert.equal((await trader(`/pay-ins/${p.id}/confirm`)).json().status, "closed", "repeat confirm is a no-op");
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + net(p));
  assert.equal(net(p), 60835352n - 5171005n);
  assert.deepEqual(await webhookStatuses(p.id), ["closed"]);
  const acct = await api("GET", "/payment/account");
  assert.equal(acct.json().balance, (before + net(p)).toString());
  await verifyLedgerClean(h.deps);
});

test("close by bank feed match; an unmatched transfer is kept for the operator", async () => {
  const p = await create(6200);
  const miss = await feed({ requisiteId: p.requisite.id, amount: 6201 });
  assert.equal(miss.status, 200, miss.text);
  assert.equal(miss.json.outcome, "unmatched");
  const hit = await feed({ requisiteId: p.requisite.id, amount: "6200.00", payerName: "A" });
  assert.deepEqual([hit.json.outcome, hit.json.tradingPayinId], ["paid", p.id]);
  assert.deepEqual(await webhookStatuses(p.id), ["closed"]);
  assert.ok((await unmatchedTransfers(h.deps, 10)).some((t) => t.id === miss.json.transferId));
  await verifyLedgerClean(h.deps);
});

test("merchant cancel voids the hold; expiry cancels at the window's end in the background", async () => {
  const free0 = await traderFreeDeposit(fx.traders[0]!.traderId);
  const p = await create(6300);
  const c = await api("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  assert.equal(c.json().status, "canceled");
  assert.equal(await traderFreeDeposit(fx.traders[0]!.traderId), free0, "hold voided");
  assert.deepEqual(await webhookStatuses(p.id), ["canceled"]);

  const q = await create(6301);
  h.clock.advance(14 * 60_000);
  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${q.id}`)).json().status, "active", "not before the window ends");
  h.clock.advance(60_000);
  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${q.id}`)).json().status, "canceled");
  assert.deepEqual(await webhookStatuses(q.id), ["canceled"]);
  assert.equal(await traderFreeDeposit(fx.traders[0]!.traderId), free0);
  await verifyLedgerClean(h.deps);
});

test("dispute → checking → closed (paid as claimed), after cancel: settled afresh", async () => {
  const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await create(6400);
  await api("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  const d = await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 6400, comment: "paid" });
  assert.equal(d.statusCode, 200, d.body);
  assert.equal(d.json().status, "dispute");
  assert.equal(d.json().disputeMerchantFiatAmount, "6400.00");
  assert.match(d.json().disputeMerchantCheckUrl, /\/file\/trading\/pay-in\/invoice\/inv_/);
  assert.equal((await trader(`/pay-ins/${p.id}/review`)).json().status, "checking");
  const r = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid" });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().status, "closed");
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + net(p));
  assert.deepEqual(await webhookStatuses(p.id), ["canceled", "dispute", "checking", "closed"]);
  await verifyLedgerClean(h.deps);
});

/** Merchant dispute at the created amount, trader review, trader answer: the pay-in is in checking. */
async function disputedAndReviewed(p: { id: string; fiatAmount: string }, traderAmount: string): Promise<void> {
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: p.fiatAmount });
  await trader(`/pay-ins/${p.id}/review`);
  const ans = await trader(`/pay-ins/${p.id}/answer`, { fiatAmount: traderAmount });
  assert.equal(ans.json().disputeTraderFiatAmount, traderAmount);
  assert.equal((await trader(`/pay-ins/${p.id}/answer`, { fiatAmount: traderAmount })).statusCode, 200, "the same answer again");
}

test("dispute → re_calculation (visible on GET and list) → closed by the settlement, ledger difference booked", async () => {
  const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await create(6500);
  await disputedAndReviewed(p, "6000.00");
  const r = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid_different", actualFiatAmount: "6000.00" });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().status, "re_calculation", "the decision answers the recalculated pay-in");
  // Until the settlement job has run, readers see re_calculation with the new amounts, and nothing is credited yet.
  const got = (await api("GET", `/payment/trading/${p.id}`)).json();
  assert.deepEqual([got.status, got.fiatAmount, got.cryptoAmount, got.merchantFee], ["re_calculation", "6000.00", "60532688", "5145279"]);
  const listed = (await api("GET", "/payment/trading/pay-in?status=re_calculation")).json();
  assert.deepEqual(listed.items.map((i: { id: string }) => i.id), [p.id]);
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before);
  await verifyLedgerClean(h.deps);

  // The trader's answer is a webhook of its own (status still checking), sent once for a repeated answer.
  assert.deepEqual(await webhookStatuses(p.id), ["dispute", "checking", "checking", "re_calculation", "closed"]);
  const answered = hooks.received.filter((w) => w.json.id === p.id)[2]!;
  assert.deepEqual([answered.json.disputeTraderFiatAmount, answered.json.disputeMerchantFiatAmount], ["6000.00", "6500.00"]);
  const closed = (await api("GET", `/payment/trading/${p.id}`)).json();
  assert.equal(closed.status, "closed");
  assert.equal(closed.fiatAmount, "6000.00");
  // re-priced at the original rate: ceil(6000 / 99.12 × 10^6) and ceil(0.085 × that)
  assert.equal(closed.cryptoAmount, "60532688");
  assert.equal(closed.merchantFee, "5145279");
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + net(closed));
  const recalc = hooks.received.find((w) => w.json.id === p.id && w.json.status === "re_calculation")!;
  assert.equal(recalc.json.fiatAmount, "6000.00", "the re_calculation webhook carries the new amounts");
  await verifyLedgerClean(h.deps);
});

test("a recalculated amount the trader's deposit cannot cover stays in re_calculation until the deposit is topped up", async () => {
  const t = await createTrader(h.deps, "Thin deposit");
  const rid = await createRequisite(h.deps, { traderId: t.traderId, bank: "TBANK", method: "card", ownerName: "Thin", number: "2200700000009999" });
  // Just enough for 1000.00 at 99.12 (10088782 micro-USDT), not for 2000.00.
  await fundTraderDeposit(h.deps, t.traderId, 10_088_782n, `test:fund:thin:${t.traderId}`);
  const made = await api("POST", "/payment/trading/pay-in", { fiatAmount: 1000, bank: "TBANK" });
  assert.equal(made.statusCode, 201, made.body);
  const p = made.json();
  assert.equal(p.requisite.id, rid);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 2000 });
  const review = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${p.id}/review`, headers: { "x-trader-key": t.traderKey } });
  assert.equal(review.json().status, "checking", review.body);
  const r = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid_different", actualFiatAmount: "2000.00" });
  assert.equal(r.json().status, "re_calculation", r.body);
  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${p.id}`)).json().status, "re_calculation", "not settled while the deposit is short");
  await fundTraderDeposit(h.deps, t.traderId, 20_000_000n, `test:fund:thin2:${t.traderId}`);
  h.clock.advance(60_000);
  assert.deepEqual(await webhookStatuses(p.id), ["dispute", "checking", "re_calculation", "closed"]);
  assert.equal((await api("GET", `/payment/trading/${p.id}`)).json().cryptoAmount, "20177563");
  await verifyLedgerClean(h.deps);
});

test("dispute → canceled (not paid) releases the hold", async () => {
  const free0 = await traderFreeDeposit(fx.traders[0]!.traderId);
  const p = await create(6600);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 6600 });
  const r = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "not_paid" });
  assert.equal(r.json().status, "canceled");
  assert.equal(await traderFreeDeposit(fx.traders[0]!.traderId), free0);
  assert.deepEqual(await webhookStatuses(p.id), ["dispute", "canceled"]);
  await verifyLedgerClean(h.deps);
});

test("a resolution or answer the status does not allow is 409 naming the action and the status in words", async () => {
  const p = await create(6650);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 6650 });
  const early = await trader(`/pay-ins/${p.id}/answer`, { fiatAmount: "6000.00" });
  assert.equal(early.statusCode, 409, early.body);
  assert.equal(early.json().message, "Cannot answer the dispute of a pay-in that is in dispute");
  const recalc = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid_different", actualFiatAmount: "6000.00" });
  assert.equal(recalc.statusCode, 409, recalc.body);
  assert.deepEqual([recalc.json().error, recalc.json().message, recalc.json().currentStatus], ["illegal_transition", "Cannot recalculate a pay-in that is in dispute", "dispute"]);
  assert.equal((await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid" })).json().status, "closed");
  const again = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "not_paid" });
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json().message, "Cannot resolve as not paid a pay-in that is closed");
  const cancel = await api("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  assert.deepEqual([cancel.statusCode, cancel.json().message], [409, "CANNOT_CANCEL_PAY_IN_IN_STATUS_CLOSED"], "the trading dialect keeps its code");
  await verifyLedgerClean(h.deps);
});

test("an amount whose crypto the ledger cannot hold at the pay-in's rate is 400 amount_above_maximum with nothing changed: a dispute's claim, a recalculated amount", async () => {
  // 999,999,999,999,999.99 RUB at 99.12 is about 1.0e19 micro-USDT, past 2^63 − 1 (it was a 500).
  const huge = "999999999999999.99";
  const p = await create(6700);
  const statusOf = async () => (await api("GET", `/payment/trading/${p.id}`)).json().status;
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  const claim = await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: huge });
  assert.equal(claim.statusCode, 400, claim.body);
  assert.equal(claim.json().code, "amount_above_maximum");
  assert.equal(await statusOf(), "active");
  await disputedAndReviewed(p, "6700.00");
  const recalc = await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid_different", actualFiatAmount: huge });
  assert.equal(recalc.statusCode, 400, recalc.body);
  assert.deepEqual([recalc.json().error, recalc.json().field], ["amount_above_maximum", "actualFiatAmount"]);
  assert.equal(await statusOf(), "checking");
  assert.equal((await admin(`/pay-ins/${p.id}/resolve`, { outcome: "paid" })).json().status, "closed");
  await verifyLedgerClean(h.deps);
});

test("auto-resolve: no review within disputeAutoResolveMinutes → closed in the merchant's favour", async () => {
  const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await create(6700);
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: 6700 });
  h.clock.advance(29 * 60_000);
  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${p.id}`)).json().status, "dispute");
  h.clock.advance(60_000);
  await drainWorker(h.deps);
  assert.equal((await api("GET", `/payment/trading/${p.id}`)).json().status, "closed");
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + net(p));
  assert.deepEqual(await webhookStatuses(p.id), ["dispute", "closed"]);
  await verifyLedgerClean(h.deps);
});

test("race: payment vs expiry at the same instant → exactly one wins, ledger consistent", async () => {
  for (let i = 0; i < 5; i++) {
    const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
    const p = await create(6800 + i);
    h.clock.advance(15 * 60_000);
    const [pay] = await Promise.all([
      feed({ requisiteId: p.requisite.id, amount: 6800 + i }),
      drainWorker(h.deps),
    ]);
    const status = (await api("GET", `/payment/trading/${p.id}`)).json().status;
    assert.equal(pay.json.outcome === "paid", status === "closed", "the transfer matched iff payment won");
    const credited = (await merchantCryptoBalance(h.deps, fx.merchant.merchantId)) - before;
    assert.equal(credited, status === "closed" ? net(p) : 0n);
    const statuses = await webhookStatuses(p.id);
    assert.equal(statuses.length, 1, "exactly one transition");
    await verifyLedgerClean(h.deps);
  }
});

test("race: trader confirm vs bank feed → closed once, credited once", async () => {
  for (let i = 0; i < 5; i++) {
    const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
    const p = await create(6900 + i);
    const [c, b] = await Promise.all([
      trader(`/pay-ins/${p.id}/confirm`),
      feed({ requisiteId: p.requisite.id, amount: 6900 + i }),
    ]);
    assert.equal(c.statusCode, 200);
    assert.equal(b.status, 200);
    assert.equal(b.json.outcome, "paid", "the transfer is the payment, whichever came first");
    assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + net(p), "credited once");
    assert.deepEqual(await webhookStatuses(p.id), ["closed"]);
    await verifyLedgerClean(h.deps);
  }
});

test("tenant isolation: merchant B gets 404 on A's pay-in for get, cancel, dispute and upload", async () => {
  const p = await create(7100);
  const b = await createMerchant(h.deps);
  const hdr = { "x-api-key": b.apiKey };
  assert.equal((await api("GET", `/payment/trading/${p.id}`, undefined, hdr)).statusCode, 404);
  assert.equal((await api("POST", `/payment/trading/pay-in/${p.id}/cancel`, undefined, hdr)).statusCode, 404);
  assert.equal((await api("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: "inv_x", fiatAmount: 1 }, hdr)).statusCode, 404);
  const boundary = "----rampart";
  const up = await h.app.inject({
    method: "POST",
    url: `/file/trading/pay-in/invoice/upload?tradeId=${p.id}`,
    headers: { ...hdr, "content-type": `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--${boundary}--\r\n`,
  });
  assert.equal(up.statusCode, 404);
  assert.equal((await api("GET", `/payment/trading/${p.id}`)).json().status, "active", "A's pay-in untouched");
});
