// The risk engine on the card dialect (issue 17). Offers are assessed when created, with the saved
// card and the device: a blocked BIN refuses the offer in the card envelope (RISK_BLOCKED, a numeric
// errorId, data.riskDecisionId) and writes none; a review creates the offer held, so paying it is
// 409 RISK_REVIEW_PENDING until an operator releases it, then it is paid. An offer made before the
// merchant had rules is assessed at pay instead, and a block there starts no payment. Real HTTP
// through inject(), real database. The merchant reads an offer's decision before paying (the create's
// and update's answers, GET /v3/payin/offer/{id}); the status check (pay-callback) shows the decision
// the payment went on under.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { addCard, createCardHarness, registerCustomer, type CardCustomer } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
let op: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
  op = await createOperatorKey(h.deps, "risk");
});
after(async () => h?.close());

async function addRule(name: string, weight: number, spec: unknown): Promise<void> {
  const r = await h.app.inject({ method: "POST", url: `/admin/v1/risk/rules?merchantId=${merchantId}`, headers: { "x-operator-key": op }, payload: { name, weight, spec } });
  assert.equal(r.statusCode, 201, r.body);
}

const offerFor = (who: CardCustomer, cardId: number, amount: number) =>
  h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount, toCurrency: "USDT", operation: "PAYIN" } });
const pay = (who: CardCustomer, offerId: number) => h.app.inject({ method: "POST", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
const readOffer = (who: CardCustomer, offerId: number) => h.app.inject({ method: "GET", url: `/v3/payin/offer/${offerId}`, headers: who.headers });
const countRows = async (table: "card_payments" | "card_offers") => (await h.deps.database.db.selectFrom(table).select("id").execute()).length;

function assertBlocked(r: { statusCode: number; body: string; json(): unknown }): void {
  assert.equal(r.statusCode, 403, r.body);
  const body = r.json() as { error: string; errorId: unknown; data: { riskDecisionId: unknown } };
  assert.equal(body.error, "RISK_BLOCKED");
  assert.equal(typeof body.errorId, "number");
  assert.equal(typeof body.data.riskDecisionId, "string");
}

test("an offer made before the rule is assessed at pay: a blocked BIN refuses the pay in the card envelope; nothing is charged", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, 4242424242424242);
  const offer = await offerFor(who, cardId, 100);
  assert.equal(offer.statusCode, 200, offer.body);
  assert.equal(offer.json().risk, null, "not assessed: the merchant had no rule");
  await addRule("blocked BIN", 100, { kind: "list", signal: "bin", mode: "block", values: ["424242"] });
  assertBlocked(await pay(who, offer.json().offerId));
  assert.equal(await countRows("card_payments"), 0);
});

test("offer create with a blocked BIN is refused in the card envelope and writes no offer", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, 4242424242424242);
  const offersBefore = await countRows("card_offers");
  const offer = await offerFor(who, cardId, 100);
  assertBlocked(offer);
  assert.equal(await countRows("card_offers"), offersBefore);
  const refused = await h.deps.database.db.selectFrom("risk_decisions").selectAll().where("id", "=", offer.json().data.riskDecisionId).executeTakeFirstOrThrow();
  assert.equal(refused.flow, "card");
  assert.equal(refused.payment_id, null);
  // The same request with an Idempotency-Key takes the committed path: refused the same way.
  const keyed = await h.app.inject({
    method: "POST",
    url: "/v3/payin/offer",
    headers: { ...who.headers, "idempotency-key": "risk-card-keyed-1" },
    payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" },
  });
  assertBlocked(keyed);
  assert.equal(await countRows("card_offers"), offersBefore);
});

