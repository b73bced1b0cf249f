// Webhook delivery against a real loopback receiver scripted to fail in every way, with the test
// clock: the attempt schedule, the attempt log, the final states, 410 disabling the endpoint,
// Retry-After, ordering per payment object, independence of endpoints, and each format's signature
// verified the way a receiver would.
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { enqueueWebhook, type WebhookInput } from "../../src/app/outbox/outbox.js";
import { setWebhookEndpointSecret } from "../../src/app/outbox/webhook-endpoints.js";
import { createWebhookSender } from "../../src/adapters/http/webhook-sender.js";
import { verifyEnvelope, verifyIpn, verifyTradingBody } from "../../src/core/webhooks/signatures.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { configureStore } from "../support/intents.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const S = 1000;
let h: Harness;
let rx: Receiver;
let m: MerchantFixture;
let apiKeyId: string;
let n = 0;

before(async () => {
  // Receivers that answer get the longest timeout there is: a busy machine must not turn a
  // first attempt into a timeout. The timeout test swaps in a short one for a receiver that never answers.
  h = await createHarness({ config: { webhookTimeoutMs: 60_000 } });
  rx = await startReceiver();
  m = await createMerchant(h.deps);
  apiKeyId = m.apiKeyId;
});
after(async () => {
  await rx.close();
  await h.close();
});
beforeEach(() => {
  rx.received.length = 0;
});

const noJitter = () => 0.5;
async function drain() {
  let total = 0;
  for (let k; (k = await runWebhookDelivery(h.deps, { rand: noJitter })) > 0; ) total += k;
  return total;
}

async function enqueueTrading(path: string, over: Partial<WebhookInput> = {}) {
  const eventId = `evt_${++n}`;
  const body = JSON.stringify({ id: over.orderingKey ?? `p_${n}`, status: "active", n });
  await h.deps.database.db.transaction().execute((trx) =>
    enqueueWebhook(trx, {
      merchantId: m.merchantId,
      format: "trading",
      url: `${rx.url}${path}`,
      eventId,
      orderingKey: `p_${n}`,
      body,
      signingKeyRef: { kind: "api_key", apiKeyId },
      ...over,
    }),
  );
  return { eventId, body };
}

async function message(eventId: string) {
  return h.deps.database.db.selectFrom("webhook_messages").selectAll().where("event_id", "=", eventId).executeTakeFirstOrThrow();
}
async function attempts(eventId: string) {
  const msg = await message(eventId);
  return h.deps.database.db.selectFrom("webhook_attempts").selectAll().where("message_seq", "=", msg.seq).orderBy("at").orderBy("attempt").execute();
}
const hits = (path: string) => rx.received.filter((r) => r.url.startsWith(path));

test("500, 500, then 200: retried at +5 s and +1 min with the same event id and a valid signature", async () => {
  rx.setScript((_r, i) => ({ status: i < 2 ? 500 : 200, body: i < 2 ? "down" : "ok" }));
  const t0 = h.clock.now().getTime();
  const { eventId, body } = await enqueueTrading("/a");
  await drain();
  assert.equal(hits("/a").length, 1);
  assert.equal((await message(eventId)).next_attempt_at.getTime(), t0 + 5 * S);
  h.clock.advance(5 * S - 1);
  assert.equal(await drain(), 0, "not before +5 s");
  h.clock.advance(1);
  await drain();
  assert.equal(hits("/a").length, 2);
  h.clock.advance(60 * S);
  await drain();
  assert.equal(hits("/a").length, 3);
  const msg = await message(eventId);
  assert.equal(msg.status, "delivered");
  assert.equal(msg.attempts, 3);
  for (const r of hits("/a")) {
    assert.equal(r.method, "POST");
    assert.equal(r.headers["x-rampart-event-id"], eventId);
    assert.equal(r.body, body);
    assert.equal(verifyTradingBody(m.apiKey, r.body, String(r.headers["x-signature"])), true);
    assert.match(String(r.headers["x-rampart-timestamp"]), /^\d+$/);
  }
  const log = await attempts(eventId);
  assert.deepEqual(log.map((a) => a.status_code), [500, 500, 200]);
  assert.deepEqual(log.map((a) => a.at.getTime() - t0), [0, 5 * S, 65 * S]);
  assert.deepEqual(log.map((a) => a.response_body), ["down", "down", "ok"]);
  assert.ok(log.every((a) => a.latency_ms >= 0 && a.url === `${rx.url}/a`));
});

