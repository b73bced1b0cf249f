// /merchant/v1/webhook-endpoints (issue 19): a merchant's own webhook endpoints through the API, with
// a real loopback receiver. Auth, validation (each refusal naming its field), the SSRF check, another
// merchant's endpoint 404 with nothing changed, a read-only key refused on every change, the bound on
// endpoints and page sizes; the test event signed with the endpoint's secret; the fan-out of a trading
// pay-in's status to matching endpoints beside its unchanged dialect callback; a rotation's overlap
// signing with both secrets until it ends; the delivery log with each attempt; redelivery of one message.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { addMerchantKey } from "../../src/app/merchants/merchants.js";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { createWebhookEndpoint, MAX_ENDPOINTS_PER_MERCHANT } from "../../src/app/outbox/merchant-webhook-endpoints.js";
import { saveTradingSettings } from "../../src/app/trading/settings-admin.js";
import { ENVELOPE_SIGNATURE_HEADER, verifyEnvelope, verifyTradingBody } from "../../src/core/webhooks/signatures.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, type Json, type Method } from "../support/json-call.js";
import { configureStore, drain, INTENT_RATES_ENV, intentBody, ipnStatuses, kycFields } from "../support/intents.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { createMerchantUser, portalSession } from "../support/merchant-users.js";
import { postForm } from "../support/staff.js";
import { createPayinOverHttp, setupTrading, type TradingFixture } from "../support/trading.js";
import { type ReceivedRequest, type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let fx: TradingFixture;
let other: MerchantFixture;
let rx: Receiver;
let op: string;

before(async () => {
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_FIXED_RATES: `${INTENT_RATES_ENV.RAMPART_FIXED_RATES},RUB/USDT=95.5` } });
  fx = await setupTrading(h.deps);
  other = await createMerchant(h.deps, { name: "Other Shop" });
  op = await createOperatorKey(h.deps, "test");
  rx = await startReceiver((r) => ({ status: r.url.startsWith("/fail") ? 500 : 200, body: `got ${r.url}` }));
});
after(async () => {
  await rx?.close();
  await h?.close();
});
beforeEach(() => {
  rx.received.length = 0;
});

const BASE = "/merchant/v1/webhook-endpoints";
const call = (method: Method, url: string, key: string | null, body?: unknown) => jsonCall(h.app, method, url, key ? { "x-api-key": key } : {}, body);
const nowS = () => Math.floor(h.clock.now().getTime() / 1000);
const at = (path: string) => (r: ReceivedRequest) => r.url === path;

async function deliverAll(): Promise<void> {
  while ((await runWebhookDelivery(h.deps, { rand: () => 0.5 })) > 0);
}

async function create(key: string, body: Json): Promise<Json> {
  const r = await call("POST", BASE, key, body);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers["cache-control"], "no-store", "the secret is shown once: no cache may keep it");
  return r.json;
}

/** The v1 entries of a rampart-signature header. */
const v1Count = (header: string) => header.split(",").filter((p) => p.startsWith("v1=")).length;

