// Drives a card customer through the dialect over HTTP: signup, phone confirm, KYC_0 survey, a card.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../src/app/deps.js";
import { seedPricing } from "../../src/app/sandbox/seed-pricing.js";
import { sandboxCredentials } from "../../src/app/sandbox/sandbox-credentials.js";
import { createMerchant } from "./factories.js";
import { createHarness, type Harness } from "./harness.js";
import type { LogCapture } from "./log-capture.js";

export const CARD_TEST_ENV = {
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.93,USD/USDT=1.00,EUR/BTC=60000,EUR/ETH=3000,RUB/USDT=99.12,KZT/USDT=505",
};

/** A harness for card tests: the card rates (plus `env`), one merchant and the sandbox pairs. */
export async function createCardHarness(env: Record<string, string> = {}): Promise<{ h: Harness; merchantId: string }> {
  const h = await createHarness({ env: { ...CARD_TEST_ENV, ...env } });
  const merchantId = (await createMerchant(h.deps)).merchantId;
  await seedCardPairs(h.deps);
  return { h, merchantId };
}

/** The sandbox pairs (the card method included), as `rampart seed` writes them. */
export async function seedCardPairs(deps: Deps): Promise<void> {
  await seedPricing(deps, sandboxCredentials(deps.config.secretKey));
}

export const SURVEY = {
  firstName: "Ada",
  lastName: "Lovelace",
  primaryCurrency: "EUR",
  residenceCountry: "DEU",
  residenceCity: "Berlin",
  residenceStreet: "Unter den Linden 1",
  residenceZipCode: "10117",
  dateOfBirth: "1990-05-20T00:00:00.000Z",
};

export const BILLING = { address: "Unter den Linden 1", city: "Berlin", countryCode: "DE", zip: "10117", state: null };

let phoneCounter = 0;
export function newPhone(): string {
  phoneCounter += 1;
  return `+4477${String(Date.now() % 1_000_000).padStart(6, "0")}${String(phoneCounter).padStart(3, "0")}`;
}

export const PASSWORD = "correct horse 42";

export interface CardCustomer {
  phone: string;
  token: string;
  refreshToken: string;
  headers: Record<string, string>;
}

export async function registerCustomer(app: FastifyInstance, merchantId: string, opts: { survey?: boolean } = {}): Promise<CardCustomer> {
  const phone = newPhone();
  const h = { "x-merchant-id": merchantId, "x-version": "1.2" };
  const s = await app.inject({ method: "POST", url: "/v2/mobile/signup", headers: h, payload: { phone, password: PASSWORD } });
  assert.equal(s.statusCode, 200, s.body);
  const c = await app.inject({ method: "POST", url: "/v2/mobile/phone/confirm", headers: h, payload: { phone, smsCode: "1234" } });
  assert.equal(c.statusCode, 200, c.body);
  const tok = c.json() as { access_token: string; refresh_token: string };
  const headers = { ...h, authorization: `Bearer ${tok.access_token}` };
  if (opts.survey !== false) {
    const p = await app.inject({ method: "PATCH", url: "/v2/customer/profile", headers, payload: SURVEY });
    assert.equal(p.statusCode, 204, p.body);
  }
  return { phone, token: tok.access_token, refreshToken: tok.refresh_token, headers };
}

export async function addCard(app: FastifyInstance, who: CardCustomer, cardNumber: number | string): Promise<number> {
  const r = await app.inject({
    method: "POST",
    url: "/v3/payin/card",
    headers: who.headers,
    payload: { cardNumber, cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING },
  });
  assert.equal(r.statusCode, 200, r.body);
  const card = r.json() as { cardId: number; maskedPan: string };
  assert.ok(card.maskedPan.endsWith(String(cardNumber).slice(-4)), r.body);
  return card.cardId;
}

/** The confirmation link of the last sandbox e-mail logged (its text is logged in sandbox and test mode). */
export function lastEmailLink(logs: LogCapture): URL {
  const sent = logs.records().filter((r) => r.msg === "sandbox e-mail sent");
  const text = String((sent.at(-1)?.email as { text: string } | undefined)?.text);
  const m = /(https?:\/\/\S+)/.exec(text);
  assert.ok(m, `a link in the e-mail: ${text}`);
  return new URL(m[1]!);
}
