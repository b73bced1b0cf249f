// The account calls the vault.ist clients make beyond the pay-in (issue 13): payment history, password
// change and reset, e-mail add and confirm, and the calls Rampart answers as not supported (in the
// dialect's envelope, never a 404 route_not_found).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addCard, type CardCustomer, createCardHarness, lastEmailLink, PASSWORD, registerCustomer } from "../support/card-customer.js";
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

const signIn = (phone: string, password: string) =>
  h.app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { "x-merchant-id": merchantId, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ grant_type: "mobile_phone", number: phone, password }).toString(),
  });
const mobile = (url: string, payload: unknown) => h.app.inject({ method: "POST", url, headers: { "x-merchant-id": merchantId, "x-version": "1.2" }, payload: payload as Record<string, string> });
const profileOf = async (who: CardCustomer) => (await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).json();

test("password change: the current password is checked, the new one must be strong; other sessions end, this one stays", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const other = await signIn(who.phone, PASSWORD);
  assert.equal(other.statusCode, 200);
  const otherHeaders = { ...who.headers, authorization: `Bearer ${other.json().access_token}` };
  const change = (body: unknown) => h.app.inject({ method: "PUT", url: "/v2/mobile/password/change", headers: who.headers, payload: body as Record<string, string> });

  const wrong = await change({ currentPassword: "not it 123", newPassword: "brand new 77" });
  assert.equal(wrong.statusCode, 400);
  assert.equal(wrong.json().error, "WRONG_PASSWORD");
  assert.equal(wrong.json().field, "currentPassword");
  const weak = await change({ currentPassword: PASSWORD, newPassword: "short" });
  assert.equal(weak.statusCode, 400);
  assert.equal(weak.json().field, "newPassword");
  const ok = await change({ currentPassword: PASSWORD, newPassword: "brand new 77" });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { result: "ok" });

  assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).statusCode, 200, "this session stays");
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: otherHeaders })).statusCode, 401, "the other session ended");
  assert.equal((await signIn(who.phone, PASSWORD)).json().error, "invalid_grant");
  assert.equal((await signIn(who.phone, "brand new 77")).statusCode, 200);
  assert.equal((await h.app.inject({ method: "PUT", url: "/v2/mobile/password/change", payload: { currentPassword: "a", newPassword: "b" } })).statusCode, 401);
});

test("wrong current passwords sent at once are counted one after another: past five the rest are 429 unchecked", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const change = (currentPassword: string) =>
    h.app.inject({ method: "PUT", url: "/v2/mobile/password/change", headers: who.headers, payload: { currentPassword, newPassword: "brand new 77" } });
  const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => change(`not it ${i}`)));
  assert.deepEqual(answers.map((r) => r.statusCode).sort(), [400, 400, 400, 400, 400, 429, 429, 429]);
  const locked = await change(PASSWORD);
  assert.equal(locked.statusCode, 429);
  const { error, field, message } = locked.json();
  assert.deepEqual({ error, field }, { error: "TOO_MANY_ATTEMPTS", field: "currentPassword" });
  assert.match(message, /^Too many failed sign-ins for this account: try again after \d\d:\d\d UTC\.$/, "it says until when");
});