describe("authentication and read-only keys", () => {
  test("no key, a wrong key, an operator key: 401 on every route", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    const routes: [Method, string, unknown?][] = [
      ["GET", BASE],
      ["POST", BASE, { url: "https://shop.example/h", eventTypes: ["*"] }],
      ["GET", `${BASE}/${id}`],
      ["PATCH", `${BASE}/${id}`, { enabled: false }],
      ["POST", `${BASE}/${id}/rotate-secret`, {}],
      ["POST", `${BASE}/${id}/test`],
      ["GET", `${BASE}/${id}/messages`],
      ["GET", `${BASE}/${id}/messages/x`],
      ["POST", `${BASE}/${id}/messages/x/redeliver`],
    ];
    for (const [method, url, body] of routes) {
      for (const key of [null, "rmp_nothing_wrong", op]) {
        const r = await call(method, url, key, body);
        assert.equal(r.status, 401, `${method} ${url} with ${key === null ? "no key" : key}`);
        assert.equal(r.json.error, "unauthorized");
      }
    }
  });

  test("a read-only key reads the endpoints and their log, and is refused (403 read_only_key) on every change, nothing written", async () => {
    const ro = (await addMerchantKey(h.deps, fx.merchant.merchantId, "reporting", true)).apiKey;
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/ro`, eventTypes: ["withdrawal.*"] });
    for (const [method, url, body] of [
      ["POST", BASE, { url: "https://shop.example/ro2", eventTypes: ["*"] }],
      ["PATCH", `${BASE}/${e.endpointId}`, { enabled: false }],
      ["POST", `${BASE}/${e.endpointId}/rotate-secret`, {}],
      ["POST", `${BASE}/${e.endpointId}/test`],
      ["POST", `${BASE}/${e.endpointId}/messages/x/redeliver`],
    ] as [Method, string, unknown?][]) {
      const r = await call(method, url, ro, body);
      assert.equal(r.status, 403, `${method} ${url}: ${r.text}`);
      assert.equal(r.json.error, "read_only_key");
    }
    assert.equal((await call("GET", `${BASE}/${e.endpointId}`, ro)).json.enabled, true);
    assert.equal((await call("GET", `${BASE}/${e.endpointId}/messages`, ro)).json.items.length, 0, "no test event was queued");
    assert.ok((await call("GET", BASE, ro)).json.items.some((x: Json) => x.endpointId === e.endpointId));
  });
});

describe("create, read, change", () => {
  test("create answers the secret once; list and read never show it; PATCH changes only what it gives", async () => {
    const e = await create(fx.merchant.apiKey, { url: "https://shop.example/one", eventTypes: ["trading.payin.*", "withdrawal.confirmed", "trading.payin.*"], description: "orders" });
    assert.match(e.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.deepEqual(
      { url: e.url, eventTypes: e.eventTypes, description: e.description, enabled: e.enabled, stoppedAt: e.stoppedAt },
      { url: "https://shop.example/one", eventTypes: ["trading.payin.*", "withdrawal.confirmed"], description: "orders", enabled: true, stoppedAt: null },
    );
    const list = await call("GET", BASE, fx.merchant.apiKey);
    assert.equal(list.status, 200);
    assert.ok(!list.text.includes(e.secret) && !list.text.includes("whsec_"), "the list never shows a secret");
    const one = await call("GET", `${BASE}/${e.endpointId}`, fx.merchant.apiKey);
    assert.equal(one.status, 200);
    assert.equal(one.json.previousSecretExpiresAt, null);
    assert.ok(!one.text.includes("whsec_"));

    const patched = await call("PATCH", `${BASE}/${e.endpointId}`, fx.merchant.apiKey, { enabled: false, eventTypes: ["*"] });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual({ enabled: patched.json.enabled, eventTypes: patched.json.eventTypes, description: patched.json.description }, { enabled: false, eventTypes: ["*"], description: "orders" });
  });

  test("bad input is 400 naming its field, nothing written", async () => {
    const before = (await call("GET", BASE, fx.merchant.apiKey)).json.items.length;
    for (const [body, field] of [
      [{ url: "ftp://shop.example/h", eventTypes: ["*"] }, "url"],
      [{ url: "https://user:pw@shop.example/h", eventTypes: ["*"] }, "url"],
      [{ url: "https://shop.example/h", eventTypes: ["trading.payin.paid_twice"] }, "eventTypes"],
      [{ url: "https://shop.example/h", eventTypes: ["trading.*"] }, "eventTypes"],
      [{ url: "https://shop.example/h", eventTypes: [] }, "eventTypes"],
      [{ url: "https://shop.example/h" }, "eventTypes"],
      [{ url: "https://shop.example/h", eventTypes: ["*"], description: "x\u0007y" }, "description"],
      [{ url: "https://shop.example/h", eventTypes: ["*"], extra: 1 }, "extra"],
    ] as [Json, string][]) {
      const r = await call("POST", BASE, fx.merchant.apiKey, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.text}`);
      assert.equal(r.json.error, "validation_failed");
      assert.match(String(r.json.field), new RegExp(field), JSON.stringify(body));
    }
    const e = await create(fx.merchant.apiKey, { url: "https://shop.example/dup", eventTypes: ["*"] });
    const dup = await call("POST", BASE, fx.merchant.apiKey, { url: "https://shop.example/dup", eventTypes: ["withdrawal.*"] });
    assert.equal(dup.status, 409, dup.text);
    // The same receiver written another way (host case, the default port) is the same URL.
    const spelled = await call("POST", BASE, fx.merchant.apiKey, { url: "https://SHOP.example:443/dup", eventTypes: ["withdrawal.*"] });
    assert.equal(spelled.status, 409, spelled.text);
    const clash = await call("PATCH", `${BASE}/${e.endpointId}`, fx.merchant.apiKey, { url: "https://shop.example/one" });
    assert.equal(clash.status, 409, "another endpoint's URL");
    const empty = await call("PATCH", `${BASE}/${e.endpointId}`, fx.merchant.apiKey, {});
    assert.equal(empty.status, 400);
    for (const q of ["limit=0", "limit=101", "cursor=abc", "cursor=9999999999999999999", "cursor=9223372036854775808", "status=lost"]) {
      const r = await call("GET", `${BASE}/${e.endpointId}/messages?${q}`, fx.merchant.apiKey);
      assert.equal(r.status, 400, `${q}: ${r.text}`);
    }
    // The largest bigint is still a cursor (the ones above it would overflow in SQL).
    const top = await call("GET", `${BASE}/${e.endpointId}/messages?cursor=9223372036854775807`, fx.merchant.apiKey);
    assert.equal(top.status, 200, top.text);
    const rot = await call("POST", `${BASE}/${e.endpointId}/rotate-secret`, fx.merchant.apiKey, { overlapMinutes: 7 * 24 * 60 + 1 });
    assert.equal(rot.status, 400);
    assert.equal((await call("GET", BASE, fx.merchant.apiKey)).json.items.length, before + 1);
  });

  test("SSRF: with private targets refused (production), a loopback, private or localhost URL is 400 naming url", async () => {
    const strict = { ...h.deps, config: { ...h.deps.config, allowPrivateWebhooks: false } };
    for (const url of ["http://127.0.0.1:8080/h", "http://10.1.2.3/h", "http://localhost/h", "http://localhost./h", "http://a.localhost../h", "http://[::1]/h", "http://169.254.169.254/latest", "http://example.com:0/h"]) {
      await assert.rejects(createWebhookEndpoint(strict, fx.merchant.merchantId, { url, eventTypes: ["*"] }), (err: Json) => err.code === "validation_failed" && err.field === "url", url);
    }
  });

  test(`at most ${MAX_ENDPOINTS_PER_MERCHANT} endpoints per merchant: the next is 409 webhook_endpoint_limit_reached`, async () => {
    const m = await createMerchant(h.deps, { name: "Busy Shop" });
    const made = await Promise.all(
      Array.from({ length: MAX_ENDPOINTS_PER_MERCHANT + 2 }, (_, i) => call("POST", BASE, m.apiKey, { url: `https://shop.example/n${i}`, eventTypes: ["*"] })),
    );
    assert.equal(made.filter((r) => r.status === 201).length, MAX_ENDPOINTS_PER_MERCHANT, "concurrent creates cannot pass the bound");
    assert.ok(made.filter((r) => r.status !== 201).every((r) => r.status === 409 && r.json.error === "webhook_endpoint_limit_reached"));
    assert.equal((await call("GET", BASE, m.apiKey)).json.items.length, MAX_ENDPOINTS_PER_MERCHANT);
  });

  test("another merchant's endpoint and messages are 404 on every route, and nothing changes", async () => {
    const mine = await create(fx.merchant.apiKey, { url: `${rx.url}/mine`, eventTypes: ["*"] });
    const t = await call("POST", `${BASE}/${mine.endpointId}/test`, fx.merchant.apiKey);
    assert.equal(t.status, 202);
    await deliverAll();
    for (const [method, url, body] of [
      ["GET", `${BASE}/${mine.endpointId}`],
      ["PATCH", `${BASE}/${mine.endpointId}`, { enabled: false }],
      ["POST", `${BASE}/${mine.endpointId}/rotate-secret`, {}],
      ["POST", `${BASE}/${mine.endpointId}/test`],
      ["GET", `${BASE}/${mine.endpointId}/messages`],
      ["GET", `${BASE}/${mine.endpointId}/messages/${encodeURIComponent(t.json.eventId)}`],
      ["POST", `${BASE}/${mine.endpointId}/messages/${encodeURIComponent(t.json.eventId)}/redeliver`],
      ["GET", `${BASE}/not-a-uuid`],
    ] as [Method, string, unknown?][]) {
      const r = await call(method, url, other.apiKey, body);
      assert.equal(r.status, 404, `${method} ${url}: ${r.text}`);
      assert.equal(r.json.error, "not_found");
    }
    // Its own endpoint cannot reach my message either.
    const theirs = await create(other.apiKey, { url: `${rx.url}/theirs`, eventTypes: ["*"] });
    const cross = await call("GET", `${BASE}/${theirs.endpointId}/messages/${encodeURIComponent(t.json.eventId)}`, other.apiKey);
    assert.equal(cross.status, 404);
    const still = await call("GET", `${BASE}/${mine.endpointId}`, fx.merchant.apiKey);
    assert.equal(still.json.enabled, true);
    assert.equal(still.json.previousSecretExpiresAt, null, "not rotated");
    assert.equal(rx.received.filter(at("/mine")).length, 1, "no second test event, no redelivery");
  });
});

