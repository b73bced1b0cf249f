// Card dialect validation: card numbers (number or string, exact digits), Luhn, expiry, 4-card limit,
// profile survey patterns and KYC_0, the v1 aliases, name lock, rolling limits.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { rawJsonMember } from "../../src/http/dialects/card/raw-json-member.js";
import { BILLING, type CardCustomer, registerCustomer, SURVEY, createCardHarness } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness({ RAMPART_CARD_KYC_LIMITS: "KYC_0=300" }));
});
after(async () => h?.close());

const cardBody = (cardNumber: unknown, extra: Record<string, unknown> = {}) => ({
  cardNumber,
  cardHolder: "ADA LOVELACE",
  cardExpirationYear: 2030,
  cardExpirationMonth: 12,
  billingAddress: BILLING,
  ...extra,
});

async function postCard(who: CardCustomer, body: unknown) {
  return h.app.inject({ method: "POST", url: "/v3/payin/card", headers: who.headers, payload: body as object });
}

async function cards(who: CardCustomer) {
  return (await h.app.inject({ method: "GET", url: "/v3/payin/data", headers: who.headers })).json().cards as { cardId: number; maskedPan: string; cardType: string }[];
}

describe("raw JSON member", () => {
  test("returns the exact source text of a top-level number", () => {
    assert.equal(rawJsonMember('{"cardNumber": 4242424242424242}', "cardNumber"), "4242424242424242");
    assert.equal(rawJsonMember('{"a":{"cardNumber":1},"cardNumber":4000000000000000006,"b":[1,{"x":"}"}]}', "cardNumber"), "4000000000000000006");
    assert.equal(rawJsonMember('{"\\u0063ardNumber":5555555555554444}', "cardNumber"), "5555555555554444");
    assert.equal(rawJsonMember('{"cardNumber":1,"cardNumber":2}', "cardNumber"), "2", "the last one wins, like JSON.parse");
    assert.equal(rawJsonMember('{"x":"cardNumber: 1"}', "cardNumber"), undefined);
    assert.equal(rawJsonMember("[1]", "cardNumber"), undefined);
  });
});

