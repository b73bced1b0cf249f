// Every dialect route that writes commits its Idempotency-Key answer in the work's own transaction.
// The fault is injected where the two used to part: storing the answer fails (a trigger refuses it).
// The work must then be rolled back with it, and the client's retry with the same key runs the work
// once and is replayed after; before, the work stayed committed without an answer and the key stayed
// in flight (a later retry ran the work again). Add card and billing address honour the key too.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { addCard, BILLING, createCardHarness, registerCustomer, type CardCustomer } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";
import { configureStore, intentBody, kycFields } from "../support/intents.js";
import { setupTrading, RECEIPT_PNG, type TradingFixture } from "../support/trading.js";

let h: Harness;
let merchantId: string;
let fx: TradingFixture;
before(async () => {
  ({ h, merchantId } = await createCardHarness());
  fx = await setupTrading(h.deps);
  await configureStore(h, fx.merchant.storeId);
});
after(async () => h?.close());

/** While on, every attempt to store an answer fails, as a process dying at that moment would. */
async function failStoringAnswers(on: boolean): Promise<void> {
  if (on) {
    await sql`CREATE FUNCTION refuse_answer() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected: answer not stored'; END $$`.execute(h.deps.database.db);
    await sql`CREATE TRIGGER refuse_answer BEFORE UPDATE ON idempotency_keys FOR EACH ROW WHEN (NEW.status = 'done') EXECUTE FUNCTION refuse_answer()`.execute(h.deps.database.db);
  } else {
    await sql`DROP TRIGGER refuse_answer ON idempotency_keys`.execute(h.deps.database.db);
    await sql`DROP FUNCTION refuse_answer()`.execute(h.deps.database.db);
  }
}

/** The rows a route's work writes, as one comparable string. */
const rows = async (query: string) => JSON.stringify((await sql.raw(query).execute(h.deps.database.db)).rows);

type Send = (key: string) => Promise<{ statusCode: number; body: string; headers: Record<string, unknown> }>;

let keySeq = 0;
/**
 * The route's work and its answer commit together: with the answer's store failing, nothing of the
 * work remains; the retry does it once; a repeat replays it byte for byte.
 */
async function workAndAnswerAtomic(send: Send, work: () => Promise<string>, expected: number, opts: { replay?: boolean } = {}) {
  const key = `atomic-${++keySeq}`;
  const before = await work();
  await failStoringAnswers(true);
  let first;
  try {
    first = await send(key);
  } finally {
    await failStoringAnswers(false);
  }
  assert.equal(first.statusCode, 500, first.body);
  assert.equal(await work(), before, "the work rolled back with its answer");
  const retry = await send(key);
  assert.equal(retry.statusCode, expected, retry.body);
  const done = await work();
  assert.notEqual(done, before, "the retry did the work");
  if (opts.replay === false) return retry;
  const again = await send(key);
  assert.equal(again.statusCode, expected);
  assert.equal(again.headers["idempotent-replayed"], "true");
  assert.equal(again.body, retry.body);
  assert.equal(await work(), done, "the repeat did nothing");
  return retry;
}