test("an offer the rules hold (the device's address is listed) cannot be paid until an operator releases it; then it is paid", async () => {
  await addRule("watched address", 60, { kind: "list", signal: "ip", mode: "block", values: ["127.0.0.0/8"] });
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, "5555555555554444");
  const offer = await offerFor(who, cardId, 100);
  assert.equal(offer.statusCode, 200, offer.body);
  const offerId = offer.json().offerId as number;
  const decision = await h.deps.database.db.selectFrom("risk_decisions").selectAll().where("payment_id", "=", String(offerId)).executeTakeFirstOrThrow();
  assert.deepEqual([decision.decision, decision.score, decision.review_status], ["review", 60, "pending"]);
  assert.deepEqual((decision.reasons as { kind: string; seen: { ip?: string } }[]).map((r) => [r.kind, r.seen.ip]), [["list", "127.0.0.1"]]);

  // The merchant reads the decision before paying: in the create's answer, and in the offer's read.
  const atCreate = offer.json().risk;
  assert.deepEqual([atCreate.decision, atCreate.score, atCreate.reviewStatus], ["review", 60, "pending"]);
  assert.deepEqual(atCreate.reasons.map((r: { name: string; outcome: string; seen: { ip?: string } }) => [r.name, r.outcome, r.seen.ip]), [["watched address", "fired", "127.0.0.1"]]);
  assert.equal(atCreate.decidedAt, decision.created_at.toISOString());
  const read = await readOffer(who, offerId);
  assert.equal(read.statusCode, 200, read.body);
  assert.deepEqual(read.json().risk, atCreate);
  assert.equal(read.json().offerId, offerId);
  assert.equal((await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers })).statusCode, 404, "no outcome before it is paid");

  const held = await pay(who, offerId);
  assert.equal(held.statusCode, 409, held.body);
  assert.equal(held.json().error, "RISK_REVIEW_PENDING");
  // Re-quoting does not slip a held offer past its review.
  const requoted = await h.app.inject({ method: "PUT", url: `/v3/payin/offer/${offerId}`, headers: who.headers, payload: { amount: 100, fromCurrency: "EUR", toCurrency: "USDT" } });
  assert.equal(requoted.statusCode, 200, requoted.body);
  assert.equal(requoted.json().risk.reviewStatus, "pending");
  assert.equal((await pay(who, offerId)).json().error, "RISK_REVIEW_PENDING");
  assert.equal(await countRows("card_payments"), 0, "a held offer starts no payment");

  const release = await h.app.inject({ method: "POST", url: `/admin/v1/risk/reviews/${offerId}/release`, headers: { "x-operator-key": op } });
  assert.equal(release.statusCode, 200, release.body);
  const released = (await readOffer(who, offerId)).json().risk;
  assert.deepEqual([released.decision, released.reviewStatus], ["review", "released"], "the next read shows the operator's release");
  // Another customer cannot read the offer.
  const other = await registerCustomer(h.app, merchantId);
  assert.equal((await readOffer(other, offerId)).statusCode, 404);
  const paid = await pay(who, offerId);
  assert.equal(paid.statusCode, 200, paid.body);
  assert.equal(paid.json().offerId, offerId);
  assert.equal(await countRows("card_payments"), 1);
  // The status check shows the decision the payment went on under: its offer's, released, and why.
  const status = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers });
  assert.equal(status.statusCode, 200, status.body);
  const risk = status.json().risk;
  assert.deepEqual([risk.decision, risk.score, risk.reviewStatus], ["review", 60, "released"]);
  assert.deepEqual(risk.reasons.map((r: { name: string; outcome: string; seen: { ip?: string } }) => [r.name, r.outcome, r.seen.ip]), [["watched address", "fired", "127.0.0.1"]]);
});

test("a rejected review leaves the offer unpayable", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, "5555555555554444");
  const offerId = (await offerFor(who, cardId, 101)).json().offerId as number;
  const reject = await h.app.inject({ method: "POST", url: `/admin/v1/risk/reviews/${offerId}/reject`, headers: { "x-operator-key": op } });
  assert.equal(reject.statusCode, 200, reject.body);
  assert.equal((await readOffer(who, offerId)).json().risk.reviewStatus, "rejected");
  assertBlocked(await pay(who, offerId));
  // Re-quoted, it stays refused: only an operator's release lets a held offer go on.
  await h.app.inject({ method: "PUT", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { amount: 101, fromCurrency: "EUR", toCurrency: "USDT" } });
  assertBlocked(await pay(who, offerId));
  assert.equal(await countRows("card_payments"), 1, "only the released offer's payment");
});

test("an allowed card payment's status check shows allow, with the rule that fired under the threshold", async () => {
  const admin = { "x-operator-key": op };
  const rules = (await h.app.inject({ method: "GET", url: `/admin/v1/risk/rules?merchantId=${merchantId}`, headers: admin })).json().items as { id: string }[];
  for (const r of rules) {
    const off = await h.app.inject({ method: "PATCH", url: `/admin/v1/risk/rules/${r.id}?merchantId=${merchantId}`, headers: admin, payload: { enabled: false } });
    assert.equal(off.statusCode, 200, off.body);
  }
  await addRule("local device", 10, { kind: "list", signal: "ip", mode: "block", values: ["127.0.0.1"] });
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, "5555555555554444");
  const offer = (await offerFor(who, cardId, 102)).json();
  assert.deepEqual([offer.risk.decision, offer.risk.score, offer.risk.reviewStatus], ["allow", 10, null]);
  const offerId = offer.offerId as number;
  assert.equal((await pay(who, offerId)).statusCode, 200);
  const status = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers });
  const risk = status.json().risk;
  assert.deepEqual([risk.decision, risk.score, risk.reviewStatus], ["allow", 10, null]);
  assert.deepEqual(risk.reasons.map((r: { name: string; outcome: string; weight: number }) => [r.name, r.outcome, r.weight]), [["local device", "fired", 10]]);
});
