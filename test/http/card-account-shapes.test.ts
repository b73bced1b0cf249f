// The field shapes the vault.ist clients declare (issue 13): a numeric customerId beside the UUID,
// citizenshipCountry kept and returned, dateOfBirth returned as the date sent, and /v2/wallets with
// wallet ids, addresses, fiat values and accounts; one wallet read by its id.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addCard, createCardHarness, registerCustomer, SURVEY } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let merchantId: string;
before(async () => {
  ({ h, merchantId } = await createCardHarness());
});
after(async () => h?.close());

test("customerId is a number, one per customer, the same on the legacy profile and on every wallet", async () => {
  const a = await registerCustomer(h.app, merchantId);
  const b = await registerCustomer(h.app, merchantId);
  const idOf = async (headers: Record<string, string>) => (await h.app.inject({ method: "GET", url: "/v1/customer/profile", headers })).json().customerId;
  const [ida, idb] = [await idOf(a.headers), await idOf(b.headers)];
  assert.ok(Number.isSafeInteger(ida) && ida > 0, `customerId ${ida}`);
  assert.ok(Number.isSafeInteger(idb) && idb !== ida);
  const wallets = (await h.app.inject({ method: "GET", url: "/v2/wallets", headers: a.headers })).json().wallets as { customerId: number }[];
  assert.ok(wallets.length > 0);
  for (const w of wallets) assert.equal(w.customerId, ida);
});

test("citizenshipCountry is kept and returned (alpha-3 as alpha-2); dateOfBirth comes back as the date sent", async () => {
  const who = await registerCustomer(h.app, merchantId, { survey: false });
  const bad = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { ...SURVEY, citizenshipCountry: "XYZ" } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, "citizenshipCountry");
  const ok = await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { ...SURVEY, citizenshipCountry: "FRA", dateOfBirth: "1990-05-20T00:00:00.000Z" } });
  assert.equal(ok.statusCode, 204, ok.body);
  for (const url of ["/v2/customer/profile", "/v1/customer/profile"]) {
    const p = (await h.app.inject({ method: "GET", url, headers: who.headers })).json();
    assert.equal(p.citizenshipCountry, "FR", url);
    assert.equal(p.dateOfBirth, "1990-05-20", url);
  }
  await h.app.inject({ method: "PATCH", url: "/v2/customer/profile", headers: who.headers, payload: { dateOfBirth: "1985-12-31" } });
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers })).json().dateOfBirth, "1985-12-31");
});

test("/v2/wallets: wallet id, address, fiat value and accounts; GET /v2/wallets/{id} answers one wallet; another customer's is 404", async () => {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, "4242424242424242");
  const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })).json();
  const pay = await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
  assert.equal(pay.statusCode, 200, pay.body);
  assert.equal((await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offer.offerId}`, headers: who.headers })).json().status, "SUCCESS");

  const list = await h.app.inject({ method: "GET", url: "/v2/wallets", headers: who.headers });
  assert.equal(list.statusCode, 200);
  const body = list.json();
  assert.deepEqual(body.accounts, []);
  const usdt = body.wallets.find((w: { currency: string }) => w.currency === "USDT");
  assert.ok(usdt, list.body);
  assert.equal(typeof usdt.id, "number");
  assert.equal(usdt.address, `custodial:${usdt.id}`);
  assert.equal(usdt.balance, offer.toAmount, "the offer's crypto was credited");
  assert.equal(usdt.balanceString, String(offer.toAmount));
  // Valued in the customer's primary currency (EUR) at the fixed 0.93 EUR per USDT, rounded down.
  assert.equal(usdt.fiat.customerCurrency, "EUR");
  assert.equal(usdt.fiat.rate, 0.93);
  assert.equal(usdt.fiat.amount, Math.floor(offer.toAmount * 0.93 * 100) / 100);
  assert.equal(body.fiat.customerCurrency, "EUR");
  assert.equal(body.fiat.amount, usdt.fiat.amount, "only the USDT wallet holds anything");
  const ids = body.wallets.map((w: { id: number }) => w.id);
  assert.equal(new Set(ids).size, ids.length, "one id per wallet");

  const again = (await h.app.inject({ method: "GET", url: "/v2/wallets", headers: who.headers })).json();
  assert.deepEqual(again.wallets.map((w: { id: number }) => w.id), ids, "wallet ids are stable");
  const one = await h.app.inject({ method: "GET", url: `/v2/wallets/${usdt.id}`, headers: who.headers });
  assert.equal(one.statusCode, 200);
  assert.deepEqual(one.json(), usdt);

  const other = await registerCustomer(h.app, merchantId);
  const theirs = await h.app.inject({ method: "GET", url: `/v2/wallets/${usdt.id}`, headers: other.headers });
  assert.equal(theirs.statusCode, 404);
  assert.equal(theirs.json().error, "NOT_FOUND");
  assert.equal((await h.app.inject({ method: "GET", url: "/v2/wallets/abc", headers: who.headers })).statusCode, 404);
});
