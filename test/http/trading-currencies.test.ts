// Multi-fiat trading (docs/contract-trading.md#merchant-settings): a merchant accepts several fiat
// currencies, each with its own banks, traders and requisites. The sandbox seed's merchant accepts
// RUB (default), KZT and EUR; CURRENCY_NOT_AVAILABLE is only for a currency the merchant does not accept.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { createFixedRateSource } from "../../src/adapters/rates/fixed-rates.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let key: string;
let operatorKey: string;
let merchantId: string;

before(async () => {
  h = await createHarness({
    tweak: (deps) => {
      deps.ports.rates = createFixedRateSource({ "RUB/USDT": "99.12", "KZT/USDT": "505", "EUR/USDT": "0.93" }, deps.clock);
    },
  });
  const creds = await seedSandbox(h.deps);
  key = creds.merchantKey.key;
  operatorKey = creds.operatorKey.key;
  merchantId = creds.merchantId;
});
after(() => h.close());

const create = (body: Record<string, unknown>) =>
  h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": key, "content-type": "application/json" }, payload: JSON.stringify(body) });

test("the sandbox merchant takes pay-ins in RUB (default), KZT and EUR, each on a requisite of its currency", async () => {
  for (const [body, currency, rate] of [
    [{ fiatAmount: 1500 }, "RUB", "99.12"],
    [{ fiatAmount: 25000, fiatCurrency: "kzt" }, "KZT", "505"],
    [{ fiatAmount: 150, fiatCurrency: "EUR" }, "EUR", "0.93"],
  ] as const) {
    const r = await create(body);
    assert.equal(r.statusCode, 201, r.body);
    const p = r.json();
    assert.deepEqual([p.fiatCurrency, p.requisite.fiatCurrency, p.currencyRate], [currency, currency, rate]);
  }
  const iban = await create({ fiatAmount: 200, fiatCurrency: "EUR", method: "iban" });
  assert.equal(iban.statusCode, 201, iban.body);
  assert.deepEqual([iban.json().bank, iban.json().method, iban.json().requisite.requisites], ["REVOLUT", "iban", "LT601010012345678901"]);
});

test("banks lists each accepted currency's banks, the default first; ?fiatCurrency= narrows it", async () => {
  const get = async (q = "") => (await h.app.inject({ method: "GET", url: `/payment/trading/banks${q}`, headers: { "x-api-key": key } })).json();
  const all: { code: string; fiatCurrency: string }[] = await get();
  assert.deepEqual(all.map((b) => `${b.fiatCurrency}:${b.code}`), ["RUB:ALFA", "RUB:SBER", "RUB:TBANK", "KZT:HALYK", "KZT:KASPI", "EUR:REVOLUT"]);
  assert.deepEqual(await get("?fiatCurrency=eur"), [{ code: "REVOLUT", name: "Revolut", methods: ["iban", "card"], fiatCurrency: "EUR" }]);
  assert.deepEqual(await get("?fiatCurrency=USD"), []);
});

test("CURRENCY_NOT_AVAILABLE only for a currency the merchant does not accept", async () => {
  const usd = await create({ fiatAmount: 150, fiatCurrency: "USD" });
  assert.equal(usd.statusCode, 403, usd.body);
  assert.deepEqual([usd.json().message, usd.json().code], ["CURRENCY_NOT_AVAILABLE", "currency_not_available"]);

  // The operator narrows the merchant to RUB and KZT: EUR is refused, KZT still works.
  const put = (body: unknown) =>
    h.app.inject({
      method: "PUT",
      url: `/admin/v1/trading/merchants/${merchantId}/settings`,
      headers: { "x-operator-key": operatorKey, "content-type": "application/json" },
      payload: JSON.stringify(body),
    });
  const bad = await put({ fiatCurrency: "EUR", fiatCurrencies: ["RUB", "KZT"], feeRate: "0.085" });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.match(bad.body, /fiatCurrencies must include fiatCurrency/);
  assert.equal((await put({ fiatCurrency: "RUB", fiatCurrencies: ["RUB", "KZT"], feeRate: "0.085" })).statusCode, 200);
  const eur = await create({ fiatAmount: 150, fiatCurrency: "EUR" });
  assert.deepEqual([eur.statusCode, eur.json().message], [403, "CURRENCY_NOT_AVAILABLE"]);
  assert.equal((await create({ fiatAmount: 30000, fiatCurrency: "KZT" })).statusCode, 201);
});