describe("delivery", () => {
  test("a test event reaches the receiver signed with the endpoint's secret; the log shows the attempt's status and answer", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/test-event`, eventTypes: ["withdrawal.*"] });
    const t = await call("POST", `${BASE}/${e.endpointId}/test`, fx.merchant.apiKey);
    assert.equal(t.status, 202, t.text);
    await deliverAll();
    await rx.reached(1, at("/test-event"));
    const got = rx.received.find(at("/test-event"))!;
    assert.ok(verifyEnvelope(e.secret, got.body, String(got.headers[ENVELOPE_SIGNATURE_HEADER]), nowS()), "signed with the endpoint's secret");
    assert.equal(got.headers["x-rampart-event-id"], t.json.eventId);
    const body = JSON.parse(got.body);
    assert.deepEqual({ id: body.id, type: body.type, endpointId: body.data.endpointId }, { id: t.json.eventId, type: "webhook.test", endpointId: e.endpointId });

    const log = await call("GET", `${BASE}/${e.endpointId}/messages`, fx.merchant.apiKey);
    assert.equal(log.status, 200);
    assert.deepEqual(log.json.items.map((m: Json) => [m.eventId, m.status, m.attempts]), [[t.json.eventId, "delivered", 1]]);
    const detail = await call("GET", `${BASE}/${e.endpointId}/messages/${encodeURIComponent(t.json.eventId)}`, fx.merchant.apiKey);
    assert.equal(detail.status, 200, detail.text);
    assert.equal(detail.json.body, got.body);
    assert.deepEqual(
      detail.json.attemptLog.map((a: Json) => [a.attempt, a.statusCode, a.responseBody, a.error]),
      [[1, 200, "got /test-event", null]],
    );
  });

  test("a failing receiver's attempts are logged with its status and answer; redeliver sends the message again, a pending one is 409", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/fail-once`, eventTypes: ["withdrawal.*"] });
    const t = await call("POST", `${BASE}/${e.endpointId}/test`, fx.merchant.apiKey);
    await deliverAll();
    await rx.reached(1, at("/fail-once"));
    const msg = `${BASE}/${e.endpointId}/messages/${encodeURIComponent(t.json.eventId)}`;
    let detail = await call("GET", msg, fx.merchant.apiKey);
    assert.equal(detail.json.status, "pending", "waits for its retry");
    assert.deepEqual(detail.json.attemptLog.map((a: Json) => [a.statusCode, a.responseBody]), [[500, "got /fail-once"]]);
    const pending = await call("POST", `${msg}/redeliver`, fx.merchant.apiKey);
    assert.equal(pending.status, 409, pending.text);
    assert.equal(pending.json.error, "illegal_transition");
    assert.equal(pending.json.currentStatus, "pending");

    // The receiver moves: the new URL takes the waiting message, which is then delivered.
    const moved = await call("PATCH", `${BASE}/${e.endpointId}`, fx.merchant.apiKey, { url: `${rx.url}/moved` });
    assert.equal(moved.status, 200);
    h.clock.advance(60_000);
    await deliverAll();
    await rx.reached(1, at("/moved"));
    detail = await call("GET", msg, fx.merchant.apiKey);
    assert.equal(detail.json.status, "delivered");

    const again = await call("POST", `${msg}/redeliver`, fx.merchant.apiKey);
    assert.equal(again.status, 202, again.text);
    await deliverAll();
    await rx.reached(2, at("/moved"));
    detail = await call("GET", msg, fx.merchant.apiKey);
    assert.deepEqual(detail.json.attemptLog.map((a: Json) => a.statusCode), [500, 200, 200]);
    const unknown = await call("POST", `${BASE}/${e.endpointId}/messages/nothing/redeliver`, fx.merchant.apiKey);
    assert.equal(unknown.status, 404);
  });

  test("rotation: both secrets sign during the overlap (two v1 entries), only the new one after it; overlap 0 ends the old at once", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/rotate`, eventTypes: ["withdrawal.*"] });
    const rot = await call("POST", `${BASE}/${e.endpointId}/rotate-secret`, fx.merchant.apiKey, { overlapMinutes: 60 });
    assert.equal(rot.status, 200, rot.text);
    assert.equal(rot.headers["cache-control"], "no-store");
    assert.notEqual(rot.json.secret, e.secret);
    assert.equal(rot.json.previousSecretExpiresAt, new Date(h.clock.now().getTime() + 3_600_000).toISOString());
    assert.equal((await call("GET", `${BASE}/${e.endpointId}`, fx.merchant.apiKey)).json.previousSecretExpiresAt, rot.json.previousSecretExpiresAt);

    const sendTest = async (n: number) => {
      assert.equal((await call("POST", `${BASE}/${e.endpointId}/test`, fx.merchant.apiKey)).status, 202);
      await deliverAll();
      await rx.reached(n, at("/rotate"));
      const r = rx.received.filter(at("/rotate"))[n - 1]!;
      return { body: r.body, sig: String(r.headers[ENVELOPE_SIGNATURE_HEADER]) };
    };
    const during = await sendTest(1);
    assert.equal(v1Count(during.sig), 2);
    assert.ok(verifyEnvelope(rot.json.secret, during.body, during.sig, nowS()), "the new secret verifies");
    assert.ok(verifyEnvelope(e.secret, during.body, during.sig, nowS()), "the old secret still verifies");

    h.clock.advance(3_600_000 + 1000);
    const afterOverlap = await sendTest(2);
    assert.equal(v1Count(afterOverlap.sig), 1);
    assert.ok(verifyEnvelope(rot.json.secret, afterOverlap.body, afterOverlap.sig, nowS()));
    assert.ok(!verifyEnvelope(e.secret, afterOverlap.body, afterOverlap.sig, nowS()), "the old secret no longer signs");

    const now = await call("POST", `${BASE}/${e.endpointId}/rotate-secret`, fx.merchant.apiKey, { overlapMinutes: 0 });
    assert.equal(now.json.previousSecretExpiresAt, null);
    const immediate = await sendTest(3);
    assert.equal(v1Count(immediate.sig), 1);
    assert.ok(verifyEnvelope(now.json.secret, immediate.body, immediate.sig, nowS()));
    assert.ok(!verifyEnvelope(rot.json.secret, immediate.body, immediate.sig, nowS()));
  });

  test("a trading pay-in's status fans out to matching enabled endpoints; its dialect callback is sent unchanged", async () => {
    const m = await setupTrading(h.deps);
    await saveTradingSettings(h.deps, m.merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", webhookUrl: `${rx.url}/dialect` });
    const payins = await create(m.merchant.apiKey, { url: `${rx.url}/payins`, eventTypes: ["trading.payin.*"] });
    const exact = await create(m.merchant.apiKey, { url: `${rx.url}/canceled`, eventTypes: ["trading.payin.canceled"] });
    const elsewhere = await create(m.merchant.apiKey, { url: `${rx.url}/withdrawals`, eventTypes: ["withdrawal.*"] });
    const off = await create(m.merchant.apiKey, { url: `${rx.url}/off`, eventTypes: ["*"], enabled: false });
    // Another merchant's endpoint taking everything hears nothing of this merchant.
    await create(other.apiKey, { url: `${rx.url}/other`, eventTypes: ["*"] });

    const p = await createPayinOverHttp(h.app, m.merchant.apiKey, 5000);
    const cancel = await h.app.inject({ method: "POST", url: `/payment/trading/pay-in/${p.id}/cancel`, headers: { "x-api-key": m.merchant.apiKey } });
    assert.equal(cancel.statusCode, 200, cancel.body);
    await deliverAll();
    await rx.reached(1, at("/dialect"));
    await rx.reached(1, at("/payins"));
    await rx.reached(1, at("/canceled"));

    const dialect = rx.received.find(at("/dialect"))!;
    assert.ok(verifyTradingBody(m.merchant.apiKey, dialect.body, String(dialect.headers["x-signature"])), "the dialect callback is signed with the API key as before");
    assert.equal(dialect.headers[ENVELOPE_SIGNATURE_HEADER], undefined);
    assert.deepEqual(JSON.parse(dialect.body), cancel.json(), "its body is the pay-in object, as before");

    for (const [path, secret] of [["/payins", payins.secret], ["/canceled", exact.secret]] as const) {
      const got = rx.received.find(at(path))!;
      assert.ok(verifyEnvelope(secret, got.body, String(got.headers[ENVELOPE_SIGNATURE_HEADER]), nowS()), path);
      const env = JSON.parse(got.body);
      assert.equal(env.type, "trading.payin.canceled");
      assert.equal(env.id, got.headers["x-rampart-event-id"]);
      assert.deepEqual(env.data, JSON.parse(dialect.body), "data is the same pay-in object");
    }
    assert.equal(rx.received.filter((r) => ["/withdrawals", "/off", "/other"].includes(r.url)).length, 0);
    assert.equal((await call("GET", `${BASE}/${elsewhere.endpointId}/messages`, m.merchant.apiKey)).json.items.length, 0);
    assert.equal((await call("GET", `${BASE}/${off.endpointId}/messages`, m.merchant.apiKey)).json.items.length, 0, "a disabled endpoint gets nothing queued");

    // Without any callback URL the endpoints still hear of it.
    await saveTradingSettings(h.deps, m.merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", webhookUrl: null });
    const q = await createPayinOverHttp(h.app, m.merchant.apiKey, 5000);
    assert.equal((await h.app.inject({ method: "POST", url: `/payment/trading/pay-in/${q.id}/cancel`, headers: { "x-api-key": m.merchant.apiKey } })).statusCode, 200);
    await deliverAll();
    await rx.reached(2, at("/payins"));
    assert.equal(rx.received.filter(at("/dialect")).length, 1);
  });

  test("a payment intent's statuses reach a payment_intent.* endpoint beside its IPNs, which are unchanged", async () => {
    const ipnSecret = await configureStore(h, fx.merchant.storeId);
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/intents`, eventTypes: ["payment_intent.*"] });
    const r = await call("POST", "/payment/intent", fx.merchant.apiKey, intentBody(fx.merchant.storeId, { ...kycFields(), ipnUrl: `${rx.url}/ipn` }));
    assert.equal(r.status, 201, r.text);
    await drain(h);
    await deliverAll();
    const ipn = ipnStatuses(rx.received.filter((x) => x.url.startsWith("/ipn")), r.json.paymentIntentId, ipnSecret, nowS());
    assert.ok(ipn.length > 0, "the IPNs are sent, signed with the store's IPN secret as before");
    const events = rx.received.filter(at("/intents"));
    for (const got of events) assert.ok(verifyEnvelope(e.secret, got.body, String(got.headers[ENVELOPE_SIGNATURE_HEADER]), nowS()));
    const data = events.map((x) => JSON.parse(x.body)).filter((x) => x.data.paymentIntentId === r.json.paymentIntentId);
    assert.deepEqual(
      data.map((x) => x.data.paymentIntentStatus),
      ipn,
      "one event per status an IPN reports, in order",
    );
    assert.ok(data.every((x) => x.type === `payment_intent.${x.data.status}`));
  });

  test("a withdrawal's status reaches a withdrawal.* endpoint even without a webhook URL", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/wd`, eventTypes: ["withdrawal.approved"] });
    await fundMerchantBalance(h.deps, fx.merchant.merchantId, 50_000_000n);
    const address = await call("POST", "/merchant/v1/withdrawal-addresses", fx.merchant.apiKey, { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" });
    assert.equal(address.status, 201, address.text);
    h.clock.advance(25 * 3_600_000);
    const w = await call("POST", "/merchant/v1/withdrawals", fx.merchant.apiKey, { addressId: address.json.id, asset: "USDT", amount: "10" });
    assert.equal(w.status, 201, w.text);
    assert.equal(w.json.status, "approved");
    await deliverAll();
    await rx.reached(1, at("/wd"));
    const got = rx.received.find(at("/wd"))!;
    assert.ok(verifyEnvelope(e.secret, got.body, String(got.headers[ENVELOPE_SIGNATURE_HEADER]), nowS()));
    const env = JSON.parse(got.body);
    assert.deepEqual([env.type, env.data.id, env.data.status], ["withdrawal.approved", w.json.id, "approved"]);
  });

  test("a withdrawal requested in the portal (no API key) reaches a withdrawal.* endpoint too", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/portal-wd`, eventTypes: ["withdrawal.*"] });
    await fundMerchantBalance(h.deps, fx.merchant.merchantId, 50_000_000n);
    const address = await call("POST", "/merchant/v1/withdrawal-addresses", fx.merchant.apiKey, { network: "erc20", address: "0x8617E340B3D01FA5F11F306F4090FD50E238070D" });
    assert.equal(address.status, 201, address.text);
    h.clock.advance(25 * 3_600_000);
    const s = await portalSession(h, await createMerchantUser(h, fx.merchant.merchantId, "finance"));
    const form = await postForm(h, s, "/merchant/withdrawals", { addressId: address.json.id, asset: "USDT", amount: "10" });
    assert.equal(form.statusCode, 303, form.body);
    const id = /Withdrawal\+(wd_\w+)\+/.exec(String(form.headers.location))?.[1];
    assert.ok(id, String(form.headers.location));
    const queued = await call("GET", `${BASE}/${e.endpointId}/messages`, fx.merchant.apiKey);
    assert.deepEqual(queued.json.items.map((x: Json) => String(x.eventId).split("@")[0]), [`withdrawal.${id}.approved`], queued.text);
    await deliverAll();
    await rx.reached(1, at("/portal-wd"));
    const got = rx.received.find(at("/portal-wd"))!;
    assert.ok(verifyEnvelope(e.secret, got.body, String(got.headers[ENVELOPE_SIGNATURE_HEADER]), nowS()));
    const env = JSON.parse(got.body);
    assert.deepEqual([env.type, env.data.id], [`withdrawal.${env.data.status}`, id]);
  });
});