test("a receiver that always fails: 10 attempts on the documented schedule, then failed and replayable later", async () => {
  rx.setScript(() => ({ status: 500 }));
  const t0 = h.clock.now().getTime();
  const { eventId } = await enqueueTrading("/b");
  const delays = [5, 60, 300, 1800, 7200, 18000, 36000, 86400, 172800].map((s) => s * S);
  await drain();
  for (const d of delays) {
    h.clock.advance(d);
    await drain();
  }
  const log = await attempts(eventId);
  let at = 0;
  assert.deepEqual(log.map((a) => a.at.getTime() - t0), [0, ...delays.map((d) => (at += d))]);
  const msg = await message(eventId);
  assert.equal(msg.status, "failed");
  assert.match(msg.last_error ?? "", /gave up after 10 attempts: HTTP 500/);
  h.clock.advance(365 * 86400 * S);
  assert.equal(await drain(), 0, "failed stays failed");
});

test("a timeout and a 301 are failures; the redirect is not followed", async () => {
  let release!: () => void;
  const never = new Promise<void>((r) => (release = r)); // released only after the test
  rx.setScript((r) => (r.url === "/slow" ? { status: 200, hold: never } : r.url === "/moved" ? { status: 301, headers: { location: `${rx.url}/target` } } : { status: 200 }));
  const slow = await enqueueTrading("/slow");
  const sender = h.deps.ports.webhooks;
  h.deps.ports.webhooks = createWebhookSender({ allowPrivate: true, timeoutMs: 300 });
  try {
    await drain();
  } finally {
    h.deps.ports.webhooks = sender;
    release();
  }
  const moved = await enqueueTrading("/moved");
  await drain();
  const [ts] = await attempts(slow.eventId);
  assert.equal(ts!.status_code, null);
  assert.match(ts!.error ?? "", /timeout after 300 ms/);
  assert.equal((await message(slow.eventId)).status, "pending");
  const [tm] = await attempts(moved.eventId);
  assert.equal(tm!.status_code, 301);
  assert.equal(hits("/target").length, 0, "Location not followed");
  const mm = await message(moved.eventId);
  assert.equal(mm.status, "pending");
  assert.equal(mm.last_error, "HTTP 301: redirect not followed");
});

test("429 and 503 honour Retry-After (seconds and HTTP-date)", async () => {
  const t0 = h.clock.now();
  const date = new Date(t0.getTime() + 600 * S).toUTCString();
  rx.setScript((r) => (r.url === "/throttle" ? { status: 429, headers: { "retry-after": "120" } } : { status: 503, headers: { "retry-after": date } }));
  const a = await enqueueTrading("/throttle");
  const b = await enqueueTrading("/unavailable");
  await drain();
  assert.equal((await message(a.eventId)).next_attempt_at.getTime(), t0.getTime() + 120 * S);
  assert.equal((await message(b.eventId)).next_attempt_at.getTime(), t0.getTime() + 600 * S);
});

test("410 disables the endpoint, notifies the operator, and does not hold back other endpoints", async () => {
  rx.setScript((r) => (r.url === "/gone" ? { status: 410 } : { status: 200 }));
  const first = await enqueueTrading("/gone");
  const other = await enqueueTrading("/alive");
  await drain();
  const second = await enqueueTrading("/gone");
  assert.equal((await message(first.eventId)).status, "failed");
  assert.equal((await message(other.eventId)).status, "delivered");
  const endpoint = await h.deps.database.db.selectFrom("webhook_endpoints").selectAll().where("url", "=", `${rx.url}/gone`).executeTakeFirstOrThrow();
  assert.ok(endpoint.disabled_at);
  assert.match(endpoint.disabled_reason ?? "", /410/);
  h.clock.advance(3600 * S);
  await drain();
  assert.equal(hits("/gone").length, 1, "nothing more is sent to a disabled endpoint");
  assert.equal((await message(second.eventId)).status, "pending");
  const notes = await h.deps.database.db.selectFrom("operator_notifications").selectAll().where("kind", "=", "webhook_endpoint_disabled").execute();
  assert.equal(notes.length, 1);
  assert.equal((notes[0]!.details as { url: string }).url, `${rx.url}/gone`);
  assert.ok(h.logs.records().some((l) => l.msg === "webhook endpoint disabled after 410"));
});

