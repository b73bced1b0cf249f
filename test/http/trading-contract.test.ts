// Contract tests of the trading dialect (docs/contract-trading.md): the published example request, the
// arithmetic check vector end to end, the pay-in object's fields and JSON types, every error path.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchant } from "../support/factories.js";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { setupTrading, signBody, uploadTradingReceipt, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
const key = () => fx.merchant.apiKey;

// The published example request body, byte for byte (docs/contract-trading.md#creating-a-pay-in).
const SEED_BODY = `{
"fiatAmount": 5000,
"extra": {
"payerInfo": {
"ip": "192.168.1.1",
"userId": "65535",
"userAgent": "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6_1 like Mac OS X) AppleWebKit/655.1.15 (KHTML, like Gecko) Version/16.4 Mobile/148 Safari/04.1",
"fingerprint": "fbb77b9f4265b18538e66cac5a37c6410dc2cdd7f0cddfde6eda25aa10df669b",
"registeredAt": 1728388185326
},
"externalTransactionId": "txn_123456789"
}
}`;

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return h.app.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/json", "x-api-key": key(), ...headers },
    payload: typeof body === "string" ? body : JSON.stringify(body),
  });
}

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 2, maxOpenPayins: 3 });
});
after(() => h.close());

test("the seed's example request: its x-signature does not match the body → 401; unsigned or correctly signed → 201", async () => {
  const seedHeaders = { host: "api.bitzone.space", "x-signature": "d3b07384d113edec49eaa6238ad5ff00", "content-type": "application/json" };
  const bad = await post("/payment/trading/pay-in", SEED_BODY, seedHeaders);
  assert.equal(bad.statusCode, 401);
  assert.deepEqual(Object.keys(bad.json()).sort(), ["code", "message", "requestId"]);
  assert.equal(bad.json().message, "INVALID_SIGNATURE");

  const ok = await post("/payment/trading/pay-in", SEED_BODY, { ...seedHeaders, "x-signature": signBody(key(), SEED_BODY) });
  assert.equal(ok.statusCode, 201, ok.body);
  const p = ok.json();
  assert.equal(p.fiatAmount, "5000.00");
  assert.equal(p.status, "active");
  assert.equal(p.type, "pay-in");
  assert.equal(p.fiatCurrency, "RUB");
  assert.equal(p.currencyRate, "99.12");
  // extra echoed back unchanged, key order included
  assert.equal(JSON.stringify(p.extra), JSON.stringify(JSON.parse(SEED_BODY).extra));

  // the same externalTransactionId with the same body (no signature this time): the existing pay-in, 200
  const again = await post("/payment/trading/pay-in", SEED_BODY);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json().id, p.id);
  // ...with a different body: 409
  const other = await post("/payment/trading/pay-in", { ...JSON.parse(SEED_BODY), fiatAmount: 5001 });
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().code, "external_transaction_id_conflict");
});

test("check vector: 6030 RUB at 99.12 with fee 8.5% → cryptoAmount 60835352, merchantFee 5171005", async () => {
  const r = await post("/payment/trading/pay-in", { fiatAmount: 6030 });
  assert.equal(r.statusCode, 201, r.body);
  const p = r.json();
  assert.equal(p.fiatAmount, "6030.00");
  assert.equal(p.cryptoAmount, "60835352");
  assert.equal(p.merchantFee, "5171005");
  assert.equal(p.currencyRate, "99.12");
  const got = await h.app.inject({ method: "GET", url: `/payment/trading/${p.id}`, headers: { "x-api-key": key() } });
  assert.equal(got.statusCode, 200);
  assert.deepEqual(got.json(), { ...p, risk: null }, "GET returns the create's object and (Extension) its risk decision: none without rules");
});

