// The pay-in flow's six steps (add card, /data, offer, update offer, pay, pay-callback) through HTTP for
// each sandbox test card (docs/contract-card.md#sandbox-test-cards), each ending in the right
// pay-callback status and a clean ledger verify.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { threeDsToken } from "../../src/app/card/three-ds-token.js";
import { customerWallet, settleTransferId } from "../../src/app/card/card-ledger.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { BILLING, type CardCustomer, registerCustomer, createCardHarness } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";
import { drainWorker, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let merchantId: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
});
after(async () => h?.close());

interface SixSteps {
  who: CardCustomer;
  offerId: number;
  pay: Record<string, unknown>;
  callback: () => Promise<Record<string, unknown>>;
}

/** Steps 1-5 in order; step 6 is returned as a function so a test can poll it. */
async function sixSteps(cardNumber: number | string): Promise<SixSteps> {
  const who = await registerCustomer(h.app, merchantId);
  const headers = who.headers;
  // 1. add the card with its billing address
  const add = await h.app.inject({
    method: "POST",
    url: "/v3/payin/card",
    headers,
    payload: { cardNumber, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING },
  });
  assert.equal(add.statusCode, 200, add.body);
  // 2. data: the card (masked), pairs, limits
  const data = await h.app.inject({ method: "GET", url: "/v3/payin/data", headers });
  assert.equal(data.statusCode, 200);
  const d = data.json();
  assert.equal(d.cards.length, 1);
  const digits = String(cardNumber);
  assert.equal(d.cards[0].maskedPan, `${digits.slice(0, 6)}****${digits.slice(-4)}`);
  assert.deepEqual(add.json(), d.cards[0], "add card answers the saved card as /data lists it");
  assert.ok(d.pairs.some((p: { currencyFrom: string; currencyTo: string }) => p.currencyFrom === "EUR" && p.currencyTo === "USDT"));
  assert.equal(d.validSeconds, 30);
  const cardId = d.cards[0].cardId;
  // 3. offer
  const offer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" } });
  assert.equal(offer.statusCode, 200, offer.body);
  const o = offer.json();
  assert.equal(typeof o.offerId, "number");
  assert.equal(o.validSeconds, 20);
  // 4. update: fiat wins when both are given
  h.clock.advance(5_000);
  const upd = await h.app.inject({ method: "PUT", url: `/v3/payin/offer/${o.offerId}`, headers, payload: { amount: 150, fromCurrency: "EUR", toAmount: 1, toCurrency: "USDT", operation: "PAYIN" } });
  assert.equal(upd.statusCode, 200, upd.body);
  const u = upd.json();
  assert.equal(u.offerId, o.offerId);
  assert.equal(u.amount, 150);
  assert.ok(u.toAmount > 150, "USDT for 150 EUR at 0.93 less fees");
  assert.equal(u.validSeconds, 20, "an update extends validity");
  // 5. pay
  const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${o.offerId}`, headers, payload: { cardCVV: "123", successUrl: "https://merchant.example/ok", failUrl: "https://merchant.example/fail" } });
  assert.equal(pay.statusCode, 200, pay.body);
  return {
    who,
    offerId: o.offerId,
    pay: pay.json(),
    // 6. the outcome (a client's body on this GET is ignored)
    callback: async () => {
      const r = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${o.offerId}`, headers: { ...headers, "content-type": "application/json" }, payload: JSON.stringify({ offerId: o.offerId }) });
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    },
  };
}

