// GET and PATCH /merchant/v1/settings and /merchant/v1/keys (issue 19): the merchant's own settings
// with its API key, only the given fields changed, each refusal naming its field, another merchant's
// store 404 with nothing written, a read-only key refused on every change, and a changed payment window
// used by pay-ins created after the change while an earlier one keeps its own.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { findIntent } from "../../src/db/intents/intents.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { configureStore, INTENT_RATES_ENV, intentBody } from "../support/intents.js";
import { jsonCall, type Method } from "../support/json-call.js";
import { createPayinOverHttp, setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let other: MerchantFixture;
let op: string;

before(async () => {
  // Private webhook targets refused, as in production: the SSRF check is part of the contract.
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_FIXED_RATES: `${INTENT_RATES_ENV.RAMPART_FIXED_RATES},RUB/USDT=95.5`, RAMPART_ALLOW_PRIVATE_WEBHOOKS: "0" } });
  fx = await setupTrading(h.deps);
  other = await createMerchant(h.deps, { name: "Other Shop" });
  await configureStore(h, fx.merchant.storeId);
  await configureStore(h, other.storeId);
  op = await createOperatorKey(h.deps, "test");
});
after(async () => h.close());

const call = (method: Method, url: string, key: string | null, body?: unknown) => jsonCall(h.app, method, url, key ? { "x-api-key": key } : {}, body);
const settings = async (key = fx.merchant.apiKey) => {
  const r = await call("GET", "/merchant/v1/settings", key);
  assert.equal(r.status, 200, r.text);
  return r.json;
};

describe("authentication", () => {
  test("no key, a wrong key, an operator key: 401 on every route", async () => {
    for (const [method, url, body] of [
      ["GET", "/merchant/v1/settings"],
      ["PATCH", "/merchant/v1/settings", { trading: { paymentWindowMinutes: 5 } }],
      ["GET", "/merchant/v1/keys"],
      ["POST", "/merchant/v1/keys", { label: "x" }],
      ["DELETE", "/merchant/v1/keys/abc"],
    ] as [Method, string, unknown?][]) {
      for (const key of [null, "rmp_nothing_wrong", op]) {
        const r = await call(method, url, key, body);
        assert.equal(r.status, 401, `${method} ${url} with ${key === null ? "no key" : key}`);
        assert.equal(r.json.error, "unauthorized");
      }
    }
  });
});

