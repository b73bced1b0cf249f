// Abuse and headers: nosniff on every response, a CSP on /docs, payer pages framable by no site
// unless the operator names origins, the client address through trusted proxies only, and one URL
// rule (no credentials) at every point a URL is registered.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import type { InjectOptions } from "fastify";
import { CARD_TEST_ENV, PASSWORD, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createHarness, type Harness } from "../support/harness.js";
import { configureStore, intentBody } from "../support/intents.js";
import { jsonCall } from "../support/json-call.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

const PAYER_PAGES = ["/pay/00000000-0000-4000-8000-000000000000", "/kyc/abcdefghijklmnopqrstuvwx", "/3ds/abcdefghijklmnopqrstuvwx"];

describe("default configuration", () => {
  let h: Harness;
  let fx: TradingFixture;
  let op: string;
  before(async () => {
    h = await createHarness({ env: CARD_TEST_ENV });
    fx = await setupTrading(h.deps);
    await seedCardPairs(h.deps);
    op = await createOperatorKey(h.deps, "test");
  });
  after(async () => h.close());

  test("X-Content-Type-Options: nosniff on every kind of response", async () => {
    const calls: InjectOptions[] = [
      { method: "GET", url: "/healthz" },
      { method: "GET", url: "/payment/account", headers: { "x-api-key": fx.merchant.apiKey } },
      { method: "GET", url: "/payment/account" },
      { method: "GET", url: "/no/such/route" },
      { method: "POST", url: "/admin/v1/merchants", headers: { "x-operator-key": op, "content-type": "application/json" }, payload: "{" },
      { method: "GET", url: "/docs" },
      { method: "GET", url: "/docs/json" },
      { method: "GET", url: "/cabinet/login" },
      ...PAYER_PAGES.map((url) => ({ method: "GET", url })),
    ];
    for (const c of calls) {
      const r = await h.app.inject(c);
      assert.equal(r.headers["x-content-type-options"], "nosniff", `${c.method} ${c.url} → ${r.statusCode}`);
    }
  });

  test("/docs has a CSP: not framable, nothing from other origins, no upgrade to https", async () => {
    for (const url of ["/docs", "/docs/static/index.html"]) {
      const r = await h.app.inject({ method: "GET", url });
      const csp = String(r.headers["content-security-policy"] ?? "");
      assert.match(csp, /default-src 'self'/, url);
      assert.match(csp, /frame-ancestors 'none'/, url);
      assert.doesNotMatch(csp, /upgrade-insecure-requests|https:|validator\.swagger\.io/, url);
    }
  });

  test("payer pages (/pay, /kyc, /3ds) cannot be framed by any site", async () => {
    for (const url of PAYER_PAGES) {
      const r = await h.app.inject({ method: "GET", url });
      assert.match(String(r.headers["content-security-policy"]), /frame-ancestors 'none'/, url);
      assert.equal(r.headers["x-frame-options"], "DENY", url);
    }
  });

  test("credentials in a URL are refused at every point a URL is registered", async () => {
    const bad = "https://user:secret@hooks.example.com/x";
    const key = { "x-api-key": fx.merchant.apiKey };
    await configureStore(h, fx.merchant.storeId);
    const customer = await registerCustomer(h.app, fx.merchant.merchantId);
    const cases: { field: string; call: () => Promise<{ status: number; text: string }> }[] = [
      { field: "callbackUrl", call: () => jsonCall(h.app, "POST", "/payment/trading/pay-in", key, { fiatAmount: 5000, callbackUrl: bad }) },
      { field: "ipnUrl", call: () => jsonCall(h.app, "POST", "/payment/intent", key, intentBody(fx.merchant.storeId, { ipnUrl: bad })) },
      { field: "successUrl", call: () => jsonCall(h.app, "POST", "/payment/intent", key, intentBody(fx.merchant.storeId, { successUrl: bad })) },
      { field: "webhookUrl", call: () => jsonCall(h.app, "PUT", `/admin/v1/trading/merchants/${fx.merchant.merchantId}/settings`, { "x-operator-key": op }, { fiatCurrency: "RUB", feeRate: "0.05", webhookUrl: bad }) },
      { field: "url", call: () => jsonCall(h.app, "PUT", `/admin/v1/merchants/${fx.merchant.merchantId}/card-webhook`, { "x-operator-key": op }, { url: bad }) },
      {
        field: "successUrl",
        call: async () => {
          const r = await h.app.inject({ method: "POST", url: "/v3/payin/pay/1", headers: { ...customer.headers, "content-type": "application/json" }, payload: JSON.stringify({ successUrl: bad }) });
          return { status: r.statusCode, text: r.body };
        },
      },
    ];
    for (const c of cases) {
      const r = await c.call();
      assert.equal(r.status, 400, `${c.field}: ${r.text}`);
      assert.match(r.text, new RegExp(`${c.field}|${c.field.replace(/[A-Z]/g, (m) => `_${m}`).toUpperCase()}`), c.field);
      assert.doesNotMatch(r.text, /secret@/, `${c.field}: the credentials are not echoed`);
    }
  });
});

describe("operator configuration", () => {
  let h: Harness;
  let merchantId: string;
  before(async () => {
    h = await createHarness({ env: { ...CARD_TEST_ENV, RAMPART_TRUST_PROXY: "127.0.0.1", RAMPART_FRAME_ANCESTORS: "https://shop.example https://*.shop.example" } });
    merchantId = (await setupTrading(h.deps)).merchant.merchantId;
    await seedCardPairs(h.deps);
  });
  after(async () => h.close());

  test("RAMPART_FRAME_ANCESTORS: payer pages may be framed by those origins only", async () => {
    for (const url of PAYER_PAGES) {
      const r = await h.app.inject({ method: "GET", url });
      assert.match(String(r.headers["content-security-policy"]), /frame-ancestors https:\/\/shop\.example https:\/\/\*\.shop\.example;/, url);
      assert.equal(r.headers["x-frame-options"], undefined, url);
    }
    const cabinet = await h.app.inject({ method: "GET", url: "/cabinet/login" });
    assert.match(String(cabinet.headers["content-security-policy"]), /frame-ancestors 'none'/, "signed-in areas never");
  });

  test("RAMPART_TRUST_PROXY: sign-in lockouts use the client address the trusted proxy forwards", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    const token = (password: string, forwardedFor: string) =>
      h.app.inject({
        method: "POST",
        url: "/oauth/token",
        remoteAddress: "127.0.0.1",
        headers: { "content-type": "application/x-www-form-urlencoded", "x-merchant-id": merchantId, "x-forwarded-for": forwardedFor },
        payload: `grant_type=mobile_phone&number=${encodeURIComponent(who.phone)}&password=${encodeURIComponent(password)}`,
      });
    for (let i = 0; i < 5; i++) assert.equal((await token("nope nope 1", "203.0.113.7")).statusCode, 400);
    assert.equal((await token(PASSWORD, "203.0.113.7")).statusCode, 429, "locked for the guessing client");
    assert.equal((await token(PASSWORD, "198.51.100.9")).statusCode, 200, "another client behind the same proxy signs in");
  });
});