const json = (method: "POST", url: string, headers: Record<string, string>, body?: unknown): Send => (key) =>
  h.app.inject({
    method,
    url,
    headers: { ...headers, "idempotency-key": key, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

const cardBody = (cardNumber: string) => ({ cardNumber, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING });

test("card routes: signup, add card, billing address, offer, pay, KYC start and sign-out commit their answer with the work", async () => {
  const signup = json("POST", "/v2/mobile/signup", { "x-merchant-id": merchantId, "x-version": "1.2" }, { phone: "+447700900123", password: "correct horse 42" });
  await workAndAnswerAtomic(signup, () => rows("SELECT id FROM card_customers ORDER BY id"), 200);

  const who: CardCustomer = await registerCustomer(h.app, merchantId);
  const cards = () => rows("SELECT id, billing_city FROM card_cards ORDER BY id");
  const added = await workAndAnswerAtomic(json("POST", "/v3/payin/card", who.headers, cardBody("4242424242424242")), cards, 200);
  assert.equal((JSON.parse(added.body) as { maskedPan: string }).maskedPan, "424242****4242", "the saved card, replayed as it was sent");
  const cardId = (await h.deps.database.db.selectFrom("card_cards").select("id").orderBy("id", "desc").executeTakeFirstOrThrow()).id;
  await workAndAnswerAtomic(json("POST", `/v3/payin/card/${cardId}/billing-address`, who.headers, { ...BILLING, city: "Potsdam" }), cards, 200);

  const offers = () => rows("SELECT id FROM card_offers ORDER BY id");
  const offer = await workAndAnswerAtomic(json("POST", "/v3/payin/offer", who.headers, { cardId: Number(cardId), fromCurrency: "EUR", toCurrency: "USDT", amount: 50 }), offers, 200);
  const offerId = (JSON.parse(offer.body) as { offerId: number }).offerId;
  const payments = () => rows("SELECT id, status FROM card_payments ORDER BY id");
  const paid = await workAndAnswerAtomic(json("POST", `/v3/payin/pay/${offerId}`, who.headers, {}), payments, 200);
  assert.equal((JSON.parse(paid.body) as { transactionStatus: string }).transactionStatus, "Approved", "the answer revised with the acquirer's outcome");

  await workAndAnswerAtomic(json("POST", "/v4/kyc/start", who.headers), () => rows("SELECT id FROM kyc_cases ORDER BY id"), 200);
  // After a sign-out the token no longer authenticates, so there is nothing to replay.
  await workAndAnswerAtomic(json("POST", "/signout", who.headers), () => rows("SELECT id, revoked_at FROM card_sessions ORDER BY id"), 200, { replay: false });
});

test("add card and billing address honour Idempotency-Key: a repeat is replayed with the same body, another body with the key is 422", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const add = (key: string, cardNumber: string) => json("POST", "/v3/payin/card", who.headers, cardBody(cardNumber))(key);
  const first = await add("empty-1", "5555555555554444");
  assert.equal(first.statusCode, 200);
  assert.equal((JSON.parse(first.body) as { maskedPan: string }).maskedPan, "555555****4444");
  const repeat = await add("empty-1", "5555555555554444");
  assert.equal(repeat.statusCode, 200);
  assert.equal(repeat.headers["idempotent-replayed"], "true");
  assert.equal(repeat.body, first.body);
  assert.equal((await add("empty-1", "4000000000003220")).statusCode, 422);
  const cardId = await addCard(h.app, who, "4000000000003220");
  const billing = (key: string, city: string) => json("POST", `/v3/payin/card/${cardId}/billing-address`, who.headers, { ...BILLING, city })(key);
  assert.equal((await billing("empty-2", "Hamburg")).statusCode, 200);
  const replayed = await billing("empty-2", "Hamburg");
  assert.equal(replayed.headers["idempotent-replayed"], "true");
  assert.equal((await billing("empty-2", "Bremen")).statusCode, 422);
});

test("trading routes: create, receipt upload, dispute and cancel commit their answer with the work", async () => {
  const key = { "x-api-key": fx.merchant.apiKey };
  const payins = () => rows("SELECT id, status FROM trading_payins ORDER BY id");
  const created = await workAndAnswerAtomic(json("POST", "/payment/trading/pay-in", key, { fiatAmount: "5000.00" }), payins, 201);
  const payinId = (JSON.parse(created.body) as { id: string }).id;

  const boundary = "----rampart";
  const upload: Send = (k) =>
    h.app.inject({
      method: "POST",
      url: `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`,
      headers: { ...key, "idempotency-key": k, "content-type": `multipart/form-data; boundary=${boundary}` },
      payload: Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="receipt"\r\nContent-Type: image/png\r\n\r\n`),
        RECEIPT_PNG,
        Buffer.from(`\r\n--${boundary}--\r\n`),
      ]),
    });
  const uploaded = await workAndAnswerAtomic(upload, () => rows("SELECT invoice_key FROM trading_receipts ORDER BY invoice_key"), 200);
  const invoiceKey = (JSON.parse(uploaded.body) as { invoiceKey: string }).invoiceKey;
  await workAndAnswerAtomic(json("POST", `/payment/trading/pay-in/${payinId}/dispute`, key, { invoiceKey, fiatAmount: "5000.00" }), payins, 200);

  const other = await json("POST", "/payment/trading/pay-in", key, { fiatAmount: "4000.00" })("plain-create");
  assert.equal(other.statusCode, 201, other.body);
  await workAndAnswerAtomic(json("POST", `/payment/trading/pay-in/${(JSON.parse(other.body) as { id: string }).id}/cancel`, key), payins, 200);
});

test("intent routes: create (with and without pre-collected KYC) and cancel commit their answer with the work", async () => {
  const key = { "x-api-key": fx.merchant.apiKey };
  const intents = () => rows("SELECT id, status FROM payment_intents ORDER BY id");
  const created = await workAndAnswerAtomic(json("POST", "/payment/intent", key, intentBody(fx.merchant.storeId)), intents, 201);
  const withKyc = await workAndAnswerAtomic(json("POST", "/payment/intent", key, intentBody(fx.merchant.storeId, kycFields())), intents, 201);
  assert.equal((JSON.parse(withKyc.body) as { status: number }).status, 4, "the answer revised with the vendor's decision");
  const id = (JSON.parse(created.body) as { paymentIntentId: string }).paymentIntentId;
  await workAndAnswerAtomic(json("POST", `/payment/intent/${id}/cancel`, key), intents, 200);
});
