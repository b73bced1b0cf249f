// Test mode's card dialect (issue 19) in a live installation with no card acquirer
// (RAMPART_CARD_ACQUIRER=none) whose live SMS, e-mail, acquirer, KYC and chain record and refuse every
// call: a live merchant's customers get 403 service_not_enabled as before, while a test twin's customer
// signs up and confirms with the fixed code 1234, resets the password, confirms an e-mail from the
// link in the test inbox (never in the live installation's log: it is a bearer token) and pays (frictionless, through a 3-D Secure challenge, and after a provider error the
// status sync job resolves) on the sandbox adapters.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import type { CardAcquirer, ChainPayout, EmailSender, KycVendor, SmsSender } from "../../src/app/ports.js";
import { CARD_TEST_ENV, BILLING, PASSWORD, registerCustomer, seedCardPairs, type CardCustomer } from "../support/card-customer.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { drainWorker, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let live: MerchantFixture;
let twinId: string;
let testKey: string;
/** Every call that reached a live adapter. */
const liveCalls: string[] = [];

function refuseLiveVendors(deps: Deps): void {
  const refuse = (what: string) => async () => {
    liveCalls.push(what);
    throw new Error(`live ${what} called`);
  };
  deps.ports.sms = { name: "live-sms", send: refuse("sms.send") } satisfies SmsSender;
  deps.ports.email = { name: "live-email", send: refuse("email.send") } satisfies EmailSender;
  deps.ports.cardAcquirer = { name: "live-acquirer", authorize: refuse("acquirer.authorize"), status: refuse("acquirer.status"), completeChallenge: refuse("acquirer.completeChallenge") } satisfies CardAcquirer;
  deps.ports.kyc = { name: "live-kyc", submit: refuse("kyc.submit"), check: refuse("kyc.check") } satisfies KycVendor;
  deps.ports.chain = { name: "live-chain", send: refuse("chain.send"), status: refuse("chain.status") } satisfies ChainPayout;
}

before(async () => {
  h = await createHarness({ env: { ...LIVE_ENV, RAMPART_FIXED_RATES: CARD_TEST_ENV.RAMPART_FIXED_RATES }, tweak: refuseLiveVendors });
  live = await createMerchant(h.deps);
  await seedCardPairs(h.deps);
  const key = await jsonCall(h.app, "POST", "/merchant/v1/keys", { "x-api-key": live.apiKey }, { label: "integration", mode: "test" });
  assert.equal(key.status, 201, key.text);
  testKey = key.json.apiKey as string;
  twinId = (await h.deps.database.db.selectFrom("merchants").select("id").where("test_of", "=", live.merchantId).executeTakeFirstOrThrow()).id;
});
after(async () => {
  await h?.close();
});

const mobile = (merchantId: string, url: string, payload: unknown) =>
  h.app.inject({ method: "POST", url, headers: { "x-merchant-id": merchantId, "x-version": "1.2" }, payload: payload as Record<string, unknown> });

function assertSwitchedOff(res: { statusCode: number; body: string; json(): Record<string, unknown> }, what: string): void {
  assert.equal(res.statusCode, 403, `${what}: ${res.body}`);
  assert.equal(res.json().error, "SERVICE_NOT_ENABLED", what);
}