test("every field of the pay-in object is present with the right JSON type", async () => {
  const r = await post("/payment/trading/pay-in", { fiatAmount: "6040.50", method: "card", bank: "sber" });
  assert.equal(r.statusCode, 201, r.body);
  const p = r.json();
  const types: Record<string, string> = {
    id: "string", type: "string", status: "string", fiatAmount: "string", fiatCurrency: "string", cryptoAmount: "string",
    merchantFee: "string", currencyRate: "string", cryptoCurrency: "string", cryptoNetwork: "string", bank: "string", method: "string",
    requisite: "object", payoutInvoicesUrl: "array", disputeMerchantCheckUrl: "null", disputeTraderCheckUrl: "null",
    disputeMerchantFiatAmount: "string", disputeTraderFiatAmount: "string", payerClaimedAt: "null", extra: "object", externalPaymentPageUrl: "string",
    expiresAt: "string", createdAt: "string",
  };
  const typeOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);
  for (const [k, t] of Object.entries(types)) assert.equal(typeOf(p[k]), t, k);
  assert.deepEqual(Object.keys(p).sort(), Object.keys(types).sort());
  assert.match(p.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(p.fiatAmount, /^\d+\.\d{2}$/);
  assert.equal(p.fiatAmount, "6040.50");
  assert.match(p.cryptoAmount, /^\d+$/);
  assert.match(p.merchantFee, /^\d+$/);
  assert.equal(p.cryptoCurrency, "usdt");
  assert.equal(p.cryptoNetwork, "trc20");
  assert.equal(p.bank, "SBER");
  assert.equal(p.method, "card");
  assert.deepEqual(p.payoutInvoicesUrl, []);
  assert.equal(p.disputeMerchantFiatAmount, "0.00");
  assert.equal(p.disputeTraderFiatAmount, "0.00");
  assert.match(p.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.match(p.expiresAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  assert.equal(Date.parse(p.expiresAt) - Date.parse(p.createdAt), 15 * 60_000, "default window 15 min");
  assert.equal(p.externalPaymentPageUrl, `${h.deps.config.publicUrl}/pay/${p.id}`);
  const rq = p.requisite;
  for (const k of ["id", "bank", "ownerName", "fiatCurrency", "method"]) assert.equal(typeof rq[k], "string", `requisite.${k}`);
  assert.equal(typeof rq.requisites, "string");
  assert.equal(rq.sbpNumber, null);
  assert.deepEqual(Object.keys(rq).sort(), ["bank", "fiatCurrency", "id", "method", "ownerName", "requisites", "sbpNumber"]);
});

test("banks, list with cursor pagination, account balance", async () => {
  const banks = await h.app.inject({ method: "GET", url: "/payment/trading/banks", headers: { "x-api-key": key() } });
  assert.equal(banks.statusCode, 200);
  assert.deepEqual(banks.json(), [{ code: "SBER", name: "Sberbank", methods: ["card"], fiatCurrency: "RUB" }]);

  const page1 = await h.app.inject({ method: "GET", url: "/payment/trading/pay-in?limit=2", headers: { "x-api-key": key() } });
  assert.equal(page1.statusCode, 200);
  assert.equal(page1.json().items.length, 2);
  assert.ok(page1.json().nextCursor);
  const page2 = await h.app.inject({ method: "GET", url: `/payment/trading/pay-in?limit=2&cursor=${page1.json().nextCursor}`, headers: { "x-api-key": key() } });
  const ids = [...page1.json().items, ...page2.json().items].map((x: { id: string }) => x.id);
  assert.equal(new Set(ids).size, ids.length, "pages do not overlap");
  const tooBig = await h.app.inject({ method: "GET", url: "/payment/trading/pay-in?limit=101", headers: { "x-api-key": key() } });
  assert.equal(tooBig.statusCode, 400);

  const acct = await h.app.inject({ method: "GET", url: "/payment/account", headers: { "x-api-key": key() } });
  assert.equal(acct.statusCode, 200);
  assert.deepEqual(acct.json(), { balance: "0", currency: "usdt" });
});

test("banks lists only what can take a pay-in now: a bank whose only trader has no free deposit is left out", async () => {
  const banks = async () => (await h.app.inject({ method: "GET", url: "/payment/trading/banks", headers: { "x-api-key": key() } })).json();
  const broke = await createTrader(h.deps, "No deposit");
  await createRequisite(h.deps, { traderId: broke.traderId, bank: "TBANK", method: "sbp", ownerName: "Broke", sbpPhone: "+79000000777" });
  assert.deepEqual((await banks()).map((b: { code: string }) => b.code), ["SBER"], "TBANK's only trader has nothing to back a pay-in");
  const refused = await post("/payment/trading/pay-in", { fiatAmount: 1000, bank: "TBANK" });
  assert.equal(refused.json().message, "CANT_CREATE_TRADE_FOR_THIS_AMOUNT", "and a create there would fail");
  // The merchant's minimum is 100.00 RUB: at 99.12 that is 1008879 micro-USDT. One unit less is not enough.
  await fundTraderDeposit(h.deps, broke.traderId, 1_008_878n, `test:fund:broke:${broke.traderId}`);
  assert.deepEqual((await banks()).map((b: { code: string }) => b.code), ["SBER"]);
  await fundTraderDeposit(h.deps, broke.traderId, 1n, `test:fund:broke2:${broke.traderId}`);
  assert.deepEqual(await banks(), [
    { code: "SBER", name: "Sberbank", methods: ["card"], fiatCurrency: "RUB" },
    { code: "TBANK", name: "T-Bank", methods: ["sbp"], fiatCurrency: "RUB" },
  ]);
  const taken = await post("/payment/trading/pay-in", { fiatAmount: 100, bank: "TBANK" });
  assert.equal(taken.statusCode, 201, taken.body);
  assert.deepEqual((await banks()).map((b: { code: string }) => b.code), ["SBER"], "its deposit is now held by that pay-in");
});

test("error paths: each with the envelope and the dialect's message", async () => {
  const expectError = async (res: Awaited<ReturnType<typeof post>>, status: number, code: string, message?: string) => {
    assert.equal(res.statusCode, status, res.body);
    const b = res.json();
    assert.deepEqual(Object.keys(b).sort(), ["code", "message", "requestId"]);
    assert.equal(b.code, code);
    if (message) assert.equal(b.message, message);
  };
  const url = "/payment/trading/pay-in";
  await expectError(await post(url, { fiatAmount: 6030 }, { "x-api-key": "" }), 401, "unauthorized", "UNAUTHORIZED");
  await expectError(await post(url, { fiatAmount: 6030 }, { "x-api-key": "rmp_0000000000000000_" + "a".repeat(43) }), 401, "unauthorized");
  await expectError(await post(url, { fiatAmount: 6030 }, { "x-signature": "00" }), 401, "invalid_signature", "INVALID_SIGNATURE");
  await expectError(await post(url, {}), 400, "validation_failed", "INVALID_FIAT_AMOUNT");
  await expectError(await post(url, { fiatAmount: 6030, fiatAmountRange: { min: 1, max: 2 } }), 400, "validation_failed");
  await expectError(await post(url, { fiatAmount: "60.001" }), 400, "validation_failed");
  await expectError(await post(url, { fiatAmount: 6030, fiatAmmount: 1 }), 400, "validation_failed");
  await expectError(await post(url, { fiatAmountRange: { min: 7000, max: 6000 } }), 400, "validation_failed");
  await expectError(await post(url, "{not json"), 400, "invalid_json", "INVALID_JSON");
  await expectError(await post(url, { fiatAmount: 99 }), 403, "fiat_amount_too_small", "MIN_FIAT_AMOUNT_SHOULD_BE_100");
  await expectError(await post(url, { fiatAmount: 300001 }), 403, "fiat_amount_too_large", "MAX_FIAT_AMOUNT_SHOULD_BE_300000");
  await expectError(await post(url, { fiatAmount: 6030, fiatCurrency: "KZT" }), 403, "currency_not_available");
  await expectError(await post(url, { fiatAmount: 6030, bank: "NOPE" }), 403, "bank_not_available", "BANK_NOT_AVAILABLE");
  // Codes fold case in ASCII only: Unicode's toUpperCase turns the long s of "ſber" into the S of SBER.
  await expectError(await post(url, { fiatAmount: 6030, bank: "ſber" }), 403, "bank_not_available", "BANK_NOT_AVAILABLE");
  await expectError(await post(url, { fiatAmount: 6030, method: "sbp" }), 403, "no_requisite_available", "CANT_CREATE_TRADE_FOR_THIS_AMOUNT");
  // two requisites: a third create of one amount finds no free slot
  assert.equal((await post(url, { fiatAmount: 7777 })).statusCode, 201);
  assert.equal((await post(url, { fiatAmount: 7777 })).statusCode, 201);
  await expectError(await post(url, { fiatAmount: 7777 }), 403, "no_requisite_available", "CANT_CREATE_TRADE_FOR_THIS_AMOUNT");

  // a merchant whose allowed methods exclude sbp, and one with no trading at all
  const m2 = await createMerchant(h.deps);
  const { saveTradingSettings } = await import("../../src/app/trading/settings-admin.js");
  await saveTradingSettings(h.deps, m2.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", allowedMethods: ["card"], requireRequestSignature: true });
  const body = JSON.stringify({ fiatAmount: 6030, method: "sbp" });
  await expectError(await post(url, body, { "x-api-key": m2.apiKey }), 401, "invalid_signature", "INVALID_SIGNATURE");
  await expectError(
    await post(url, body, { "x-api-key": m2.apiKey, "x-signature": signBody(m2.apiKey, body) }),
    403,
    "method_not_available",
    "SBP_METHOD_DISABLED_PLEASE_CONTACT_SUPPORT",
  );
  const m3 = await createMerchant(h.deps);
  await expectError(await post(url, { fiatAmount: 6030 }, { "x-api-key": m3.apiKey }), 403, "trading_not_enabled", "TRADING_NOT_ENABLED");

  // unknown ids, illegal transitions, receipts
  const get = (u: string) => h.app.inject({ method: "GET", url: u, headers: { "x-api-key": key() } });
  await expectError(await get("/payment/trading/0190f1f0-0000-7000-8000-000000000000"), 404, "not_found");
  await expectError(await get("/payment/trading/not-a-uuid"), 404, "not_found");
  const p = (await post(url, { fiatAmount: 6100 })).json();
  assert.equal((await post(`/payment/trading/pay-in/${p.id}/cancel`, "")).statusCode, 200);
  await expectError(await post(`/payment/trading/pay-in/${p.id}/cancel`, ""), 409, "illegal_transition", "CANNOT_CANCEL_PAY_IN_IN_STATUS_CANCELED");
  await expectError(await post(`/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: "inv_nope", fiatAmount: 6100 }), 400, "invalid_invoice_key");

  const upload = (data: Buffer, contentType: string) => uploadTradingReceipt(h.app, key(), p.id, { data, contentType });
  await expectError(await upload(Buffer.from("just text"), "text/plain"), 415, "unsupported_media_type");
  await expectError(await upload(Buffer.concat([Buffer.from("%PDF-1.4\n"), Buffer.alloc(10 * 1024 * 1024 + 1)]), "application/pdf"), 413, "body_too_large");
  const good = await upload(Buffer.from("%PDF-1.4\n%%EOF\n"), "application/pdf");
  assert.equal(good.statusCode, 200, good.body);
  assert.match(good.json().invoiceKey, /^inv_/);
});
