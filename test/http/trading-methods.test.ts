// The payment-method catalogue (docs/contract-trading.md#payment-methods): seeded with the methods real
// clients send, extended by the operator with per-method requisite fields; a create with a method the
// catalogue does not hold is a 400 in the dialect's shape, a method switched off is a 403.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let op: string;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  op = await createOperatorKey(h.deps);
});
after(() => h.close());

const call = (method: "GET" | "PUT" | "POST", url: string, headers: Record<string, string>, body?: unknown) =>
  h.app.inject({ method, url, headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });
const admin = (method: "GET" | "PUT" | "POST", url: string, body?: unknown) => call(method, `/admin/v1/trading${url}`, { "x-operator-key": op }, body);
const create = (body: Record<string, unknown>) => call("POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, body);

test("the catalogue is seeded with sbp, card, account, qr, cross_sbp, transgran and iban, each with its requisite fields", async () => {
  const r = await admin("GET", "/methods");
  assert.equal(r.statusCode, 200, r.body);
  const items: { code: string; requisiteFields: { field: string }[] }[] = r.json().items;
  assert.deepEqual(items.map((m) => m.code).sort(), ["account", "card", "cross_sbp", "iban", "qr", "sbp", "transgran"]);
  const fieldOf = (code: string) => items.find((m) => m.code === code)!.requisiteFields.map((f) => f.field);
  assert.deepEqual([fieldOf("sbp"), fieldOf("cross_sbp"), fieldOf("card"), fieldOf("iban")], [["sbpPhone"], ["sbpPhone"], ["number"], ["number"]]);
  assert.equal((await call("GET", "/admin/v1/trading/methods", {})).statusCode, 401);
});

test("a create with a method outside the catalogue is 400 INVALID_METHOD; a known method without a requisite is 403", async () => {
  const unknown = await create({ fiatAmount: 1000, method: "paypal" });
  assert.equal(unknown.statusCode, 400, unknown.body);
  assert.deepEqual(Object.keys(unknown.json()).sort(), ["code", "message", "requestId"]);
  assert.deepEqual([unknown.json().message, unknown.json().code], ["INVALID_METHOD", "validation_failed"]);
  const qr = await create({ fiatAmount: 1000, method: "QR" });
  assert.deepEqual([qr.statusCode, qr.json().message], [403, "CANT_CREATE_TRADE_FOR_THIS_AMOUNT"], "known, but no requisite offers it");
});

test("the operator adds a method with its requisite fields and a bank offering it; requisites are checked against the fields", async () => {
  const field = { field: "number", label: "PayPal.me link", pattern: "^https://paypal\\.me/[A-Za-z0-9]+$" };
  const put = await admin("PUT", "/methods/paypal_link", { name: "PayPal.me link", requisiteFields: [field] });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), { code: "paypal_link", name: "PayPal.me link", requisiteFields: [field], enabled: true });
  const badPattern = await admin("PUT", "/methods/broken", { name: "Broken", requisiteFields: [{ field: "number", label: "x", pattern: "([" }] });
  assert.deepEqual([badPattern.statusCode, badPattern.json().error], [400, "validation_failed"], badPattern.body);

  assert.equal((await admin("PUT", "/banks/PAYPAL", { name: "PayPal", methods: ["paypal_link", "nope"], fiatCurrency: "RUB" })).statusCode, 400, "a bank's methods come from the catalogue");
  assert.equal((await admin("PUT", "/banks/paypal", { name: "PayPal", methods: ["paypal_link"], fiatCurrency: "RUB" })).json().code, "PAYPAL");
  const moved = await admin("PUT", "/banks/PAYPAL", { name: "PayPal", methods: ["paypal_link"], fiatCurrency: "EUR" });
  assert.equal(moved.statusCode, 400, "a bank's currency is fixed");

  const requisite = (number: string) =>
    admin("POST", `/traders/${fx.traders[0]!.traderId}/requisites`, { bank: "PAYPAL", method: "paypal_link", ownerName: "Ivan", number });
  const wrong = await requisite("2202200000000099");
  assert.equal(wrong.statusCode, 400, wrong.body);
  assert.match(wrong.json().message, /not a valid PayPal\.me link/);
  const ok = await requisite("https://paypal.me/ivan");
  assert.equal(ok.statusCode, 201, ok.body);
  const card = await admin("POST", `/traders/${fx.traders[0]!.traderId}/requisites`, { bank: "SBER", method: "card", ownerName: "Ivan", number: "12ab" });
  assert.equal(card.statusCode, 400, "the seeded card method wants 16 to 19 digits");
  // A detail the method does not take is refused: an sbp requisite has a phone, not a number.
  const both = await admin("POST", `/traders/${fx.traders[0]!.traderId}/requisites`, { bank: "SBER", method: "sbp", ownerName: "Ivan", sbpPhone: "+79000004444", number: "2202200000004444" });
  assert.deepEqual([both.statusCode, both.json().field, both.json().message], [400, "number", "This method takes no number"], both.body);

  const p = await create({ fiatAmount: 1000, method: "PAYPAL_LINK" });
  assert.equal(p.statusCode, 201, p.body);
  assert.deepEqual([p.json().method, p.json().bank, p.json().requisite.requisites, p.json().requisite.sbpNumber], ["paypal_link", "PAYPAL", "https://paypal.me/ivan", null]);

  // Switched off: the method is known, so the refusal is the dialect's 403.
  assert.equal((await admin("PUT", "/methods/paypal_link", { name: "PayPal.me link", requisiteFields: [field], enabled: false })).json().enabled, false);
  const off = await create({ fiatAmount: 1001, method: "paypal_link" });
  assert.deepEqual([off.statusCode, off.json().message], [403, "PAYPAL_LINK_METHOD_DISABLED_PLEASE_CONTACT_SUPPORT"]);
  const anyOnPaypal = await create({ fiatAmount: 1002, bank: "PAYPAL" });
  assert.deepEqual([anyOnPaypal.statusCode, anyOnPaypal.json().message], [403, "CANT_CREATE_TRADE_FOR_THIS_AMOUNT"], "its requisites take no pay-in either");
  const banks = await call("GET", "/payment/trading/banks", { "x-api-key": fx.merchant.apiKey });
  assert.deepEqual(banks.json().map((b: { code: string }) => b.code), ["SBER"]);
});

test("the requisite is the least recently used candidate, not a random one: pay-ins go round the requisites in turn", async () => {
  const lru = await setupTrading(h.deps, { traders: 3, requisitesPerTrader: 1, bank: "TBANK" });
  const make = async (fiatAmount: number) => {
    h.clock.advance(1000);
    const r = await call("POST", "/payment/trading/pay-in", { "x-api-key": lru.merchant.apiKey }, { fiatAmount, bank: "TBANK" });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().requisite.id as string;
  };
  const first = [await make(1100), await make(1101), await make(1102)];
  assert.equal(new Set(first).size, 3, "each trader's requisite once before any gets a second");
  assert.deepEqual([await make(1103), await make(1104), await make(1105)], first, "then again in the same order");
});
