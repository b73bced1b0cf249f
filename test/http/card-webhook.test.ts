// The card dialect's merchant webhook (a Rampart extension): the operator API that sets it, and the
// signed envelope events a real loopback receiver gets through a whole card flow, each carrying the
// pay-callback object of that moment.
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, test } from "node:test";
import { cardPaymentEventId, enqueueCardPaymentEvent } from "../../src/app/card/card-payment-events.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { ENVELOPE_SIGNATURE_HEADER, verifyEnvelope } from "../../src/core/webhooks/signatures.js";
import { findPaymentByOffer } from "../../src/db/card/offers.js";
import { addCard, CARD_TEST_ENV, type CardCustomer, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type ReceivedRequest, type Receiver, startReceiver } from "../support/webhook-receiver.js";

let h: Harness;
let rx: Receiver;
let op: string;

before(async () => {
  h = await createHarness({ env: CARD_TEST_ENV });
  await seedCardPairs(h.deps);
  op = await createOperatorKey(h.deps, "test");
  rx = await startReceiver((r) => ({ status: r.url === "/gone" ? 410 : 200, body: "ok" }));
});
after(async () => {
  await rx?.close();
  await h?.close();
});
beforeEach(() => {
  rx.received.length = 0;
});

const hookUrl = (merchantId: string) => `/admin/v1/merchants/${merchantId}/card-webhook`;
const admin = (method: "GET" | "PUT" | "DELETE", merchantId: string, body?: unknown, key: string | null = op) =>
  h.app.inject({ method, url: hookUrl(merchantId), headers: key ? { "x-operator-key": key } : {}, ...(body !== undefined ? { payload: body as object } : {}) });

async function putHook(merchantId: string, url: string): Promise<{ url: string; secret: string; endpointId: string }> {
  const r = await admin("PUT", merchantId, { url });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.headers["cache-control"], "no-store", "the secret is shown once: no cache may keep it");
  return r.json();
}

async function deliverAll(): Promise<void> {
  while ((await runWebhookDelivery(h.deps, { rand: () => 0.5 })) > 0);
}

interface Paid {
  who: CardCustomer;
  offerId: number;
  pay: Record<string, unknown>;
  callback(): Promise<Record<string, unknown>>;
}

/** A customer of the merchant pays a 100 EUR offer with the card. */
async function payWith(merchantId: string, cardNumber: string): Promise<Paid> {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, cardNumber);
  const offer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" } });
  assert.equal(offer.statusCode, 200, offer.body);
  const offerId = offer.json().offerId as number;
  const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { cardCVV: "123", successUrl: "https://merchant.example/ok" } });
  assert.equal(pay.statusCode, 200, pay.body);
  return {
    who,
    offerId,
    pay: pay.json(),
    async callback() {
      const r = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers });
      assert.equal(r.statusCode, 200, r.body);
      // The read's own Extension `risk` (no rules here: null) is not part of the webhook's data.
      const { risk, ...object } = r.json();
      assert.equal(risk, null);
      return object;
    },
  };
}