describe("deleting an endpoint", () => {
  test("DELETE: gone from the API (404 after, another merchant's 404 with nothing changed), its waiting messages never sent but kept as failed, its URL free again", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/deleted`, eventTypes: ["*"] });
    const id = e.endpointId as string;
    const queued = await call("POST", `${BASE}/${id}/test`, fx.merchant.apiKey);
    assert.equal(queued.status, 202, queued.text);

    assert.equal((await call("DELETE", `${BASE}/${id}`, other.apiKey)).status, 404);
    assert.equal((await call("GET", `${BASE}/${id}`, fx.merchant.apiKey)).status, 200, "another merchant's DELETE changed nothing");

    const deleted = await call("DELETE", `${BASE}/${id}`, fx.merchant.apiKey);
    assert.equal(deleted.status, 200, deleted.text);
    assert.equal(deleted.json.endpointId, id);
    assert.equal(deleted.json.pendingStopped, 1);
    await deliverAll();
    assert.equal(rx.received.filter(at("/deleted")).length, 0, "the waiting test event was not sent");

    assert.equal((await call("GET", `${BASE}/${id}`, fx.merchant.apiKey)).status, 404);
    assert.equal((await call("GET", `${BASE}/${id}/messages`, fx.merchant.apiKey)).status, 404);
    assert.equal((await call("DELETE", `${BASE}/${id}`, fx.merchant.apiKey)).status, 404, "deleting twice");
    assert.ok(!(await call("GET", BASE, fx.merchant.apiKey)).json.items.some((x: Json) => x.endpointId === id));
    const kept = await h.deps.database.db.selectFrom("webhook_messages").select(["event_id", "status", "last_error"]).where("endpoint_id", "=", id).execute();
    assert.deepEqual(kept, [{ event_id: queued.json.eventId, status: "failed", last_error: "endpoint deleted" }], "the message stays on record");

    const again = await create(fx.merchant.apiKey, { url: `${rx.url}/deleted`, eventTypes: ["*"] });
    assert.notEqual(again.endpointId, id, "the URL is free for a new endpoint");
    assert.equal((await call("DELETE", `${BASE}/${again.endpointId}`, fx.merchant.apiKey)).status, 200);
  });

  test("the portal's endpoint page deletes behind a confirmation; another merchant's endpoint is the 404 page", async () => {
    const e = await create(fx.merchant.apiKey, { url: `${rx.url}/portal-deleted`, eventTypes: ["*"] });
    const foreign = await create(other.apiKey, { url: `${rx.url}/other-kept`, eventTypes: ["*"] });
    const s = await portalSession(h, await createMerchantUser(h, fx.merchant.merchantId, "developer"));
    const page = await h.app.inject({ method: "GET", url: `/merchant/webhooks/${e.endpointId}`, headers: { cookie: s.cookie } });
    assert.match(page.body, new RegExp(`<details class="confirm" id="delete-endpoint">.*action="/merchant/webhooks/${e.endpointId}/delete"`, "s"));

    const refused = await postForm(h, s, `/merchant/webhooks/${foreign.endpointId}/delete`);
    assert.equal(refused.statusCode, 404);
    assert.equal((await call("GET", `${BASE}/${foreign.endpointId}`, other.apiKey)).status, 200);

    const done = await postForm(h, s, `/merchant/webhooks/${e.endpointId}/delete`);
    assert.equal(done.statusCode, 303);
    assert.match(String(done.headers.location), /^\/merchant\/webhooks\?ok=Endpoint\+deleted/);
    const list = await h.app.inject({ method: "GET", url: "/merchant/webhooks", headers: { cookie: s.cookie } });
    assert.doesNotMatch(list.body, new RegExp(e.endpointId as string));
    assert.equal((await h.app.inject({ method: "GET", url: `/merchant/webhooks/${e.endpointId}`, headers: { cookie: s.cookie } })).statusCode, 404);
  });
});
