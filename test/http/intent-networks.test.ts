// Networks of the /payment/intent dialect (issue 13): ticker-style network aliases answered with
// Rampart's name, GET /payment/networks listing only what an intent can buy now per fiat, and the
// fiat→crypto estimate offering only the methods an intent can be paid with.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { parsePairSpec } from "../../src/core/pricing/pair.js";
import { insertPairIfMissing } from "../../src/db/pricing/pricing-store.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { WALLETS, configureStore, intentBody, kycFields } from "../support/intents.js";

let h: Harness;
let A: MerchantFixture;

const api = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": A.apiKey }, body);

before(async () => {
  // No USDC rate: the EUR→USDC pair added below has no price.
  h = await createHarness({ env: { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92,EUR/BTC=60000,EUR/ETH=3000,USD/USDT=1" } });
  A = await createMerchant(h.deps);
  await configureStore(h, A.storeId);
  const usdc = { fiat: "EUR", crypto: "USDC", network: "erc20", methods: { sepa: { min: "10", max: "20000" } }, spreadBps: 50, fee: { percentBps: 150 }, networkFee: "1" };
  await insertPairIfMissing(h.deps.database.db, parsePairSpec(usdc, { fiatScale: 2, cryptoDecimals: 6 }));
});
after(async () => h?.close());

/** Creates a ready-to-pay intent and answers the network its instructions name. */
async function networkOf(over: Record<string, unknown>): Promise<string> {
  const c = await api("POST", "/payment/intent", intentBody(A.storeId, { ...kycFields(), ...over }));
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.status, 4);
  const ins = await api("GET", `/payment/intent/${c.json.paymentIntentId}/instructions`);
  assert.equal(ins.status, 200, ins.text);
  return ins.json.network;
}

describe("network aliases", () => {
  test("ticker-style symbols are accepted case-insensitively and answered with Rampart's network name", async () => {
    for (const network of ["TRX", "tron", "TRC20", "trc-20"]) {
      assert.equal(await networkOf({ network }), "trc20", network);
    }
    for (const network of ["ETH", "Ethereum", "ERC20", "ERC-20"]) {
      assert.equal(await networkOf({ network, walletAddress: WALLETS.erc20 }), "erc20", `USDT on ${network}`);
      assert.equal(await networkOf({ network, cryptoSymbol: "ETH", walletAddress: WALLETS.ethereum, fiatAmount: 50 }), "ethereum", `ETH on ${network}`);
    }
    for (const network of ["BTC", "bitcoin"]) {
      assert.equal(await networkOf({ network, cryptoSymbol: "BTC", walletAddress: WALLETS.bitcoin, fiatAmount: 50 }), "bitcoin", network);
    }
    const est = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT&network=ERC-20&paymentMethod=bank_transfer");
    assert.equal(est.status, 200, est.text);
    const erc20 = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT&network=erc20&paymentMethod=bank_transfer");
    assert.equal(est.json.cryptoAmount, erc20.json.cryptoAmount, "the alias prices the erc20 pair");
  });

  test("an alias of a chain with no asset configured (BSC, Polygon) is 400 unknown_currency naming network", async () => {
    for (const network of ["BSC", "BEP20", "POLYGON", "matic"]) {
      const r = await api("POST", "/payment/intent", intentBody(A.storeId, { network, walletAddress: WALLETS.erc20 }));
      assert.equal(r.status, 400, `${network}: ${r.text}`);
      assert.equal(r.json.error, "unknown_currency");
      assert.equal(r.json.field, "network");
    }
  });
});

describe("GET /payment/networks", () => {
  test("lists only what an intent can buy now, per fiat, with each network's aliases", async () => {
    const all = await api("GET", "/payment/networks");
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json, [
      { cryptoSymbol: "BTC", network: "bitcoin", name: "Bitcoin", decimals: 8, aliases: ["BTC", "BITCOIN"], currencyIsoCodes: ["EUR"] },
      { cryptoSymbol: "ETH", network: "ethereum", name: "Ether", decimals: 18, aliases: ["ETH", "ETHEREUM", "ERC20", "ERC-20"], currencyIsoCodes: ["EUR"] },
      { cryptoSymbol: "USDT", network: "trc20", name: "Tether USD (TRON)", decimals: 6, aliases: ["TRX", "TRON", "TRC20", "TRC-20"], currencyIsoCodes: ["EUR"] },
      { cryptoSymbol: "USDT", network: "erc20", name: "Tether USD (Ethereum)", decimals: 6, aliases: ["ETH", "ETHEREUM", "ERC20", "ERC-20"], currencyIsoCodes: ["EUR"] },
    ], "USDC has a pair but no price; USD, RUB and KZT pairs offer no bank transfer");
    const usdc = await api("POST", "/payment/intent", intentBody(A.storeId, { cryptoSymbol: "USDC", network: "erc20", walletAddress: WALLETS.erc20 }));
    assert.equal(usdc.status, 503, "what is not listed cannot be bought");

    const eur = await api("GET", "/payment/networks?currencyIsoCode=eur");
    assert.deepEqual(eur.json, all.json);
    const usd = await api("GET", "/payment/networks?currencyIsoCode=USD");
    assert.equal(usd.status, 200);
    assert.deepEqual(usd.json, [], "USD→USDT is a card pair: nothing an intent can buy");
    const unknown = await api("GET", "/payment/networks?currencyIsoCode=QQQ");
    assert.equal(unknown.status, 400);
    assert.equal(unknown.json.error, "unknown_currency");
    assert.equal(unknown.json.field, "currencyIsoCode");
  });
});

describe("fiat → crypto estimate", () => {
  test("offers only the methods an intent can be paid with: card is refused like on the create", async () => {
    const all = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT");
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.json.cryptoAmounts.map((c: { paymentMethod: string }) => c.paymentMethod), ["bank_transfer"]);
    const card = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=EUR&cryptoSymbol=USDT&paymentMethod=card");
    assert.equal(card.status, 400, card.text);
    assert.equal(card.json.error, "pair_unavailable");
    assert.equal(card.json.field, "paymentMethod");
    const cardOnly = await api("GET", "/payment/estimate-fiat-to-crypto-exchange?fiatAmount=100&currencyIsoCode=USD&cryptoSymbol=USDT");
    assert.equal(cardOnly.status, 400, cardOnly.text);
    assert.equal(cardOnly.json.error, "pair_unavailable");
  });
});
