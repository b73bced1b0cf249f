// A client written the way the public TypeScript SDK of this API is (an axios instance with default
// headers X-Merchant-ID and the NUMBER 1.2 as X-Version, JSON bodies, a form-encoded /oauth/token,
// the offer update sent to PUT /v3/payin/pay/{id} with its own field names, cardCvv, a string
// fingerprint, and a JSON body on the GET pay-callback), pointed at Rampart by changing only its base
// URL. axios is not installed, so the transport is node:http, which (unlike fetch) can send a body on
// GET exactly as axios's Node adapter does.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { newPhone, SURVEY, createCardHarness } from "../support/card-customer.js";
import type { Harness } from "../support/harness.js";

let h: Harness;
let baseURL: string;
let merchantId: string;

before(async () => {
  ({ h, merchantId } = await createCardHarness());
  await h.app.listen({ port: 0, host: "127.0.0.1" });
  baseURL = `http://127.0.0.1:${(h.app.server.address() as { port: number }).port}`;
});
after(async () => h?.close());

/** The SDK's shape: one instance, default headers, a bearer set later, errors rethrown with the body's message. */
class AxiosLikeClient {
  readonly defaults: { baseURL: string; headers: Record<string, string | number> };
  private bearer: string | null = null;
  constructor(baseURL: string, merchant: string) {
    this.defaults = { baseURL, headers: { "X-Merchant-ID": merchant, "X-Version": 1.2 } };
  }
  setAuthToken(token: string) {
    this.bearer = token;
  }
  /** axios: objects become JSON, or urlencoded when that content type is set; data goes even on GET. */
  request<T>(method: string, url: string, data?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const all: Record<string, string> = Object.fromEntries(Object.entries(this.defaults.headers).map(([k, v]) => [k, String(v)]));
    Object.assign(all, { Accept: "application/json, text/plain, */*" }, headers);
    if (this.bearer) all.Authorization = `Bearer ${this.bearer}`;
    let body: string | undefined;
    if (data !== undefined) {
      if (all["Content-Type"] === "application/x-www-form-urlencoded") {
        body = new URLSearchParams(Object.entries(data as Record<string, string>)).toString();
      } else {
        all["Content-Type"] = "application/json";
        body = JSON.stringify(data);
      }
      all["Content-Length"] = String(Buffer.byteLength(body));
    }
    const target = new URL(url, this.defaults.baseURL);
    return new Promise<T>((resolve, reject) => {
      const req = http.request(target, { method: method.toUpperCase(), headers: all }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          const parsed = text && /json/.test(String(res.headers["content-type"])) ? (JSON.parse(text) as { message?: unknown }) : text;
          if ((res.statusCode ?? 500) >= 400) {
            const e = parsed as { message?: unknown };
            reject(new Error(JSON.stringify(e?.message || e)));
          } else resolve(parsed as T);
        });
      });
      req.on("error", reject);
      if (body !== undefined) req.write(body);
      req.end();
    });
  }
}

interface Token {
  access_token: string;
}
interface Offer {
  offerId: number;
  amount: number;
  toAmount: number;
}

test("the public client's whole flow works against Rampart by changing only the base URL", async () => {
  const api = new AxiosLikeClient(baseURL, merchantId);
  const phone = newPhone();
  const password = "Sup3r secret pw";
  // Auth: createAccount, verifyPhone ({ phone, code }), signIn (form fields in the client's order).
  assert.deepEqual(await api.request("POST", "/v2/mobile/signup", { phone, password }), { result: "ok" });
  await api.request<Token>("POST", "/v2/mobile/phone/confirm", { phone, code: "1234" });
  const signIn = await api.request<Token>("POST", "/oauth/token", { password, number: phone, grant_type: "mobile_phone" }, { "Content-Type": "application/x-www-form-urlencoded" });
  api.setAuthToken(signIn.access_token);
  await assert.rejects(
    api.request("POST", "/oauth/token", { password, number: phone, grant_type: "email" }, { "Content-Type": "application/x-www-form-urlencoded" }),
    /unsupported_grant_type|not supported/,
  );
  // Profile via the legacy PUT, then KYC status.
  const profile = await api.request<{ completedKycLevel: string }>("PUT", "/v1/customer/profile", SURVEY);
  assert.equal(profile.completedKycLevel, "KYC_0");
  assert.equal((await api.request<{ kycLevel: string }>("GET", "/v2/customer/kyc/data")).kycLevel, "KYC_0");
  // Pay-in: rates, card with a NUMBER cardNumber, data, offer, update on /pay/, activate, callback.
  const rates = await api.request<{ baseCurrency: string }[]>("GET", "/v3/payin/fiat-rates");
  assert.ok(rates.length > 0);
  const added = await api.request<{ cardId: number }>("POST", "/v3/payin/card", {
    cardNumber: 4242424242424242,
    cardHolder: "ADA LOVELACE",
    cardExpirationYear: 2030,
    cardExpirationMonth: 12,
    billingAddress: { zip: "10117", city: "Berlin", state: "BE", address: "Unter den Linden 1", countryCode: "DE" },
  });
  const data = await api.request<{ cards: { cardId: number }[] }>("GET", "/v3/payin/data");
  const cardId = data.cards[0]!.cardId;
  assert.equal(added.cardId, cardId, "add card answers the saved card");
  const offer = await api.request<Offer>("POST", "/v3/payin/offer", { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" });
  const updated = await api.request<Offer>("PUT", `/v3/payin/pay/${offer.offerId}`, {
    offerId: offer.offerId,
    currencyFrom: "EUR",
    currencyTo: "USDT",
    amountFrom: 120,
    amountTo: 1,
  });
  assert.equal(updated.offerId, offer.offerId);
  assert.equal(updated.amount, 120, "fiat wins");
  const paid = await api.request<{ offerId: number; authLink: string | null }>("POST", `/v3/payin/pay/${offer.offerId}`, {
    offerId: offer.offerId,
    cardCvv: "123",
    successUrl: "https://merchant.example/ok",
    fingerprint: "fp-6b1c0c",
  });
  assert.equal(paid.offerId, offer.offerId);
  assert.equal(paid.authLink, null);
  const outcome = await api.request<{ status: string; cryptoAmount: number }>("GET", `/v3/payin/pay-callback?offerId=${offer.offerId}`, { offerId: offer.offerId });
  assert.equal(outcome.status, "SUCCESS");
  assert.equal(outcome.cryptoAmount, updated.toAmount);
  // Errors surface the envelope's message, as the client's interceptor does.
  await assert.rejects(api.request("GET", "/v3/payin/pay-callback?offerId=999999", { offerId: 999999 }), /No such offer/);
});