test("ordering per key: a later status waits until the earlier one is delivered; other keys flow", async () => {
  rx.setScript((r, _i) => (JSON.parse(r.body).status === "first" && hits("/ord").filter((x) => JSON.parse(x.body).status === "first").length === 1 ? { status: 500 } : { status: 200 }));
  const key = "payin-ordered";
  const e1 = await enqueueTrading("/ord", { orderingKey: key, body: JSON.stringify({ id: key, status: "first" }) });
  const e2 = await enqueueTrading("/ord", { orderingKey: key, body: JSON.stringify({ id: key, status: "second" }) });
  const other = await enqueueTrading("/ord", { orderingKey: "payin-other", body: JSON.stringify({ id: "x", status: "other" }) });
  await drain();
  assert.deepEqual(hits("/ord").map((r) => JSON.parse(r.body).status).sort(), ["first", "other"]);
  assert.equal((await message(e2.eventId)).status, "pending");
  assert.equal((await message(other.eventId)).status, "delivered");
  h.clock.advance(5 * S);
  await drain();
  const sameKey = hits("/ord").map((r) => JSON.parse(r.body).status).filter((st) => st !== "other");
  assert.deepEqual(sameKey, ["first", "first", "second"]);
  assert.equal((await message(e1.eventId)).status, "delivered");
  assert.equal((await message(e2.eventId)).status, "delivered");
});

test("intent IPN: a GET with the two parameters plus timestamp and signature", async () => {
  await configureStore(h, m.storeId, { ipnSecret: "ipn-secret-for-test" });
  rx.setScript(() => ({ status: 200 }));
  await enqueueWebhook(h.deps.database.db, {
    merchantId: m.merchantId,
    format: "intent_ipn",
    url: `${rx.url}/ipn?existing=1`,
    eventId: "evt_ipn_1",
    orderingKey: "pi_42",
    query: { paymentIntentId: "pi_42", paymentIntentStatus: "3" },
    signingKeyRef: { kind: "ipn_secret", storeId: m.storeId },
  });
  await drain();
  const [r] = hits("/ipn");
  assert.equal(r!.method, "GET");
  const q = new URL(r!.url, rx.url).searchParams;
  assert.equal(q.get("existing"), "1");
  assert.equal(q.get("paymentIntentId"), "pi_42");
  assert.equal(q.get("paymentIntentStatus"), "3");
  const nowS = Math.floor(h.clock.now().getTime() / 1000);
  assert.equal(q.get("timestamp"), String(nowS));
  const ok = verifyIpn("ipn-secret-for-test", { paymentIntentId: "pi_42", paymentIntentStatus: "3", timestamp: q.get("timestamp")!, signature: q.get("signature")! }, nowS);
  assert.equal(ok, true);
  const [log] = await attempts("evt_ipn_1");
  assert.doesNotMatch(log!.url, /signature=[0-9a-f]/, "the signature is not kept in the attempt log");
});

test("envelope: rampart-signature with the endpoint's own secret; no secret → not sent", async () => {
  rx.setScript(() => ({ status: 200 }));
  const url = `${rx.url}/env`;
  const input = (eventId: string, u: string): WebhookInput => ({
    merchantId: m.merchantId,
    format: "envelope",
    url: u,
    eventId,
    orderingKey: eventId,
    body: JSON.stringify({ id: eventId, type: "payment.paid" }),
    signingKeyRef: { kind: "webhook_secret", merchantId: m.merchantId },
  });
  await setWebhookEndpointSecret(h.deps, h.deps.database.db, { merchantId: m.merchantId, url, secret: "whsec_endpoint_1" });
  await enqueueWebhook(h.deps.database.db, input("evt_env_1", url));
  await enqueueWebhook(h.deps.database.db, input("evt_env_2", `${rx.url}/env-nosecret`));
  await drain();
  const [r] = hits("/env");
  const nowS = Math.floor(h.clock.now().getTime() / 1000);
  assert.equal(verifyEnvelope("whsec_endpoint_1", r!.body, String(r!.headers["rampart-signature"]), nowS), true);
  assert.equal(hits("/env-nosecret").length, 0);
  assert.equal((await message("evt_env_2")).last_error, "signing key unavailable");
});

test("without RAMPART_ALLOW_PRIVATE_WEBHOOKS a loopback target is refused and logged as an attempt", async () => {
  const strict = await createHarness({ config: { allowPrivateWebhooks: false } });
  try {
    const mm = await createMerchant(strict.deps);
    await enqueueWebhook(strict.deps.database.db, {
      merchantId: mm.merchantId,
      format: "envelope",
      url: `${rx.url.replace("127.0.0.1", "localhost")}/private`,
      eventId: "evt_private",
      orderingKey: "k",
      body: "{}",
      signingKeyRef: { kind: "webhook_secret", merchantId: mm.merchantId },
    });
    await setWebhookEndpointSecret(strict.deps, strict.deps.database.db, { merchantId: mm.merchantId, url: `${rx.url.replace("127.0.0.1", "localhost")}/private`, secret: "s" });
    await runWebhookDelivery(strict.deps, { rand: noJitter });
    assert.equal(hits("/private").length, 0);
    const row = await strict.deps.database.db.selectFrom("webhook_attempts").selectAll().executeTakeFirstOrThrow();
    assert.match(row.error ?? "", /not allowed/);
  } finally {
    await strict.close();
  }
});