/** Card, offer and pay; the pay answer and the offer's pay-callback. */
async function pay(who: CardCustomer, cardNumber: string) {
  const add = await h.app.inject({
    method: "POST",
    url: "/v3/payin/card",
    headers: who.headers,
    payload: { cardNumber, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING },
  });
  assert.equal(add.statusCode, 200, add.body);
  const offer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId: add.json().cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" } });
  assert.equal(offer.statusCode, 200, offer.body);
  const offerId = offer.json().offerId as number;
  const paid = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { cardCVV: "123", successUrl: "https://merchant.example/ok" } });
  assert.equal(paid.statusCode, 200, paid.body);
  const callback = async () => {
    const r = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offerId}`, headers: who.headers });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().status as string;
  };
  return { pay: paid.json() as { authLink: string | null }, callback };
}

describe("the card dialect without an acquirer, in a live installation", () => {
  test("a live merchant's customers get 403 service_not_enabled, and nothing is written", async () => {
    assertSwitchedOff(await mobile(live.merchantId, "/v2/mobile/signup", { phone: "+447700900123", password: PASSWORD }), "live signup");
    assertSwitchedOff(await mobile("not-a-uuid", "/v2/mobile/signup", { phone: "+447700900123", password: PASSWORD }), "no merchant");
    const token = await h.app.inject({ method: "POST", url: "/oauth/token", headers: { "x-merchant-id": live.merchantId }, payload: { grant_type: "mobile_phone" } });
    assert.equal(token.statusCode, 403);
    assert.equal(token.json().error, "service_not_enabled");
    const forged = await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: { authorization: "Bearer a.b.c" } });
    assertSwitchedOff(forged, "a forged bearer token");
    const customers = await h.deps.database.db.selectFrom("card_customers").select("id").where("merchant_id", "=", live.merchantId).execute();
    assert.deepEqual(customers, []);
  });

  test("a test twin's customer signs up with the fixed code, resets the password, confirms an e-mail and pays, on the sandbox adapters only", async () => {
    const who = await registerCustomer(h.app, twinId);

    // Password reset by the fixed code.
    assert.equal((await mobile(twinId, "/v2/mobile/password/reset", { phone: who.phone })).statusCode, 200);
    const reset = await mobile(twinId, "/v2/mobile/password/reset/confirm", { phone: who.phone, code: "1234", password: "new test pass 42" });
    assert.equal(reset.statusCode, 200, reset.body);
    const headers = { ...who.headers, authorization: `Bearer ${reset.json().access_token}` };
    const customer = { ...who, headers };

    // The e-mail link goes to the test sender; the merchant reads it in the test inbox, and the live
    // installation's log never holds it (a bearer token), nor the e-mail's or the SMS's text.
    const email = `ada.${Date.now()}@example.com`;
    assert.equal((await h.app.inject({ method: "PUT", url: "/v2/mobile/email/add", headers, payload: { email } })).statusCode, 200);
    const inbox = await jsonCall(h.app, "GET", "/merchant/v1/test-messages?channel=email", { "x-api-key": testKey });
    assert.equal(inbox.status, 200, inbox.text);
    const text = String((inbox.json.items as { text: string }[])[0]?.text);
    const link = new URL(/(https?:\/\/\S+)/.exec(text)?.[0] ?? assert.fail(`a link in the e-mail: ${text}`));
    const token = String(link.searchParams.get("token"));
    assert.ok(token.length >= 40, String(link));
    assert.ok(!h.logs.text.includes(token), "the link's token is not logged");
    assert.ok(!h.logs.text.includes("Your confirmation code is"), "the SMS text is not logged");
    const sends = h.logs.records().filter((r) => (r.email as { to?: string } | undefined)?.to === `a***@example.com`);
    assert.ok(sends.length > 0, "the send itself is logged");
    // As information, not as the live sender's "not delivered" warning: nothing is missing in test mode.
    assert.ok(sends.every((r) => r.level === 30 && /test inbox/.test(String(r.msg))), JSON.stringify(sends));
    const confirmed = await h.app.inject({ method: "GET", url: `${link.pathname}${link.search}` });
    assert.equal(confirmed.statusCode, 200, confirmed.body);
    const profile = await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers });
    assert.equal(profile.json().confirmedEmail, true);

    // A live merchant's id beside the test customer's token is refused like any live request.
    assertSwitchedOff(await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: { ...headers, "x-merchant-id": live.merchantId } }), "a live X-Merchant-ID");

    const frictionless = await pay(customer, "4242424242424242");
    assert.equal(frictionless.pay.authLink, null);
    assert.equal(await frictionless.callback(), "SUCCESS");

    const challenged = await pay(customer, "4000000000003220");
    assert.equal(await challenged.callback(), "PENDING");
    const threeDs = String(challenged.pay.authLink).split("/3ds/")[1]!;
    const approve = await h.app.inject({ method: "POST", url: `/3ds/${threeDs}/approve`, headers: { "content-type": "application/x-www-form-urlencoded" }, payload: "" });
    assert.equal(approve.statusCode, 303, approve.body);
    assert.equal(await challenged.callback(), "SUCCESS");

    // A provider error is resolved by the status sync job, which asks the twin's acquirer too.
    const synced = await pay(customer, "4000000000000119");
    assert.equal(await synced.callback(), "PENDING");
    h.clock.advance(6_000);
    await drainWorker(h.deps);
    assert.equal(await synced.callback(), "SUCCESS");

    assert.deepEqual(liveCalls, [], "no live adapter was called");
    await verifyLedgerClean(h.deps);
  });
});