interface Event {
  raw: ReceivedRequest;
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/** What the receiver got for one offer, in arrival order, each checked the way a merchant would. */
function eventsFor(offerId: number, secret: string, received: ReceivedRequest[] = rx.received): Event[] {
  const nowS = Math.floor(h.clock.now().getTime() / 1000);
  return received
    .map((raw) => ({ raw, body: JSON.parse(raw.body) as Omit<Event, "raw"> }))
    .filter((e) => e.body.data.offerId === offerId)
    .map(({ raw, body }) => {
      assert.equal(raw.method, "POST");
      assert.equal(raw.headers["content-type"], "application/json");
      assert.deepEqual(Object.keys(body), ["id", "type", "createdAt", "data"], "the envelope's keys, in order");
      assert.equal(raw.headers["x-rampart-event-id"], body.id);
      assert.equal(verifyEnvelope(secret, raw.body, String(raw.headers[ENVELOPE_SIGNATURE_HEADER]), nowS), true, `${body.type} verifies with the secret`);
      assert.match(body.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      return { raw, ...body };
    });
}

async function messagesOfOffer(offerId: number) {
  return h.deps.database.db.selectFrom("webhook_messages").selectAll().where("ordering_key", "=", `card_offer.${offerId}`).orderBy("seq").execute();
}

/** The pay-callback object while the payment was still 'authorizing' (before the acquirer's answer). */
function acceptedView(final: Record<string, unknown>): Record<string, unknown> {
  const nulls = ["transactionStatus", "transactionStatusCode", "originalTransactionStatus", "originalTransactionStatusCode", "cardCountryCode", "cardCountryName", "cardBankName"];
  return {
    ...final,
    ...Object.fromEntries(nulls.map((k) => [k, null])),
    status: "PENDING",
    authLink: null,
    blockedAmount: { value: final.amount, currency: final.currency },
  };
}

describe("operator API", () => {
  test("operator key required", async () => {
    const { merchantId } = await createMerchant(h.deps);
    assert.equal((await admin("GET", merchantId, undefined, null)).statusCode, 401);
    assert.equal((await admin("PUT", merchantId, { url: "https://merchant.example/hook" }, null)).statusCode, 401);
    assert.equal((await admin("DELETE", merchantId, undefined, "rop_wrong.key")).statusCode, 401);
  });

  test("unknown or malformed merchant → 404", async () => {
    for (const id of ["7d0c3c8e-0000-4000-8000-000000000000", "not-a-merchant"]) {
      for (const method of ["GET", "PUT", "DELETE"] as const) {
        const r = await admin(method, id, method === "PUT" ? { url: "https://merchant.example/hook" } : undefined);
        assert.equal(r.statusCode, 404, `${method} ${id}: ${r.body}`);
        assert.equal(r.json().error, "not_found");
      }
    }
  });

  test("a bad url → 400 naming the field; nothing is stored", async () => {
    const { merchantId } = await createMerchant(h.deps);
    for (const url of ["ftp://merchant.example/hook", "merchant.example/hook", "https://user:pw@merchant.example/hook", `https://merchant.example/${"a".repeat(2048)}`, ""]) {
      const r = await admin("PUT", merchantId, { url });
      assert.equal(r.statusCode, 400, `${url.slice(0, 40)}: ${r.body}`);
      assert.equal(r.json().error, "validation_failed");
      assert.equal(r.json().field, "url");
    }
    const missing = await admin("PUT", merchantId, {});
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().field, "url");
    assert.equal((await admin("GET", merchantId)).statusCode, 404);
  });

  test("PUT shows a fresh secret once; GET never shows it; the stored copy is encrypted and not logged", async () => {
    const { merchantId } = await createMerchant(h.deps);
    assert.equal((await admin("GET", merchantId)).statusCode, 404, "none configured yet");
    const url = "https://merchant.example/card-events";
    const first = await putHook(merchantId, url);
    assert.equal(first.url, url);
    assert.match(first.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    const get = await admin("GET", merchantId);
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.json(), { url, enabled: true, endpointId: first.endpointId });
    assert.ok(!get.body.includes(first.secret));
    const rotated = await putHook(merchantId, url);
    assert.notEqual(rotated.secret, first.secret, "each PUT generates a new secret");
    assert.equal(rotated.endpointId, first.endpointId, "same URL, same endpoint");
    const row = await h.deps.database.db.selectFrom("webhook_endpoints").select("secret_enc").where("id", "=", first.endpointId).executeTakeFirstOrThrow();
    assert.ok(row.secret_enc && !row.secret_enc.includes(rotated.secret) && !row.secret_enc.includes(rotated.secret.slice(6)));
    assert.ok(!h.logs.text.includes(first.secret) && !h.logs.text.includes(rotated.secret), "secrets never logged");
  });
});

describe("card payment events", () => {
  test("challenge card approved: pending (pay accepted), pending (challenge), succeeded; in order, signed, data = pay-callback", async () => {
    const { merchantId } = await createMerchant(h.deps);
    const { secret } = await putHook(merchantId, `${rx.url}/card`);
    const s = await payWith(merchantId, "4000000000003220");
    const duringChallenge = await s.callback();
    assert.equal(duringChallenge.status, "PENDING");
    assert.equal(duringChallenge.authLink, s.pay.authLink);
    const token = String(s.pay.authLink).split("/3ds/")[1]!;
    const approve = await h.app.inject({ method: "POST", url: `/3ds/${token}/approve`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    assert.equal(approve.statusCode, 303);
    const final = await s.callback();
    assert.equal(final.status, "SUCCESS");

    // Three messages queued before any delivery: the outbox sends them one after another.
    await deliverAll();
    const events = eventsFor(s.offerId, secret);
    assert.deepEqual(events.map((e) => e.type), ["card.payment.pending", "card.payment.pending", "card.payment.succeeded"]);
    assert.deepEqual(events[0]!.data, acceptedView(final));
    assert.deepEqual(events[1]!.data, duringChallenge, "the challenge event carries the pay-callback with authLink");
    assert.deepEqual(events[2]!.data, final);
    const payment = (await findPaymentByOffer(h.deps.database.db, String(s.offerId)))!;
    assert.deepEqual(events.map((e) => e.id), [cardPaymentEventId(payment.id, "authorizing"), cardPaymentEventId(payment.id, "challenge"), cardPaymentEventId(payment.id, "succeeded")]);
    assert.equal(new Set(events.map((e) => e.id)).size, 3);
  });

  test("frictionless success and a decline: pending then the outcome; a re-run queues nothing new", async () => {
    const { merchantId } = await createMerchant(h.deps);
    const { secret } = await putHook(merchantId, `${rx.url}/card`);
    const ok = await payWith(merchantId, "4242424242424242");
    const declined = await payWith(merchantId, "4000000000000002");
    await deliverAll();

    const okEvents = eventsFor(ok.offerId, secret);
    const okFinal = await ok.callback();
    assert.equal(okFinal.status, "SUCCESS");
    assert.deepEqual(okEvents.map((e) => e.type), ["card.payment.pending", "card.payment.succeeded"]);
    assert.deepEqual(okEvents[0]!.data, acceptedView(okFinal));
    assert.deepEqual(okEvents[1]!.data, okFinal);

    const noEvents = eventsFor(declined.offerId, secret);
    const noFinal = await declined.callback();
    assert.equal(noFinal.status, "FAILURE");
    assert.equal(noFinal.transactionStatus, "Do not honour");
    assert.deepEqual(noEvents.map((e) => e.type), ["card.payment.pending", "card.payment.failed"]);
    assert.deepEqual(noEvents[1]!.data, noFinal);

    // Paying again returns the first result; queueing the final status again is a no-op (same event id).
    const again = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${ok.offerId}`, headers: ok.who.headers, payload: { cardCVV: "123" } });
    assert.equal(again.statusCode, 200);
    const payment = (await findPaymentByOffer(h.deps.database.db, String(ok.offerId)))!;
    await h.deps.database.db.transaction().execute((trx) => enqueueCardPaymentEvent(h.deps, trx, payment, h.clock.now()));
    const msgs = await messagesOfOffer(ok.offerId);
    assert.deepEqual(msgs.map((m) => m.status), ["delivered", "delivered"]);
    await deliverAll();
    assert.equal(eventsFor(ok.offerId, secret).length, 2, "nothing sent twice");
  });

  test("no webhook configured → no message", async () => {
    const { merchantId } = await createMerchant(h.deps);
    const s = await payWith(merchantId, "4242424242424242");
    assert.equal((await s.callback()).status, "SUCCESS");
    const rows = await h.deps.database.db.selectFrom("webhook_messages").select("seq").where("merchant_id", "=", merchantId).execute();
    assert.equal(rows.length, 0);
  });

  test("DELETE stops further events; a later PUT starts them again", async () => {
    const { merchantId } = await createMerchant(h.deps);
    await putHook(merchantId, `${rx.url}/card`);
    const before = await payWith(merchantId, "4242424242424242");
    assert.equal((await messagesOfOffer(before.offerId)).length, 2);

    const del = await admin("DELETE", merchantId);
    assert.equal(del.statusCode, 204);
    assert.equal(del.body, "");
    assert.equal((await admin("GET", merchantId)).statusCode, 404);
    assert.equal((await admin("DELETE", merchantId)).statusCode, 204, "DELETE is idempotent");
    const during = await payWith(merchantId, "4242424242424242");
    assert.equal((await during.callback()).status, "SUCCESS");
    assert.equal((await messagesOfOffer(during.offerId)).length, 0);

    const { secret } = await putHook(merchantId, `${rx.url}/card`);
    const afterPut = await payWith(merchantId, "4242424242424242");
    await deliverAll();
    assert.deepEqual(eventsFor(afterPut.offerId, secret).map((e) => e.type), ["card.payment.pending", "card.payment.succeeded"]);
    assert.equal(eventsFor(during.offerId, secret).length, 0);
  });

  test("rotation: deliveries after a PUT are signed with the new secret only", async () => {
    const { merchantId } = await createMerchant(h.deps);
    const old = await putHook(merchantId, `${rx.url}/card`);
    const s = await payWith(merchantId, "4242424242424242");
    const fresh = await putHook(merchantId, `${rx.url}/card`);
    await deliverAll();
    const nowS = Math.floor(h.clock.now().getTime() / 1000);
    const got = rx.received.filter((r) => JSON.parse(r.body).data.offerId === s.offerId);
    assert.equal(got.length, 2);
    for (const r of got) {
      const sig = String(r.headers[ENVELOPE_SIGNATURE_HEADER]);
      assert.equal(verifyEnvelope(fresh.secret, r.body, sig, nowS), true);
      assert.equal(verifyEnvelope(old.secret, r.body, sig, nowS), false);
    }
  });

  test("a 410 from the receiver shows as enabled: false; a PUT re-enables it and the held event goes out", async () => {
    const { merchantId } = await createMerchant(h.deps);
    const gone = await putHook(merchantId, `${rx.url}/gone`);
    const s = await payWith(merchantId, "4242424242424242");
    await deliverAll();
    assert.equal(rx.received.filter((r) => r.url === "/gone").length, 1, "the first event met the 410; the second waits");
    assert.deepEqual((await admin("GET", merchantId)).json(), { url: `${rx.url}/gone`, enabled: false, endpointId: gone.endpointId });
    assert.deepEqual((await messagesOfOffer(s.offerId)).map((m) => m.status), ["failed", "pending"]);

    const again = await putHook(merchantId, `${rx.url}/gone`);
    assert.equal((await admin("GET", merchantId)).json().enabled, true);
    const seen = rx.received.length;
    rx.setScript(() => ({ status: 200 }));
    try {
      await deliverAll();
    } finally {
      rx.setScript((r) => ({ status: r.url === "/gone" ? 410 : 200, body: "ok" }));
    }
    const events = eventsFor(s.offerId, again.secret, rx.received.slice(seen));
    assert.deepEqual(events.map((e) => e.type), ["card.payment.succeeded"], "the held event goes out; the 410'd one stays failed");
    assert.deepEqual((await messagesOfOffer(s.offerId)).map((m) => m.status), ["failed", "delivered"]);
  });
});
