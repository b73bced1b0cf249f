// The HTML pages' bad input, found by fuzzing the consoles, the cabinet and the payer pages: a cookie
// that is not valid percent-encoding, a repeated query field, and a refusal that echoes a huge input
// into the redirect's Location; an id that only looks like a UUID. Each answers as a browser (or an
// API client) would expect, never a 500.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { receiveBankTransfer } from "../../src/app/bank-transfers/receive-bank-transfer.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { createMerchantUser, portalSession } from "../support/merchant-users.js";
import { getPage, postForm, staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let payinId: string;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  const p = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 5000 });
  assert.equal(p.status, 201, p.text);
  payinId = p.json.id;
});
after(async () => h.close());

const unhandled = () => h.logs.lines.filter((l) => l.includes("unhandled error") || l.includes('"stack"'));

test("a cookie that is not valid percent-encoding is no cookie: each page answers as it does without one", async () => {
  const cases: { method: "GET" | "POST"; url: string; cookie: string }[] = [
    // The payer's language cookie is read on every payer page.
    { method: "GET", url: `/pay/${payinId}`, cookie: "rampart_lang=%ED%A0%80" },
    { method: "GET", url: "/cabinet/login", cookie: "rampart_lang=%E0" },
    { method: "GET", url: "/cabinet", cookie: "rampart_trader=%" },
    { method: "GET", url: "/dashboard/overview", cookie: "rampart_operator=%ED%A0%80" },
    { method: "GET", url: "/merchant/overview", cookie: "rampart_merchant=%E0" },
    { method: "POST", url: "/dashboard/logout", cookie: "rampart_operator=%ED%A0%80" },
    { method: "POST", url: "/merchant/login/second-factor", cookie: "rampart_merchant=%ED%A0%80" },
  ];
  for (const c of cases) {
    const send = (cookie?: string) =>
      h.app.inject({
        method: c.method,
        url: c.url,
        headers: { ...(cookie ? { cookie } : {}), ...(c.method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : {}) },
        ...(c.method === "POST" ? { payload: "csrf=x&code=1" } : {}),
      });
    const [plain, bad] = [await send(), await send(c.cookie)];
    assert.ok(plain.statusCode < 500, `${c.url} without the cookie: ${plain.statusCode}`);
    assert.equal(bad.statusCode, plain.statusCode, `${c.method} ${c.url} with ${c.cookie}: ${bad.body.slice(0, 300)}`);
    assert.equal(bad.headers.location, plain.headers.location, c.url);
  }
  assert.deepEqual(unhandled(), []);
});

test("a repeated query field counts once on the console's and the portal's pages", async () => {
  const admin = await staffSession(h, "admin");
  const m = fx.merchant.merchantId;
  for (const url of [`/dashboard/risk?merchant=${m}`, `/dashboard/risk/new-velocity?merchant=${m}`]) {
    const once = await getPage(h, admin, url);
    assert.equal(once.statusCode, 200, `${url}: ${once.body.slice(0, 300)}`);
    const twice = await getPage(h, admin, `${url}&merchant=someone-else`);
    assert.equal(twice.statusCode, 200, `${url} twice: ${twice.body.slice(0, 300)}`);
    assert.ok(twice.body.includes(`?merchant=${m}`), "the first value is the one used");
  }
  const owner = await portalSession(h, await createMerchantUser(h, m, "owner"));
  const payments = await getPage(h, owner, "/merchant/payments?status=active&status=closed&dialect=trading&dialect=intent");
  assert.equal(payments.statusCode, 200, payments.body.slice(0, 300));
  assert.deepEqual(unhandled(), []);
});

test("a refusal's notice is cut in the redirect: an input of 50,000 characters does not make a 50 kB Location", async () => {
  const admin = await staffSession(h, "admin");
  const r = await postForm(h, admin, `/dashboard/merchants/${fx.merchant.merchantId}/trading-settings`, { fiatCurrency: "X".repeat(50_000), feeRate: "0.05" });
  assert.equal(r.statusCode, 303, r.body.slice(0, 300));
  const location = String(r.headers.location);
  assert.match(location, /[?&]error=/);
  assert.ok(location.length < 1_000, `${location.length} characters`);
  const owner = await portalSession(h, await createMerchantUser(h, fx.merchant.merchantId, "owner"));
  const mode = await postForm(h, owner, "/merchant/mode", { mode: "live", back: `/merchant/${"x".repeat(50_000)}` });
  assert.equal(mode.statusCode, 303, mode.body.slice(0, 300));
  assert.equal(mode.headers.location, "/merchant/overview", "an unknown section goes back to the overview");
});

test("an id that only looks like a UUID (36 dashes, 36 zeros) or is none at all is not found on the console's, the portal's and the admin API's actions (found by fuzzing)", async () => {
  const m = fx.merchant.merchantId;
  const dashes = "-".repeat(36);
  const zeros = "0".repeat(36);
  const key = await createOperatorKey(h.deps, "test");
  for (const id of [dashes, zeros]) {
    const redeliver = await jsonCall(h.app, "POST", `/admin/v1/webhooks/endpoints/${id}/redeliver-failed`, operatorHeader(key));
    assert.deepEqual([redeliver.status, redeliver.json.error], [404, "not_found"], redeliver.text);
    const disable = await jsonCall(h.app, "POST", `/admin/v1/merchants/${m}/users/${id}/disable`, operatorHeader(key));
    assert.deepEqual([disable.status, disable.json.error], [404, "not_found"], disable.text);
  }
  const admin = await staffSession(h, "admin");
  const owner = await portalSession(h, await createMerchantUser(h, m, "owner"));
  const transfer = await receiveBankTransfer(h.deps, { externalId: "fuzz-assign", feed: "test-statement", amountMinor: 13_100n, currency: "RUB", requisiteId: null, reference: null, payerName: null, payerIban: null, receivedAt: h.clock.now() });
  const forms: [{ cookie: string; csrf: string }, string, Record<string, string>][] = [
    [admin, `/dashboard/unmatched/${transfer.transferId}/assign`, { to: "tradingPayinId", value: "abc" }],
    [admin, `/dashboard/webhooks/endpoints/${dashes}/redeliver-failed`, {}],
    [admin, `/dashboard/merchants/${m}/users/${dashes}/disable`, {}],
    [owner, `/merchant/users/${zeros}/disable`, {}],
  ];
  for (const [who, url, fields] of forms) {
    // The console answers with its notice on the list it came from; the portal with its 404 page.
    const r = await postForm(h, who, url, fields);
    if (r.statusCode === 404) continue;
    assert.equal(r.statusCode, 303, `${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    assert.match(new URL(String(r.headers.location), "http://x").searchParams.get("error") ?? "", /not found|No such|No trading pay-in/, url);
  }
  assert.deepEqual(unhandled(), []);
});
