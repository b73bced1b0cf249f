// Concurrent offers of one process are written in shared statements (src/app/card/offer-writer.ts).
// On PostgreSQL the test checks they really were batched.
// Each request must still get its own answer: its offer, a 404 for a card that is not its own, or a
// 403 for an amount over its own rolling limit, with nothing written for a refused one.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { writeOffer } from "../../src/app/card/offer-writer.js";
import type { NewOffer } from "../../src/db/card/offers.js";
import { hotStatementName } from "../../src/db/hot-statements.js";
import { addCard, type CardCustomer, registerCustomer, createCardHarness } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";
import { countingStatements } from "../support/statement-count.js";

let h: Harness;
let merchantId: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness({ RAMPART_CARD_KYC_LIMITS: "KYC_0=300" }));
});
after(async () => h?.close());

const offer = (who: CardCustomer, cardId: number | string, amount: number) =>
  h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount, toCurrency: "USDT" } });

/** The texts of the offer batch statements seen. */
const batchTexts = new Set<string>();
/** Counts the offer batch statements sent while `fn` runs. */
const countingBatches = <T>(fn: () => Promise<T>) =>
  countingStatements(
    h,
    (text) => {
      const batch = text.includes("jsonb_to_recordset");
      if (batch) batchTexts.add(text);
      return batch;
    },
    fn,
  );

test("concurrent offers share statements, and each gets its own answer", async () => {
  const a = await registerCustomer(h.app, merchantId);
  const b = await registerCustomer(h.app, merchantId);
  const cardA = await addCard(h.app, a, 4242424242424242);
  const cardB = await addCard(h.app, b, "5555555555554444");
  // A has used 200 of its 300: an offer of 100 fits, 150 does not. B has its whole 300.
  const paid = (await offer(a, cardA, 200)).json();
  assert.equal((await h.app.inject({ method: "POST", url: `/v3/payin/pay/${paid.offerId}`, headers: a.headers, payload: {} })).statusCode, 200);

  const plan: { who: CardCustomer; card: number | string; amount: number; status: number }[] = [];
  for (let i = 0; i < 8; i++) {
    plan.push({ who: a, card: cardA, amount: 100, status: 200 });
    plan.push({ who: a, card: cardA, amount: 150, status: 403 });
    plan.push({ who: b, card: cardB, amount: 250, status: 200 });
    plan.push({ who: b, card: cardA, amount: 50, status: 404 }); // another customer's card
    plan.push({ who: a, card: "999999999", amount: 50, status: 404 }); // no such card
  }
  const before = await h.deps.database.db.selectFrom("card_offers").select("id").execute();
  const { result: answers, statements } = await countingBatches(() => Promise.all(plan.map((p) => offer(p.who, p.card, p.amount))));

  // PGlite runs each statement in this thread, so requests rarely meet in its queue; PostgreSQL's
  // round trips let them pile up behind the statement in flight.
  if (h.deps.database.engine === "postgres") assert.ok(statements < plan.length / 2, `${plan.length} offers took ${statements} statements: they were batched`);
  // Batches of every size send one text, which PostgreSQL prepares once per connection: parsed and
  // planned at every batch, it cost an offer a third more of PostgreSQL's CPU (issue 16).
  assert.deepEqual(
    [...batchTexts].map((text) => hotStatementName(text) !== undefined),
    [true],
    "one text for the offer batches, a prepared (hot) statement",
  );
  const created: { offerId: number; amount: number; customer: CardCustomer }[] = [];
  answers.forEach((res, i) => {
    const p = plan[i]!;
    assert.equal(res.statusCode, p.status, `request ${i}: ${res.body}`);
    if (p.status === 200) {
      const body = res.json();
      assert.equal(body.amount, p.amount, `request ${i} got its own amount`);
      assert.equal(body.cardId, Number(p.card), `request ${i} got its own card`);
      created.push({ offerId: body.offerId, amount: p.amount, customer: p.who });
    }
    if (p.status === 403) assert.equal(res.json().error, "PAYIN_LIMIT_EXCEEDED");
  });
  const after = await h.deps.database.db.selectFrom("card_offers").select("id").execute();
  assert.equal(after.length - before.length, created.length, "one row per accepted offer, none for a refused one");
  assert.equal(new Set(created.map((c) => c.offerId)).size, created.length, "every offer id is distinct");
  for (const c of created) {
    const mine = await h.app.inject({ method: "PUT", url: `/v3/payin/offer/${c.offerId}`, headers: c.customer.headers, payload: { fromCurrency: "EUR", toCurrency: "USDT", amount: c.amount } });
    assert.equal(mine.statusCode, 200, `offer ${c.offerId} belongs to the customer it was answered to`);
  }
});

test("an offer the database refuses fails alone: the others of its batch are retried one by one and written", async () => {
  const c = await registerCustomer(h.app, merchantId);
  const cardId = String(await addCard(h.app, c, 4242424242424242));
  const customerId = (await h.deps.database.db.selectFrom("card_customers").select("id").where("phone", "=", c.phone).executeTakeFirstOrThrow()).id;
  const now = h.deps.clock.now();
  const newOffer = (cryptoMinor: string): NewOffer => ({
    row: { customer_id: customerId, card_id: cardId, now, fiat: "EUR", fiat_minor: "10000", crypto: "USDT", crypto_network: "erc20", crypto_decimals: 6, crypto_minor: cryptoMinor, fee_minor: "175", mid_rate: "0.93", rate_source: "fixed", expires_at: new Date(now.getTime() + 20_000) },
    limit: { since: new Date(now.getTime() - 86_400_000), limitMinor: 30_000n, amountInLimitMinor: 10_000n },
  });
  // crypto_minor 0 breaks the table's CHECK: the statement carrying it fails as a whole.
  const offers = ["105000000", "0", "105000001", "105000002"].map(newOffer);
  const { result, statements } = await countingBatches(() => Promise.allSettled(offers.map((o) => writeOffer(h.deps.database, o))));
  assert.deepEqual(result.map((r) => r.status), ["fulfilled", "rejected", "fulfilled", "fulfilled"]);
  for (const [i, r] of result.entries()) {
    if (r.status === "fulfilled") assert.equal(r.value.kind === "created" && r.value.offer.crypto_minor, offers[i]!.row.crypto_minor);
  }
  if (h.deps.database.engine === "postgres") assert.ok(statements >= 5, `the failed batch was retried offer by offer (${statements} statements)`);
});
