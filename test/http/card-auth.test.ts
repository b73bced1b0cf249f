// Card customer auth: signup/confirm/token/refresh/signout, lockouts, bearer errors (401), tenant
// isolation (404), KYC gating (403 KYC_LEVEL_REQUIRED).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BILLING, CARD_TEST_ENV, newPhone, PASSWORD, registerCustomer, seedCardPairs, addCard, createCardHarness } from "../support/card-customer.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
const form = { "content-type": "application/x-www-form-urlencoded" };

before(async () => {
  ({ h, merchantId } = await createCardHarness());
});
after(async () => h?.close());

const token = (number: string, password: string, merchant = merchantId, remoteAddress = "127.0.0.1") =>
  h.app.inject({
    method: "POST",
    url: "/oauth/token",
    headers: { ...form, "x-merchant-id": merchant },
    payload: `password=${encodeURIComponent(password)}&grant_type=mobile_phone&number=${encodeURIComponent(number)}`,
    remoteAddress,
  });

describe("customer accounts", () => {
  test("signup, duplicate phone, confirm with code, token object shape", async () => {
    const phone = newPhone();
    const h1 = { "x-merchant-id": merchantId, "x-version": "1.2" };
    const s = await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone, password: PASSWORD } });
    assert.deepEqual(s.json(), { result: "ok" });
    assert.ok(h.logs.records().some((l) => l.msg === "sandbox SMS sent"), "the sandbox SMS port logs the send");
    const dup = await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone, password: PASSWORD } });
    assert.equal(dup.statusCode, 403);
    assert.equal(dup.json().error, "ALREADY_REGISTERED");
    // Not confirmed yet: sign-in refused.
    assert.equal((await token(phone, PASSWORD)).json().error, "invalid_grant");
    const c = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h1, payload: { phone, code: "1234" } });
    assert.equal(c.statusCode, 200, c.body);
    const t = c.json();
    assert.deepEqual(Object.keys(t).sort(), ["access_token", "expires_in", "jti", "refresh_token", "scope", "token_type"]);
    assert.equal(t.token_type, "bearer");
    assert.equal(t.scope, "read write");
    assert.equal(t.expires_in, 86399);
    const claims = JSON.parse(Buffer.from(t.access_token.split(".")[1], "base64url").toString());
    assert.equal(JSON.parse(Buffer.from(t.access_token.split(".")[0], "base64url").toString()).alg, "HS256");
    assert.equal(claims.exp - claims.iat, 86400);
    assert.equal(claims.jti, t.jti);
    // No password or code ever reaches the logs.
    assert.ok(!h.logs.text.includes(PASSWORD));
  });

  test("weak password and bad phone → 400 with field; unknown merchant → 401", async () => {
    const h1 = { "x-merchant-id": merchantId };
    const weak = await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone: newPhone(), password: "short" } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().field, "password");
    const phone = await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone: "12", password: PASSWORD } });
    assert.equal(phone.statusCode, 400);
    assert.equal(phone.json().field, "phone");
    const nobody = await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: { "x-merchant-id": "00000000-0000-4000-8000-000000000000" }, payload: { phone: newPhone(), password: PASSWORD } });
    assert.equal(nobody.statusCode, 401);
  });

  test("5 wrong SMS codes lock confirmation for the cool-down", async () => {
    const phone = newPhone();
    const h1 = { "x-merchant-id": merchantId };
    await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone, password: PASSWORD } });
    for (let i = 0; i < 4; i++) {
      const r = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h1, payload: { phone, smsCode: "0000" } });
      assert.equal(r.json().error, "INVALID_SMS_CODE");
    }
    const fifth = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h1, payload: { phone, smsCode: "0000" } });
    assert.equal(fifth.statusCode, 429);
    const right = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h1, payload: { phone, smsCode: "1234" } });
    assert.equal(right.statusCode, 429, "locked even with the right code");
    h.clock.advance(15 * 60_000 + 1);
    const resend = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/verify/resend", headers: h1, payload: { phone } });
    assert.deepEqual(resend.json(), { result: "ok" });
    const again = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h1, payload: { phone, smsCode: "1234" } });
    assert.equal(again.statusCode, 200, again.body);
  });

  test("/oauth/token: grants, invalid_grant, unsupported_grant_type, refresh rotation, signout", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    const ok = await token(who.phone, PASSWORD);
    assert.equal(ok.statusCode, 200, ok.body);
    const bad = await token(who.phone, "wrong password 1");
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(bad.json().error, "invalid_grant");
    const email = await h.app.inject({ method: "POST", url: "/oauth/token", headers: { ...form, "x-merchant-id": merchantId }, payload: "grant_type=email&email=a@b.c&password=x" });
    assert.equal(email.statusCode, 400);
    assert.equal(email.json().error, "unsupported_grant_type");
    const r1 = await h.app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: `grant_type=refresh_token&refresh_token=${ok.json().refresh_token}` });
    assert.equal(r1.statusCode, 200, r1.body);
    const replay = await h.app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: `grant_type=refresh_token&refresh_token=${ok.json().refresh_token}` });
    assert.equal(replay.json().error, "invalid_grant", "a rotated refresh token is dead");
    const bearer = { authorization: `Bearer ${r1.json().access_token}` };
    assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: bearer })).statusCode, 200);
    const out = await h.app.inject({ method: "POST", url: "/signout", headers: bearer });
    assert.deepEqual(out.json(), { result: "ok" });
    const after = await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: bearer });
    assert.equal(after.statusCode, 401, "signout ends the access token too");
    const refreshAfter = await h.app.inject({ method: "POST", url: "/oauth/token", headers: form, payload: `grant_type=refresh_token&refresh_token=${r1.json().refresh_token}` });
    assert.equal(refreshAfter.json().error, "invalid_grant");
  });

  test("lockout per (phone, IP) after 5 failures and per phone after 20 from any IPs; never every customer of an IP", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    for (let i = 0; i < 5; i++) assert.equal((await token(who.phone, `nope nope ${i}`, merchantId, "10.0.0.1")).statusCode, 400);
    const locked = await token(who.phone, PASSWORD, merchantId, "10.0.0.1");
    assert.equal(locked.statusCode, 429, "the right password is refused from the guessing IP");
    assert.equal(locked.json().error, "too_many_attempts");
    assert.match(locked.json().error_description, /^Too many failed sign-ins for this account: try again after \d\d:\d\d UTC\.$/, "it says until when");
    assert.ok(Number(locked.headers["retry-after"]) > 0);
    assert.equal((await token(who.phone, PASSWORD, merchantId, "10.0.0.2")).statusCode, 200, "the customer still signs in from elsewhere");
    h.clock.advance(15 * 60_000 + 1);
    assert.equal((await token(who.phone, PASSWORD, merchantId, "10.0.0.1")).statusCode, 200, "the lock ends");

    // Guessing spread over many IPs locks the phone everywhere.
    for (let i = 0; i < 20; i++) await token(who.phone, "nope nope 1", merchantId, `10.1.0.${i}`);
    assert.equal((await token(who.phone, PASSWORD, merchantId, "10.2.0.1")).statusCode, 429);
    h.clock.advance(15 * 60_000 + 1);

    // One IP guessing many phones (say, a carrier NAT) locks none of the other customers behind it.
    for (let i = 0; i < 25; i++) await token(newPhone(), "nope nope 1", merchantId, "10.9.9.9");
    assert.equal((await token(who.phone, PASSWORD, merchantId, "10.9.9.9")).statusCode, 200);
  });

  test("wrong passwords sent at once are counted one after another: past five from one IP the rest are 429 unchecked", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => token(who.phone, `nope nope ${i}`, merchantId, "10.3.0.1")));
    assert.deepEqual(answers.map((r) => r.statusCode).sort(), [400, 400, 400, 400, 400, 429, 429, 429]);
    assert.equal((await token(who.phone, PASSWORD, merchantId, "10.3.0.1")).statusCode, 429);
  });

  test("an SMS resend right after signup is 429 sms_resend_cooldown saying when the next code can be sent", async () => {
    const phone = newPhone();
    const h1 = { "x-merchant-id": merchantId };
    assert.equal((await h.app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h1, payload: { phone, password: PASSWORD } })).statusCode, 200);
    h.clock.advance(10_000);
    const early = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/verify/resend", headers: h1, payload: { phone } });
    assert.equal(early.statusCode, 429);
    assert.equal(early.json().error, "SMS_RESEND_COOLDOWN");
    assert.equal(early.headers["retry-after"], "20");
    assert.equal(early.json().data.resendAvailableAt, new Date(h.clock.now().getTime() + 20_000).toISOString());
    h.clock.advance(20_000);
    const resend = await h.app.inject({ method: "POST", url: "/v2/mobile/phone/verify/resend", headers: h1, payload: { phone } });
    assert.deepEqual(resend.json(), { result: "ok" });
  });
});