describe("card vault", () => {
  test("card number as a JSON number and as a string are both accepted; a duplicate returns the existing card", async () => {
    const who = await registerCustomer(h.app, merchantId);
    assert.equal((await postCard(who, cardBody(4242424242424242))).statusCode, 200);
    assert.equal((await postCard(who, cardBody("5555 5555 5555 4444"))).statusCode, 200);
    assert.equal((await postCard(who, cardBody("4242424242424242"))).statusCode, 200, "duplicate");
    const list = await cards(who);
    assert.deepEqual(list.map((c) => [c.maskedPan, c.cardType]), [["424242****4242", "VISA"], ["555555****4444", "MASTERCARD"]]);
  });

  test("add card answers the saved card, masked (BIN and last 4 only); a duplicate answers the same card", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const r = await postCard(who, cardBody("4000000000003220"));
    assert.equal(r.statusCode, 200, r.body);
    const card = r.json();
    assert.deepEqual(Object.keys(card).sort(), ["billingAddressRequired", "cardId", "cardType", "maskedPan", "maxAmountFrom", "minAmountFrom", "validationStatus"]);
    assert.equal(typeof card.cardId, "number");
    assert.equal(card.maskedPan, "400000****3220");
    assert.equal(card.cardType, "VISA");
    assert.ok(!r.body.includes("4000000000003220") && !r.body.includes("0000003220"), "no digits past the BIN but the last 4");
    const again = await postCard(who, cardBody(4000000000003220));
    assert.equal(again.statusCode, 200);
    assert.deepEqual(again.json(), card);
    assert.deepEqual(await cards(who), [card], "/data lists the same object");
  });

  test("card list and delete: a deleted card leaves the lists, cannot be offered on or paid, and comes back when saved again", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const a = (await postCard(who, cardBody("4242424242424242"))).json();
    const b = (await postCard(who, cardBody("5555555555554444"))).json();
    const list = await h.app.inject({ method: "GET", url: "/v3/payin/card", headers: who.headers });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json(), { cards: [a, b] });
    const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId: a.cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })).json();

    const del = await h.app.inject({ method: "DELETE", url: `/v3/payin/card/${a.cardId}`, headers: who.headers });
    assert.equal(del.statusCode, 200, del.body);
    assert.deepEqual(del.json(), { result: "ok" });
    assert.equal((await h.app.inject({ method: "DELETE", url: `/v3/payin/card/${a.cardId}`, headers: who.headers })).statusCode, 404, "already deleted");
    assert.deepEqual((await h.app.inject({ method: "GET", url: "/v3/payin/card", headers: who.headers })).json(), { cards: [b] });
    assert.deepEqual(await cards(who), [b], "/data leaves it out too");
    const newOffer = await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId: a.cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } });
    assert.equal(newOffer.statusCode, 404);
    assert.equal(newOffer.json().field, "cardId");
    const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
    assert.equal(pay.statusCode, 404, "an open offer on a deleted card cannot be paid");

    const other = await registerCustomer(h.app, merchantId);
    assert.equal((await h.app.inject({ method: "DELETE", url: `/v3/payin/card/${b.cardId}`, headers: other.headers })).statusCode, 404, "another customer's card");
    assert.equal((await h.app.inject({ method: "DELETE", url: "/v3/payin/card/x1", headers: who.headers })).statusCode, 404);

    const back = await postCard(who, cardBody("4242424242424242"));
    assert.equal(back.statusCode, 200);
    assert.deepEqual(back.json(), a, "the same card comes back");
    assert.deepEqual((await h.app.inject({ method: "GET", url: "/v3/payin/card", headers: who.headers })).json(), { cards: [a, b] });
  });

  test("a 19-digit card number sent as a JSON number keeps every digit", async () => {
    const who = await registerCustomer(h.app, merchantId);
    // 4000000000000000006 (Luhn-valid VISA, 19 digits) is not representable as a double: parsed, it
    // becomes 4000000000000000000. The raw body keeps it exact.
    const raw = `{"cardNumber":4000000000000000006,"cardHolder":"A B","cardExpirationYear":2030,"cardExpirationMonth":12,"billingAddress":${JSON.stringify(BILLING)}}`;
    const r = await h.app.inject({ method: "POST", url: "/v3/payin/card", headers: { ...who.headers, "content-type": "application/json" }, payload: raw });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((await cards(who))[0]!.maskedPan, "400000****0006");
    const row = await h.deps.database.db.selectFrom("card_cards").select(["bin", "last4"]).orderBy("id", "desc").executeTakeFirstOrThrow();
    assert.deepEqual(row, { bin: "400000", last4: "0006" });
  });

  test("bad Luhn digit, past expiry, wrong brand, bad country → 400 with field", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const luhn = await postCard(who, cardBody(4242424242424241));
    assert.equal(luhn.statusCode, 400);
    assert.equal(luhn.json().field, "cardNumber");
    assert.equal(luhn.json().error, "INVALID_CARD_NUMBER");
    const exponent = await h.app.inject({ method: "POST", url: "/v3/payin/card", headers: { ...who.headers, "content-type": "application/json" }, payload: `{"cardNumber":4.242424242424242e15,"cardHolder":"A","cardExpirationYear":2030,"cardExpirationMonth":12,"billingAddress":${JSON.stringify(BILLING)}}` });
    assert.equal(exponent.statusCode, 400);
    assert.equal(exponent.json().field, "cardNumber");
    const past = await postCard(who, cardBody(4242424242424242, { cardExpirationYear: 2025, cardExpirationMonth: 12 }));
    assert.equal(past.statusCode, 400);
    assert.equal(past.json().error, "CARD_EXPIRED");
    assert.equal(past.json().field, "cardExpirationYear");
    const month = await postCard(who, cardBody(4242424242424242, { cardExpirationMonth: 13 }));
    assert.equal(month.json().field, "cardExpirationMonth");
    const amex = await postCard(who, cardBody("378282246310005"));
    assert.equal(amex.json().error, "UNSUPPORTED_CARD_BRAND");
    const country = await postCard(who, cardBody(4242424242424242, { billingAddress: { ...BILLING, countryCode: "XX" } }));
    assert.equal(country.statusCode, 400);
    assert.equal(country.json().field, "billingAddress.countryCode");
    const missing = await postCard(who, { cardNumber: 4242424242424242 });
    assert.equal(missing.statusCode, 400);
    assert.equal(missing.json().systemId, "rampart");
    assert.ok(missing.json().message);
    assert.deepEqual(await cards(who), []);
  });

  test("a fifth card → 403 CARD_LIMIT_REACHED", async () => {
    const who = await registerCustomer(h.app, merchantId);
    for (const pan of ["4242424242424242", "4000000000003220", "4000000000000002", "4000000000009995"]) assert.equal((await postCard(who, cardBody(pan))).statusCode, 200);
    const fifth = await postCard(who, cardBody("4000000000000069"));
    assert.equal(fifth.statusCode, 403);
    assert.equal(fifth.json().error, "CARD_LIMIT_REACHED");
    assert.equal((await postCard(who, cardBody("4242424242424242"))).statusCode, 200, "an existing card is still fine");
  });

  test("billing address replaced; unknown card → 404", async () => {
    const who = await registerCustomer(h.app, merchantId);
    await postCard(who, cardBody(4242424242424242));
    const cardId = (await cards(who))[0]!.cardId;
    const r = await h.app.inject({ method: "POST", url: `/v3/payin/card/${cardId}/billing-address`, headers: who.headers, payload: { ...BILLING, city: "Hamburg", countryCode: "DEU" } });
    assert.equal(r.statusCode, 200);
    const row = await h.deps.database.db.selectFrom("card_cards").select(["billing_city", "billing_country"]).where("id", "=", String(cardId)).executeTakeFirstOrThrow();
    assert.deepEqual(row, { billing_city: "Hamburg", billing_country: "DE" });
    assert.equal((await h.app.inject({ method: "POST", url: "/v3/payin/card/999999/billing-address", headers: who.headers, payload: BILLING })).statusCode, 404);
  });
});