describe("settings", () => {
  test("GET: the trading settings and each store's settings; another merchant sees only its own, and its store as a cursor is 400", async () => {
    const s = await settings();
    assert.equal(s.trading.paymentWindowMinutes, 15);
    assert.equal(Number(s.trading.feeRate), 0.085);
    assert.equal(s.trading.minFiatAmount, "100.00");
    assert.deepEqual(
      s.stores.items.map((x: { storeId: string }) => x.storeId),
      [fx.merchant.storeId],
    );
    assert.deepEqual(s.stores.items[0].intent.servedCountries, ["ES", "PT", "DE", "FR", "IT", "NL"]);
    assert.equal(s.stores.items[0].intent.defaultIpnUrl, null);
    assert.equal(s.stores.nextCursor, null);
    const o = await settings(other.apiKey);
    assert.equal(o.trading, null, "trading is not enabled for the other merchant");
    assert.deepEqual(
      o.stores.items.map((x: { storeId: string }) => x.storeId),
      [other.storeId],
    );
    for (const cursor of [fx.merchant.storeId, "zz"]) {
      const r = await call("GET", `/merchant/v1/settings?cursor=${cursor}`, other.apiKey);
      assert.deepEqual([r.status, r.json.error, r.json.field], [400, "validation_failed", "cursor"], `${cursor}: ${r.text}`);
    }
  });

  test("PATCH changes only the given fields and says from when they apply", async () => {
    const before = await settings();
    const r = await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, {
      trading: { maxFiatAmount: "250000.50", allowedMethods: ["card"], webhookUrl: "https://shop.example/hooks" },
      stores: [{ storeId: fx.merchant.storeId, kycValidityDays: 90, defaultIpnUrl: "https://shop.example/ipn", defaultSuccessUrl: "https://shop.example/ok" }],
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.json.appliesTo, /created after changedAt/);
    assert.equal(r.json.changedAt, h.clock.now().toISOString());
    assert.deepEqual(r.json.trading, { ...before.trading, maxFiatAmount: "250000.50", allowedMethods: ["card"], webhookUrl: "https://shop.example/hooks" });
    const { updatedAt: _a, ...store } = r.json.stores[0].intent;
    const { updatedAt: _b, ...storeBefore } = before.stores.items[0].intent;
    assert.deepEqual(store, { ...storeBefore, kycValidityDays: 90, defaultIpnUrl: "https://shop.example/ipn", defaultSuccessUrl: "https://shop.example/ok" });
    const after = await settings();
    assert.deepEqual(after.trading, r.json.trading);
    assert.deepEqual(after.stores.items[0].intent, r.json.stores[0].intent);
    // The operator reads the same settings.
    const opView = await jsonCall(h.app, "GET", `/admin/v1/trading/merchants/${fx.merchant.merchantId}/settings`, { "x-operator-key": op });
    assert.equal(opView.status, 200, opView.text);
    assert.deepEqual(opView.json, after.trading);
    // null clears a URL.
    const cleared = await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, { trading: { webhookUrl: null, allowedMethods: null } });
    assert.equal(cleared.json.trading.webhookUrl, null);
    assert.equal(cleared.json.trading.allowedMethods, null);
  });

  test("each refusal names its field; nothing of a refused PATCH is written", async () => {
    const before = await settings();
    const cases: [unknown, string, string][] = [
      [{}, "validation_failed", ""],
      [{ trading: {} }, "validation_failed", "trading"],
      [{ trading: { paymentWindowMinutes: 0 } }, "validation_failed", "trading.paymentWindowMinutes"],
      [{ trading: { paymentWindowMinutes: 20, feeRate: "0" } }, "validation_failed", "trading.feeRate"],
      [{ trading: { minFiatAmount: "1.001" } }, "validation_failed", "trading.minFiatAmount"],
      [{ trading: { minFiatAmount: 5000, maxFiatAmount: 100 } }, "validation_failed", "trading.minFiatAmount"],
      [{ trading: { fiatCurrencies: ["KZT"] } }, "validation_failed", "trading.fiatCurrencies"],
      [{ trading: { fiatCurrencies: ["RUB", "XYZ"] } }, "validation_failed", "trading.fiatCurrencies.1"],
      [{ trading: { webhookUrl: "ftp://shop.example/x" } }, "validation_failed", "trading.webhookUrl"],
      [{ trading: { webhookUrl: "http://127.0.0.1:8080/x" } }, "validation_failed", "trading.webhookUrl"],
      [{ trading: { webhookUrl: "http://169.254.169.254/latest" } }, "validation_failed", "trading.webhookUrl"],
      [{ trading: { returnUrl: "https://user:pw@shop.example/" } }, "validation_failed", "trading.returnUrl"],
      [{ stores: [{ storeId: fx.merchant.storeId, servedCountries: ["ES", "XX"] }] }, "validation_failed", "stores.0.servedCountries.1"],
      [{ stores: [{ storeId: fx.merchant.storeId, kycValidityDays: 0 }] }, "validation_failed", "stores.0.kycValidityDays"],
      [{ stores: [{ storeId: fx.merchant.storeId, defaultIpnUrl: "http://[::1]/ipn" }] }, "validation_failed", "stores.0.defaultIpnUrl"],
      [{ stores: [{ storeId: fx.merchant.storeId }, { storeId: fx.merchant.storeId }] }, "validation_failed", "stores.1.storeId"],
      // A valid trading change with a refused store change: neither is written.
      [{ trading: { paymentWindowMinutes: 45 }, stores: [{ storeId: fx.merchant.storeId, servedCountries: ["ZZ"] }] }, "validation_failed", "stores.0.servedCountries.0"],
      [{ trading: { paymentWindowMinutes: 45 }, stores: [{ storeId: other.storeId, kycValidityDays: 1 }] }, "not_found", "stores.0.storeId"],
      [{ stores: [{ storeId: "no_such_store", kycValidityDays: 1 }] }, "not_found", "stores.0.storeId"],
    ];
    for (const [body, code, field] of cases) {
      const r = await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, body);
      assert.equal(r.json.error, code, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.status, code === "not_found" ? 404 : 400);
      assert.equal(r.json.field ?? "", field, JSON.stringify(body));
    }
    assert.deepEqual(await settings(), before);
    const otherStore = (await settings(other.apiKey)).stores.items[0].intent;
    assert.equal(otherStore.kycValidityDays, 365, "the other merchant's store is untouched");
  });

  test("a merchant without trading settings cannot turn trading on itself (403 trading_not_enabled)", async () => {
    const r = await call("PATCH", "/merchant/v1/settings", other.apiKey, { trading: { paymentWindowMinutes: 10 } });
    assert.equal(r.status, 403);
    assert.equal(r.json.error, "trading_not_enabled");
    assert.equal(r.json.field, "trading");
  });

  test("the operator's PUT reads the shared fields as the PATCH does (minutes, banks, amounts) plus its own; a bad amount names its bare field", async () => {
    const shop = await createMerchant(h.deps, { name: "Put Shop" });
    const url = `/admin/v1/trading/merchants/${shop.merchantId}/settings`;
    const body = {
      fiatCurrency: "RUB",
      fiatCurrencies: ["RUB", "KZT"],
      feeRate: "0.07",
      paymentWindowMinutes: 25,
      disputeAutoResolveMinutes: 90,
      allowedMethods: ["sbp"],
      allowedBanks: ["sber", "Tinkoff", "ſber"],
      minFiatAmount: 500,
      maxFiatAmount: "120000.50",
      webhookUrl: "https://shop.example/put-hook",
      requireRequestSignature: true,
      returnUrl: "https://shop.example/back",
      payerDisputeReopens: 2,
    };
    const put = await jsonCall(h.app, "PUT", url, { "x-operator-key": op }, body);
    assert.equal(put.status, 200, put.text);
    const read = await jsonCall(h.app, "GET", url, { "x-operator-key": op });
    assert.deepEqual(read.json, { ...body, feeRate: "0.07000000", allowedBanks: ["SBER", "TINKOFF", "ſBER"], minFiatAmount: "500.00" }, "the long s is no S: that bank is none of SBER's");
    const bad = await jsonCall(h.app, "PUT", url, { "x-operator-key": op }, { fiatCurrency: "RUB", feeRate: "0.07", maxFiatAmount: "1.001" });
    assert.deepEqual([bad.status, bad.json.error, bad.json.field], [400, "validation_failed", "maxFiatAmount"]);
    assert.deepEqual((await jsonCall(h.app, "GET", url, { "x-operator-key": op })).json, read.json, "nothing of the refused PUT is written");
  });

  test("a new payment window applies to pay-ins created after the change; an earlier one keeps its expiry", async () => {
    await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, { trading: { paymentWindowMinutes: 15, allowedMethods: null } });
    const older = await createPayinOverHttp(h.app, fx.merchant.apiKey, 1000);
    const olderExpiry = Date.parse((older as unknown as { expiresAt: string }).expiresAt);
    assert.equal(olderExpiry - h.clock.now().getTime(), 15 * 60_000);
    const r = await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, { trading: { paymentWindowMinutes: 40 } });
    assert.equal(r.status, 200, r.text);
    h.clock.advance(1000);
    const newer = (await createPayinOverHttp(h.app, fx.merchant.apiKey, 1001)) as unknown as { expiresAt: string };
    assert.equal(Date.parse(newer.expiresAt) - h.clock.now().getTime(), 40 * 60_000, "the new pay-in uses the new window");
    const again = await call("GET", `/payment/trading/${older.id}`, fx.merchant.apiKey);
    assert.equal(Date.parse(again.json.expiresAt ?? again.json.data?.expiresAt), olderExpiry, "the earlier pay-in keeps its expiry");
  });

  test("a store's default IPN and return URLs go to intents created without their own", async () => {
    await call("PATCH", "/merchant/v1/settings", fx.merchant.apiKey, {
      stores: [{ storeId: fx.merchant.storeId, defaultIpnUrl: "https://shop.example/ipn-default", defaultCancelUrl: "https://shop.example/cancel" }],
    });
    const plain = await call("POST", "/payment/intent", fx.merchant.apiKey, intentBody(fx.merchant.storeId));
    assert.equal(plain.status, 201, plain.text);
    const own = await call("POST", "/payment/intent", fx.merchant.apiKey, intentBody(fx.merchant.storeId, { ipnUrl: "https://shop.example/own" }));
    const rowOf = async (r: typeof plain) => (await findIntent(h.deps.database.db, r.json.paymentIntentId))!;
    const a = await rowOf(plain);
    assert.equal(a.ipn_url, "https://shop.example/ipn-default");
    assert.equal(a.cancel_url, "https://shop.example/cancel");
    assert.equal((await rowOf(own)).ipn_url, "https://shop.example/own");
  });
});