describe("bearer tokens", () => {
  test("no token, bad token, tampered token, expired token (test clock) → 401 invalid_token", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const url = "/v3/payin/data";
    const none = await h.app.inject({ method: "GET", url });
    assert.equal(none.statusCode, 401);
    assert.equal(none.json().error, "invalid_token");
    assert.ok(none.json().error_description);
    assert.equal((await h.app.inject({ method: "GET", url, headers: { authorization: "Bearer abc.def.ghi" } })).statusCode, 401);
    const [hd, pl, sig] = who.token.split(".");
    const claims = JSON.parse(Buffer.from(pl!, "base64url").toString());
    const forged = `${hd}.${Buffer.from(JSON.stringify({ ...claims, exp: claims.exp + 999999 })).toString("base64url")}.${sig}`;
    assert.equal((await h.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${forged}` } })).statusCode, 401);
    assert.equal((await h.app.inject({ method: "GET", url, headers: who.headers })).statusCode, 200);
    h.clock.advance(24 * 3600_000);
    const expired = await h.app.inject({ method: "GET", url, headers: who.headers });
    assert.equal(expired.statusCode, 401);
    assert.match(expired.json().error_description, /expired/);
    // A 401 comes before body validation.
    const post = await h.app.inject({ method: "POST", url: "/v3/payin/card", headers: { authorization: "Bearer x" }, payload: { nonsense: true } });
    assert.equal(post.statusCode, 401);
  });

  test("another customer's card or offer is 404", async () => {
    const a = await registerCustomer(h.app, merchantId);
    const b = await registerCustomer(h.app, merchantId);
    const cardA = await addCard(h.app, a, "4242424242424242");
    const offerA = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: a.headers, payload: { cardId: cardA, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })).json();
    const byB = [
      await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: b.headers, payload: { cardId: cardA, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } }),
      await h.app.inject({ method: "POST", url: `/v3/payin/card/${cardA}/billing-address`, headers: b.headers, payload: BILLING }),
      await h.app.inject({ method: "PUT", url: `/v3/payin/offer/${offerA.offerId}`, headers: b.headers, payload: { amount: 50, fromCurrency: "EUR", toCurrency: "USDT" } }),
      await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offerA.offerId}`, headers: b.headers, payload: {} }),
      await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerA.offerId}`, headers: b.headers }),
      await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=abc`, headers: b.headers }),
    ];
    for (const r of byB) {
      assert.equal(r.statusCode, 404, r.body);
      assert.equal(r.json().systemId, "rampart");
    }
    assert.match(byB[4]!.body, /No such offer/, "another customer learns nothing about the offer");
    const unpaid = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerA.offerId}`, headers: a.headers });
    assert.equal(unpaid.statusCode, 404);
    assert.match(unpaid.body, /not been paid yet/, "the owner is told the offer is unpaid");
    assert.equal((await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: b.headers })).json().cards.length, 0);
    // A token used with another merchant's X-Merchant-ID is refused.
    const other = await createMerchant(h.deps);
    const cross = await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: { ...a.headers, "x-merchant-id": other.merchantId } });
    assert.equal(cross.statusCode, 401);
  });

  test("below the KYC level → 403 KYC_LEVEL_REQUIRED naming the level", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    for (const [method, url] of [
      ["GET", "/v3/payin/data"],
      ["GET", "/v3/payin/fiat-rates"],
      ["POST", "/v3/payin/offer"],
    ] as const) {
      const r = await h.app.inject({ method, url, headers: who.headers, ...(method === "POST" ? { payload: { cardId: 1, fromCurrency: "EUR", amount: 10, toCurrency: "USDT" } } : {}) });
      assert.equal(r.statusCode, 403, `${method} ${url}`);
      assert.equal(r.json().error, "KYC_LEVEL_REQUIRED");
      assert.equal(r.json().data.requiredLevel, "KYC_0");
      assert.match(r.json().message, /KYC_0/);
    }
  });
});

describe("pay level configurable", () => {
  test("payinPayKycLevel=KYC_1: a KYC_0 customer can quote but not pay", async () => {
    const strict = await createHarness({ env: { ...CARD_TEST_ENV, RAMPART_CARD_PAY_KYC_LEVEL: "KYC_1" } });
    try {
      const m = await createMerchant(strict.deps);
      await seedCardPairs(strict.deps);
      const who = await registerCustomer(strict.app, m.merchantId);
      const cardId = await addCard(strict.app, who, "4242424242424242");
      const offer = await strict.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } });
      assert.equal(offer.statusCode, 200);
      const pay = await strict.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.json().offerId}`, headers: who.headers, payload: {} });
      assert.equal(pay.statusCode, 403);
      assert.equal(pay.json().error, "KYC_LEVEL_REQUIRED");
      assert.equal(pay.json().data.requiredLevel, "KYC_1");
    } finally {
      await strict.close();
    }
  });
});