describe("profile and KYC_0", () => {
  test("each bad survey field → 400 naming it; under 18 refused; KYC_0 only when all eight are valid", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    const bad: Record<string, string> = {
      residenceCountry: "D3U",
      residenceCity: "Berlin<script>",
      residenceStreet: "Main St; DROP",
      residenceZipCode: "10117!",
      primaryCurrency: "EURO",
      dateOfBirth: "1990-02-30",
      firstName: "Ada1",
    };
    for (const [field, value] of Object.entries(bad)) {
      const r = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { ...SURVEY, [field]: value } });
      assert.equal(r.statusCode, 400, `${field}: ${r.body}`);
      assert.equal(r.json().field, field);
    }
    const young = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { ...SURVEY, dateOfBirth: "2010-01-01T00:00:00.000Z" } });
    assert.equal(young.statusCode, 400);
    assert.equal(young.json().field, "dateOfBirth");
    const partial = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { firstName: "Ada", lastName: "Lovelace" } });
    assert.equal(partial.statusCode, 204);
    assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json().kycLevel, "NONE");
    const profile = (await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).json();
    assert.equal(profile.firstName, "Ada");
    assert.ok(!("residenceCity" in profile), "null fields are omitted");
    const rest = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { ...SURVEY, firstName: undefined, lastName: undefined } });
    assert.equal(rest.statusCode, 204);
    assert.equal(rest.body, "");
    const kyc = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
    assert.equal(kyc.kycLevel, "KYC_0");
    assert.equal(kyc.kyc1ClientData.status, "UNDEFINED");
    const full = (await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).json();
    assert.equal(full.residenceCountry, "DE");
    assert.equal(full.dateOfBirth, "1990-05-20");
  });

  test("PUT/GET /v1/customer/profile aliases: same survey, 200 with the profile", async () => {
    const who = await registerCustomer(h.app, merchantId, { survey: false });
    const r = await h.app.inject({ method: "PUT", url: "/v1/customer/profile", headers: who.headers, payload: SURVEY });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().completedKycLevel, "KYC_0");
    assert.deepEqual(r.json().completedKycLevelList, ["KYC_0"]);
    const g = (await h.app.inject({ method: "GET", url: "/v1/customer/profile", headers: who.headers })).json();
    assert.equal(g.lastName, "Lovelace");
  });

  test("names are locked from KYC_1 on (403)", async () => {
    const who = await registerCustomer(h.app, merchantId);
    await h.deps.database.db.updateTable("card_customers").set({ kyc_level: "KYC_1", kyc1_status: "APPROVED" }).where("phone", "=", who.phone).execute();
    const r = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { firstName: "Augusta" } });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().error, "NAME_LOCKED");
    assert.equal(r.json().field, "firstName");
    assert.equal((await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { firstName: "Ada", residenceCity: "Bonn" } })).statusCode, 204);
  });

  test("limits per level; amounts outside min/max and over the rolling limit are refused", async () => {
    const who = await registerCustomer(h.app, merchantId);
    const limits = (await h.app.inject({ method: "GET", url: "/v1/kyc/limits", headers: who.headers })).json();
    assert.deepEqual(limits.kyc0Limit, { value: 300, currency: "EUR" });
    assert.deepEqual(limits.kycNoneLimit, { value: 0, currency: "EUR" });
    await postCard(who, cardBody(4242424242424242));
    const cardId = (await cards(who))[0]!.cardId;
    const offer = (amount: unknown) => h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount, toCurrency: "USDT", operation: "PAYIN" } });
    const low = await offer(1);
    assert.equal(low.statusCode, 400);
    assert.equal(low.json().field, "amount");
    assert.equal((await offer(6000)).json().error, "AMOUNT_ABOVE_MAXIMUM");
    assert.equal((await offer(12.345)).json().error, "AMOUNT_SCALE_EXCEEDED");
    const ok = await offer(200);
    assert.equal(ok.statusCode, 200);
    const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${ok.json().offerId}`, headers: who.headers, payload: {} });
    assert.equal(pay.statusCode, 200);
    const offersBefore = await h.deps.database.db.selectFrom("card_offers").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    const over = await offer(150);
    assert.equal(over.statusCode, 403);
    assert.equal(over.json().error, "PAYIN_LIMIT_EXCEEDED");
    const offersAfter = await h.deps.database.db.selectFrom("card_offers").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
    assert.equal(offersAfter.n, offersBefore.n, "a refused offer writes nothing");
    assert.equal((await offer(100)).statusCode, 200, "exactly the remaining headroom is allowed");
    const kyc = (await h.app.inject({ method: "GET", url: "/v2/customer/kyc/data", headers: who.headers })).json();
    assert.deepEqual(kyc.remainingAmount, { value: 100, currency: "EUR" });
  });
});