test("password reset: an SMS code (sandbox 1234) to the confirmed phone, checked, then a new password; sessions end; sends and wrong codes are bounded", async () => {
  const who = await registerCustomer(h.app, merchantId);
  assert.deepEqual((await mobile("/v2/mobile/password/reset", { phone: "+447700900999" })).json(), { result: "ok" }, "an unknown phone answers the same");
  const sent = await mobile("/v2/mobile/password/reset", { phone: who.phone });
  assert.equal(sent.statusCode, 200, sent.body);
  assert.ok(h.logs.records().some((r) => r.msg === "sandbox SMS sent"), "the code went through the SMS port");
  const soon = await mobile("/v2/mobile/password/reset", { phone: who.phone });
  assert.equal(soon.statusCode, 429);
  assert.equal(soon.json().error, "SMS_RESEND_COOLDOWN");
  assert.ok(Number(soon.headers["retry-after"]) > 0);

  const bad = await mobile("/v2/mobile/password/reset/confirm/code", { phone: who.phone, code: "9999" });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error, "INVALID_SMS_CODE");
  assert.deepEqual((await mobile("/v2/mobile/password/reset/confirm/code", { phone: who.phone, code: "1234" })).json(), { result: "ok" });
  const weak = await mobile("/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "weak" });
  assert.equal(weak.json().error, "WEAK_PASSWORD");
  const reset = await mobile("/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "reset pass 55" });
  assert.equal(reset.statusCode, 200, reset.body);
  const tokens = reset.json();
  assert.equal(tokens.token_type, "bearer");
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).statusCode, 401, "earlier sessions ended");
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: { ...who.headers, authorization: `Bearer ${tokens.access_token}` } })).statusCode, 200);
  assert.equal((await signIn(who.phone, "reset pass 55")).statusCode, 200);
  assert.equal((await mobile("/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "again pass 66" })).statusCode, 400, "the code is used up");

  // Five wrong codes lock the reset for 15 minutes, the right code included.
  h.clock.advance(31_000);
  assert.equal((await mobile("/v2/mobile/password/reset", { phone: who.phone })).statusCode, 200);
  for (let i = 0; i < 4; i++) assert.equal((await mobile("/v2/mobile/password/reset/confirm/code", { phone: who.phone, code: "0000" })).statusCode, 400);
  const locked = await mobile("/v2/mobile/password/reset/confirm/code", { phone: who.phone, code: "0000" });
  assert.equal(locked.statusCode, 429);
  assert.equal(locked.json().error, "TOO_MANY_ATTEMPTS");
  assert.equal((await mobile("/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "locked pass 77" })).statusCode, 429);
  h.clock.advance(15 * 60_000 + 1000);
  assert.equal((await mobile("/v2/mobile/password/reset", { phone: who.phone })).statusCode, 200, "a new code after the cool-down");
  assert.equal((await mobile("/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "later pass 88" })).statusCode, 200);
});

test("e-mail: add sends a confirmation link through the e-mail port; the link confirms it once; a confirmed e-mail is the customer's", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const add = (email: string, headers = who.headers) => h.app.inject({ method: "PUT", url: "/v2/mobile/email/add", headers, payload: { email } });
  const invalid = await add("not-an-email");
  assert.equal(invalid.statusCode, 400);
  assert.equal(invalid.json().field, "email");
  const email = `ada.${Date.now()}@example.com`;
  assert.deepEqual((await add(email)).json(), { result: "ok" });
  const link = lastEmailLink(h.logs);
  assert.equal(link.pathname, "/v2/mobile/email/confirm");
  assert.equal(link.searchParams.get("email"), email);
  let p = await profileOf(who);
  assert.equal(p.email, email);
  assert.equal(p.confirmedEmail, false);
  const soon = await h.app.inject({ method: "POST", url: "/v2/mobile/email/verify/resend", headers: who.headers });
  assert.equal(soon.statusCode, 429);
  assert.equal(soon.json().error, "EMAIL_RESEND_COOLDOWN");
  h.clock.advance(31_000);
  assert.equal((await h.app.inject({ method: "POST", url: "/v2/mobile/email/verify/resend", headers: who.headers })).statusCode, 200);
  const fresh = lastEmailLink(h.logs);
  assert.notEqual(fresh.searchParams.get("token"), link.searchParams.get("token"));

  const confirm = (q: URLSearchParams) => h.app.inject({ method: "GET", url: `/v2/mobile/email/confirm?${q.toString()}` });
  const stale = await confirm(link.searchParams);
  assert.equal(stale.statusCode, 400, "the first link was replaced");
  assert.equal(stale.json().error, "INVALID_EMAIL_TOKEN");
  const otherEmail = new URLSearchParams(fresh.searchParams);
  otherEmail.set("email", "eve@example.com");
  assert.equal((await confirm(otherEmail)).statusCode, 400, "the token is for this e-mail only");
  const ok = await confirm(fresh.searchParams);
  assert.equal(ok.statusCode, 200, ok.body);
  assert.deepEqual(ok.json(), { result: "Email address successfully confirmed" });
  assert.equal((await confirm(fresh.searchParams)).statusCode, 400, "used once");
  p = await profileOf(who);
  assert.equal(p.confirmedEmail, true);

  const again = await add(`grace.${Date.now()}@example.com`);
  assert.equal(again.statusCode, 400);
  assert.equal(again.json().error, "EMAIL_ALREADY_CONFIRMED");
  const other = await registerCustomer(h.app, merchantId);
  const taken = await add(email.toUpperCase(), other.headers);
  assert.equal(taken.statusCode, 400);
  assert.equal(taken.json().error, "EMAIL_ALREADY_REGISTERED");
});