function assertCallbackFields(cb: Record<string, unknown>, offerId: number) {
  for (const f of ["offerId", "status", "amount", "currency", "cryptoAmount", "cryptoCurrency", "maskedPan", "transactionStatus", "transactionStatusCode", "originalTransactionStatus", "originalTransactionStatusCode", "paymentMode", "transactionDate", "transactionAmount", "cardCountryCode", "cardCountryName", "cardBankName", "blockedAmount"]) {
    assert.ok(f in cb, `pay-callback has ${f}`);
  }
  assert.equal(cb.offerId, offerId);
  assert.equal(cb.amount, 150);
  assert.equal(cb.currency, "EUR");
  assert.equal(cb.cryptoCurrency, "USDT");
  assert.equal(cb.transactionAmount, "150.00");
  assert.equal(cb.paymentMode, "debit");
  assert.match(String(cb.transactionDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
}

async function walletOf(customerHeaders: Record<string, string>): Promise<number> {
  const r = await h.app.inject({ method: "GET", url: "/v2/wallets", headers: customerHeaders });
  assert.equal(r.statusCode, 200);
  return r.json().wallets.find((w: { currency: string }) => w.currency === "USDT").balance;
}

describe("card flow per sandbox test card", () => {
  test("4242 4242 4242 4242: frictionless approval → SUCCESS, wallet credited", async () => {
    const s = await sixSteps(4242424242424242);
    assert.equal(s.pay.authLink, null);
    assert.equal(s.pay.transactionStatusCode, 0);
    assert.equal(s.pay.maskedPan, "424242****4242");
    const cb = await s.callback();
    assertCallbackFields(cb, s.offerId);
    assert.equal(cb.status, "SUCCESS");
    assert.deepEqual(cb.blockedAmount, { value: 0, currency: "EUR" });
    assert.equal(await walletOf(s.who.headers), cb.cryptoAmount);
    await verifyLedgerClean(h.deps);
  });

  test("paying the same offer twice returns the first result and charges once", async () => {
    const s = await sixSteps("4242424242424242");
    const again = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${s.offerId}`, headers: s.who.headers, payload: { cardCVV: "123" } });
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), s.pay);
    const cb = await s.callback();
    assert.equal(await walletOf(s.who.headers), cb.cryptoAmount, "credited once");
    const payments = await h.deps.database.db.selectFrom("card_payments").select("id").where("offer_id", "=", String(s.offerId)).execute();
    assert.equal(payments.length, 1);
    const transfers = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("id", "=", settleTransferId(payments[0]!.id)).execute();
    assert.equal(transfers.length, 1);
    // The offer is paid: an update is refused.
    const upd = await h.app.inject({ method: "PUT", url: `/v3/payin/pay/${s.offerId}`, headers: s.who.headers, payload: { amount: 50, fromCurrency: "EUR", toCurrency: "USDT" } });
    assert.equal(upd.statusCode, 409);
    assert.equal(upd.json().error, "OFFER_ALREADY_PAID");
  });

  test("4000 0000 0000 3220: challenge → PENDING, approve on the page → SUCCESS", async () => {
    const s = await sixSteps(4000000000003220);
    assert.equal(s.pay.transactionStatusCode, 100);
    assert.match(String(s.pay.authLink), /\/3ds\/[0-9a-f-]{36}\.[A-Za-z0-9_-]+$/);
    const pending = await s.callback();
    assert.equal(pending.status, "PENDING");
    assert.deepEqual(pending.blockedAmount, { value: 150, currency: "EUR" });
    const token = String(s.pay.authLink).split("/3ds/")[1]!;
    const page = await h.app.inject({ method: "GET", url: `/3ds/${token}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /€150\.00/, "the amount in the payer's locale (English by default)");
    assert.match(page.body, /400000\*\*\*\*3220/);
    const approve = await h.app.inject({ method: "POST", url: `/3ds/${token}/approve`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    assert.equal(approve.statusCode, 303);
    assert.equal(approve.headers.location, "https://merchant.example/ok");
    const cb = await s.callback();
    assertCallbackFields(cb, s.offerId);
    assert.equal(cb.status, "SUCCESS");
    assert.equal(cb.authLink, null);
    assert.equal(await walletOf(s.who.headers), cb.cryptoAmount);
    await verifyLedgerClean(h.deps);
  });

  test("4000 0000 0000 3220: fail on the page → FAILURE, back to failUrl", async () => {
    const s = await sixSteps(4000000000003220);
    const token = String(s.pay.authLink).split("/3ds/")[1]!;
    const fail = await h.app.inject({ method: "POST", url: `/3ds/${token}/fail`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    assert.equal(fail.statusCode, 303);
    assert.equal(fail.headers.location, "https://merchant.example/fail");
    const cb = await s.callback();
    assert.equal(cb.status, "FAILURE");
    assert.equal(cb.transactionStatusCode, 403);
    assert.equal(await walletOf(s.who.headers), 0);
    await verifyLedgerClean(h.deps);
  });

  test("4000 0000 0000 3220: a challenge left unanswered fails after 15 minutes", async () => {
    const s = await sixSteps(4000000000003220);
    h.clock.advance(14 * 60_000);
    await drainWorker(h.deps);
    assert.equal((await s.callback()).status, "PENDING");
    h.clock.advance(60_000 + 1);
    await drainWorker(h.deps);
    const cb = await s.callback();
    assert.equal(cb.status, "FAILURE");
    assert.equal(cb.transactionStatusCode, 408);
    // The page now shows the outcome; approving late changes nothing.
    const token = threeDsToken(h.deps, (await h.deps.database.db.selectFrom("card_payments").select("id").where("offer_id", "=", String(s.offerId)).executeTakeFirstOrThrow()).id);
    const late = await h.app.inject({ method: "POST", url: `/3ds/${token}/approve`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    assert.equal(late.headers.location, "https://merchant.example/fail");
    assert.equal((await s.callback()).status, "FAILURE");
    await verifyLedgerClean(h.deps);
  });

  for (const [card, code, message] of [
    ["4000000000000002", 400, "Do not honour"],
    ["4000000000009995", 401, "Insufficient funds"],
    ["4000000000000069", 402, "Expired card"],
  ] as const) {
    test(`${card}: declined ${code} "${message}" → FAILURE`, async () => {
      const s = await sixSteps(card);
      assert.equal(s.pay.authLink, null);
      assert.equal(s.pay.transactionStatusCode, code);
      assert.equal(s.pay.transactionStatus, message);
      const cb = await s.callback();
      assertCallbackFields(cb, s.offerId);
      assert.equal(cb.status, "FAILURE");
      assert.equal(cb.transactionStatusCode, code);
      assert.equal(cb.transactionStatus, message);
      assert.equal(await walletOf(s.who.headers), 0);
      await verifyLedgerClean(h.deps);
    });
  }

  test("4000 0000 0000 0119: provider error 305 → PENDING, resolved by the status sync job → SUCCESS", async () => {
    const s = await sixSteps(4000000000000119);
    assert.equal(s.pay.transactionStatusCode, 305);
    assert.equal(s.pay.transactionStatus, "Wrong response from provider");
    assert.equal((await s.callback()).status, "PENDING");
    h.clock.advance(5_000);
    await drainWorker(h.deps);
    const cb = await s.callback();
    assertCallbackFields(cb, s.offerId);
    assert.equal(cb.status, "SUCCESS");
    assert.equal(await walletOf(s.who.headers), cb.cryptoAmount);
    await verifyLedgerClean(h.deps);
  });

  test("an expired offer cannot be paid or updated (409 OFFER_EXPIRED)", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const add = await h.app.inject({ method: "POST", url: "/v3/payin/card", headers: who.headers, payload: { cardNumber: "4242424242424242", cardHolder: "A B", cardExpirationYear: 2030, cardExpirationMonth: 1, billingAddress: BILLING } });
    assert.equal(add.statusCode, 200);
    const cardId = (await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: who.headers })).json().cards[0].cardId;
    const o = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId: String(cardId), fromCurrency: "EUR", amount: "50.00", toCurrency: "USDT", operation: "PAYIN" } })).json();
    h.clock.advance(20_000);
    const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${o.offerId}`, headers: who.headers, payload: {} });
    assert.equal(pay.statusCode, 409);
    assert.equal(pay.json().error, "OFFER_EXPIRED");
    assert.equal(pay.json().systemId, "rampart");
    const upd = await h.app.inject({ method: "PUT", url: `/v3/payin/offer/${o.offerId}`, headers: who.headers, payload: { amount: 60, fromCurrency: "EUR", toCurrency: "USDT" } });
    assert.equal(upd.statusCode, 409);
    assert.equal(upd.json().error, "OFFER_EXPIRED");
    const cb = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${o.offerId}`, headers: who.headers });
    assert.equal(cb.statusCode, 404);
  });

  test("the wallet balance is the ledger's customer_wallet account", async () => {
    const s = await sixSteps(4242424242424242);
    const row = await h.deps.database.db.selectFrom("card_payments").select(["customer_id", "crypto_minor"]).where("offer_id", "=", String(s.offerId)).executeTakeFirstOrThrow();
    const b = await getBalance(h.deps.database.db, customerWallet(row.customer_id, "USDT"));
    assert.equal(b.posted, BigInt(row.crypto_minor));
  });
});