describe("keys", () => {
  test("create (shown once), list (never the key), a read-only key reads but changes nothing, revoke", async () => {
    const created = await call("POST", "/merchant/v1/keys", fx.merchant.apiKey, { label: "reporting", readOnly: true });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers["cache-control"], "no-store");
    const ro = created.json.apiKey as string;
    assert.match(ro, /^rmp_/);
    assert.equal(created.json.readOnly, true);
    const list = await call("GET", "/merchant/v1/keys", ro);
    assert.equal(list.status, 200, "a read-only key reads");
    const mine = list.json.items.find((k: { apiKeyId: string }) => k.apiKeyId === created.json.apiKeyId);
    assert.deepEqual({ label: mine.label, readOnly: mine.readOnly, revokedAt: mine.revokedAt }, { label: "reporting", readOnly: true, revokedAt: null });
    assert.ok(!list.text.includes(ro.slice(-20)), "the list never shows a key");
    assert.equal((await call("GET", "/merchant/v1/settings", ro)).status, 200);

    // Every route that changes something refuses it, before looking at the body.
    for (const [method, url, body] of [
      ["PATCH", "/merchant/v1/settings", { trading: { paymentWindowMinutes: 5 } }],
      ["PATCH", "/merchant/v1/settings", { nonsense: true }],
      ["POST", "/merchant/v1/keys", { label: "escalate" }],
      ["DELETE", `/merchant/v1/keys/${created.json.apiKeyId}`],
      ["POST", "/merchant/v1/risk/rules", {}],
      ["PUT", "/merchant/v1/risk/settings", {}],
      ["POST", "/payment/trading/pay-in", { fiatAmount: 1000 }],
      ["POST", "/merchant/v1/withdrawal-addresses", {}],
      ["POST", "/merchant/v1/withdrawals", {}],
      ["POST", "/payment/intent", intentBody(fx.merchant.storeId)],
    ] as [Method, string, unknown?][]) {
      const r = await call(method, url, ro, body);
      assert.equal(r.status, 403, `${method} ${url}: ${r.text}`);
      assert.match(r.text, /read_only_key/, `${method} ${url}`);
    }
    assert.equal((await call("GET", "/payment/trading/pay-in?limit=1", ro)).status < 400, true, "a dialect read works");

    // Another merchant's key: 404; label checked.
    const otherKeys = await call("GET", "/merchant/v1/keys", other.apiKey);
    const otherKeyId = otherKeys.json.items[0].apiKeyId as string;
    assert.equal((await call("DELETE", `/merchant/v1/keys/${otherKeyId}`, fx.merchant.apiKey)).status, 404);
    for (const label of ["", "   "]) {
      const noLabel = await call("POST", "/merchant/v1/keys", fx.merchant.apiKey, { label });
      assert.equal(noLabel.status, 400, `label ${JSON.stringify(label)}`);
      assert.equal(noLabel.json.field, "label");
    }

    const revoked = await call("DELETE", `/merchant/v1/keys/${created.json.apiKeyId}`, fx.merchant.apiKey);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal((await call("GET", "/merchant/v1/keys", ro)).status, 401, "a revoked key is refused at once");

    // A full key created by the merchant works for changes.
    const full = await call("POST", "/merchant/v1/keys", fx.merchant.apiKey, { label: "servers" });
    assert.equal(full.json.readOnly, false);
    assert.equal((await call("PATCH", "/merchant/v1/settings", full.json.apiKey, { trading: { disputeAutoResolveMinutes: 60 } })).status, 200);
  });
});
