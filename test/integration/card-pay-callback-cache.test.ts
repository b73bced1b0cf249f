// GET /v3/payin/pay-callback answers a paid offer from a per-process cache that the database keeps
// exact with NOTIFY at commit (migrations/0062_r_status_read_notify.sql). These tests change the
// payment and its risk decision behind the API's back (as another process or an operator's SQL would)
// and check the cache is really used, never outlives a committed change, and stays the customer's own.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Harness } from "../support/harness.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { addCard, type CardCustomer, createCardHarness, registerCustomer } from "../support/card-customer.js";

let h: Harness;
let merchantId: string;
let payments: ChannelFollower;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
  payments = await followChannel(h.deps.database, "card_payment_changed");
});
after(async () => {
  await payments.stop();
  await h.close();
});

const db = () => h.deps.database.db;

/** A paid offer of a new customer, once the payment's own notification has passed (until then this process reads through). */
async function paidOffer(): Promise<{ who: CardCustomer; offerId: string }> {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, 4242424242424242);
  const offer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 20, toCurrency: "USDT" } });
  assert.equal(offer.statusCode, 200, offer.body);
  const offerId = String(offer.json().offerId);
  const paid = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
  assert.equal(paid.json().transactionStatusCode, 0, paid.body);
  await payments.announced(offerId, 1);
  return { who, offerId };
}

const callback = (who: CardCustomer, offerId: string) => h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers });

async function callbackOk(who: CardCustomer, offerId: string) {
  const res = await callback(who, offerId);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

test("a payment change committed anywhere reaches the pay-callback at once; without the notification the cached payment is served", async () => {
  const { who, offerId } = await paidOffer();
  assert.equal((await callbackOk(who, offerId)).status, "SUCCESS");
  await callbackOk(who, offerId); // cached from here on
  await sql.raw("ALTER TABLE card_payments DISABLE TRIGGER card_payments_changed").execute(db());
  try {
    await sql`UPDATE card_payments SET status = 'failed' WHERE offer_id = ${offerId}`.execute(db());
    assert.equal((await callbackOk(who, offerId)).status, "SUCCESS", "served from the cache (no notification is sent)");
  } finally {
    await sql.raw("ALTER TABLE card_payments ENABLE TRIGGER card_payments_changed").execute(db());
  }
  const announced = payments.announced(offerId);
  await sql`UPDATE card_payments SET status = 'failed', updated_at = now() WHERE offer_id = ${offerId}`.execute(db());
  await announced;
  assert.equal((await callbackOk(who, offerId)).status, "FAILURE", "the notification at commit dropped the cached payment");
  // The same offer written with leading zeros is the same cache entry, kept as exact.
  assert.equal((await callbackOk(who, `000${offerId}`)).status, "FAILURE");
});

test("another customer's paid offer is 'No such offer' from the cache too", async () => {
  const { who, offerId } = await paidOffer();
  await callbackOk(who, offerId);
  await callbackOk(who, offerId);
  const other = await registerCustomer(h.app, merchantId);
  const res = await callback(other, offerId);
  assert.equal(res.statusCode, 404, res.body);
  assert.match(res.body, /No such offer/);
});

test("a signed-out session is refused although its paid offer is cached", async () => {
  const { who, offerId } = await paidOffer();
  await callbackOk(who, offerId);
  await callbackOk(who, offerId);
  assert.ok((await h.app.inject({ method: "POST", url: "/signout", headers: who.headers })).statusCode < 300);
  assert.equal((await callback(who, offerId)).statusCode, 401);
});

test("a risk decision changed anywhere, stored under the offer's id or the payment's, announces the offer", async () => {
  const { who, offerId } = await paidOffer();
  const paymentId = (await db().selectFrom("card_payments").select("id").where("offer_id", "=", offerId).executeTakeFirstOrThrow()).id;
  // Written with the offer and the payment in the product; here by hand before the first read.
  for (const [id, score] of [[offerId, 10], [paymentId, 20]] as const) {
    await sql`INSERT INTO risk_decisions (id, merchant_id, flow, payment_id, decision, score, reasons, created_at)
      VALUES (gen_random_uuid(), ${merchantId}, 'card', ${id}, 'allow', ${score}, '[]', now() - make_interval(secs => ${30 - score}))`.execute(db());
  }
  assert.equal((await callbackOk(who, offerId)).risk.score, 20, "the payment's own decision, the latest");
  await callbackOk(who, offerId);
  let announced = payments.announced(offerId);
  await sql`UPDATE risk_decisions SET score = 25 WHERE flow = 'card' AND payment_id = ${paymentId}`.execute(db());
  await announced;
  assert.equal((await callbackOk(who, offerId)).risk.score, 25);
  await callbackOk(who, offerId);
  announced = payments.announced(offerId);
  await sql`UPDATE risk_decisions SET score = 15, created_at = now() WHERE flow = 'card' AND payment_id = ${offerId}`.execute(db());
  await announced;
  assert.equal((await callbackOk(who, offerId)).risk.score, 15, "the offer's decision, now the latest");
});
