// The account calls the vault.ist clients make beyond the pay-in (issue 13): payment history, and the
// calls Rampart answers as not supported (in the dialect's envelope, never a 404 route_not_found).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addCard, type CardCustomer, createCardHarness, registerCustomer } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
before(async () => {
  ({ h, merchantId } = await createCardHarness());
});
after(async () => h?.close());

async function pay(who: CardCustomer, cardId: number, fiat: string, amount: number, crypto = "USDT") {
  const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: fiat, amount, toCurrency: crypto } })).json();
  const r = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
  assert.equal(r.statusCode, 200, r.body);
  return offer as { offerId: number; toAmount: number };
}

const history = (who: CardCustomer, query = "") => h.app.inject({ method: "GET", url: `/v2/history/operations${query}`, headers: who.headers });

test("history: the customer's card pay-ins, newest first, in vault.ist's operation shape, paged and bounded, filtered by type and currency", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const ok = await addCard(h.app, who, "4242424242424242");
  const declined = await addCard(h.app, who, "4000000000000002");
  const first = await pay(who, ok, "EUR", 100);
  h.clock.advance(1000);
  const second = await pay(who, declined, "EUR", 50);
  h.clock.advance(1000);
  const third = await pay(who, ok, "USD", 30);
  await h.app.inject({ method: "GET", url: "/v2/wallets", headers: who.headers });

  const all = await history(who);
  assert.equal(all.statusCode, 200, all.body);
  const ops = all.json();
  assert.deepEqual(ops.map((o: { operationId: string }) => o.operationId), [third, second, first].map((o) => String(o.offerId)));
  assert.deepEqual(ops.map((o: { operationStatus: string }) => o.operationStatus), ["COMPLETED", "FAILED", "COMPLETED"]);
  const last = ops[2];
  assert.match(last.operationDate, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal(last.operationType, "PAYIN_CARD");
  assert.equal(last.exchangeModel, null);
  const m = last.payinCardModel;
  assert.equal(m.fromCardPAN, "424242****4242");
  assert.match(m.toAddress, /^custodial:\d+$/);
  assert.deepEqual(m.debitAmount, { value: first.toAmount, currency: "USDT" });
  assert.deepEqual(m.creditAmount, { value: 100, currency: "EUR" });
  assert.deepEqual(m.feeAmount, { value: 1.75, currency: "EUR" });
  assert.equal(m.exchangeRate.sourceCurrency, "EUR");
  assert.equal(m.exchangeRate.targetCurrency, "USDT");
  assert.ok(Math.abs(100 * m.exchangeRate.rate - first.toAmount) < 1e-6, "credit × rate = debit");

  assert.deepEqual((await history(who, "?offset=1&size=1")).json().map((o: { operationId: string }) => o.operationId), [String(second.offerId)]);
  assert.deepEqual((await history(who, "?offest=2&size=5")).json().map((o: { operationId: string }) => o.operationId), [String(first.offerId)], "the misspelt offest a client sends");
  assert.deepEqual((await history(who, "?offset=3")).json(), []);
  assert.equal((await history(who, "?currencyFilter=USD")).json().length, 1);
  assert.equal((await history(who, "?currencyFilter=EUR,BTC")).json().length, 2);
  assert.equal((await history(who, "?typeFilter=PAYIN_CARD&typeFilter=EXCHANGE")).json().length, 3);
  assert.deepEqual((await history(who, "?typeFilter=EXCHANGE")).json(), []);
  for (const [q, field] of [["?size=0", "size"], ["?size=101", "size"], ["?offset=10001", "offset"], ["?size=abc", "size"]] as const) {
    const r = await history(who, q);
    assert.equal(r.statusCode, 400, q);
    if (field !== "size" || q !== "?size=abc") assert.equal(r.json().field, field, q);
  }
  const other = await registerCustomer(h.app, merchantId);
  assert.deepEqual((await history(other)).json(), [], "another customer's pay-ins are not listed");
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/history/operations" })).statusCode, 401);
});

test("vault.ist calls Rampart does not implement answer 400 NOT_SUPPORTED in the envelope, after the bearer check", async () => {
  const who = await registerCustomer(h.app, merchantId);
  for (const url of ["/v4/kyc/ondato/finished?platform=COMMON", "/v5/kyc/start", "/v2/customer/kyc3/start", "/v2/wallets"]) {
    const r = await h.app.inject({ method: "POST", url, headers: who.headers, payload: { identificationId: "x", currencies: ["BTC"] } });
    assert.equal(r.statusCode, 400, `${url} ${r.body}`);
    const body = r.json();
    assert.equal(body.error, "NOT_SUPPORTED", url);
    assert.equal(body.systemId, "rampart");
    assert.equal(typeof body.errorId, "number");
    assert.match(body.message, /not supported by Rampart/, url);
    assert.equal((await h.app.inject({ method: "POST", url, payload: {} })).statusCode, 401, `${url} without a token`);
  }
  // A document upload is refused before its multipart body is read.
  const upload = await h.app.inject({
    method: "POST",
    url: "/v1/kyc/upload/document?docType=PASSPORT_FRONT",
    headers: { ...who.headers, "content-type": "multipart/form-data; boundary=x" },
    payload: "--x\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\n\r\nPNG\r\n--x--\r\n",
  });
  assert.equal(upload.statusCode, 400, upload.body);
  assert.equal(upload.json().error, "NOT_SUPPORTED");
  assert.match(upload.json().message, /hosted KYC page/);
});
