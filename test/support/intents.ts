// Helpers for payment-intent tests: a configured store, valid create bodies, draining the worker's
// queues (jobs and webhooks) under the test clock, and IPN checks.
import assert from "node:assert/strict";
import { ensureIntentSettings } from "../../src/app/intents/store-settings.js";
import { sandboxCredentials } from "../../src/app/sandbox/sandbox-credentials.js";
import { seedPricing } from "../../src/app/sandbox/seed-pricing.js";
import { runDueJobs } from "../../src/app/outbox/run-jobs.js";
import { jobHandlers } from "../../src/main/job-handlers.js";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { verifyIpn } from "../../src/core/webhooks/signatures.js";
import { sandboxTransfer } from "./bank-feed.js";
import type { MerchantFixture } from "./factories.js";
import type { Harness } from "./harness.js";
import type { ReceivedRequest } from "./webhook-receiver.js";

export const INTENT_RATES_ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92,EUR/USDC=0.92,EUR/BTC=60000,EUR/ETH=3000,USD/USDT=1" };

export const WALLETS = {
  trc20: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
  erc20: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
  ethereum: "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
  bitcoin: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
} as const;

/** The sandbox pairs (EUR→USDT/BTC/ETH, bank transfer = the pairs' "sepa" method). Idempotent. */
export async function seedPairs(h: Harness): Promise<void> {
  await seedPricing(h.deps, sandboxCredentials(h.deps.config.secretKey));
}

/** Intent settings for a store (and the pairs they are priced with); returns the IPN secret. */
export async function configureStore(
  h: Harness,
  storeId: string,
  opts: { acceptAmountMismatch?: boolean; paymentWindowSeconds?: number; kycWindowSeconds?: number; ipnSecret?: string } = {},
): Promise<string> {
  await seedPairs(h);
  return ensureIntentSettings(h.deps, {
    storeId,
    servedCountries: ["ES", "PT", "DE", "FR", "IT", "NL"],
    bank: { iban: "ES9121000418450200051332", bic: "CAIXESBBXXX", beneficiary: "Rampart Test S.L.", bankName: "Test Bank" },
    paymentWindowSeconds: opts.paymentWindowSeconds ?? 3600,
    kycWindowSeconds: opts.kycWindowSeconds ?? 86_400,
    ...(opts.acceptAmountMismatch !== undefined ? { acceptAmountMismatch: opts.acceptAmountMismatch } : {}),
    ...(opts.ipnSecret !== undefined ? { ipnSecret: opts.ipnSecret } : {}),
  });
}

export const STORE_BANK = { iban: "ES9121000418450200051332", bic: "CAIXESBBXXX", beneficiary: "Shop One S.L.", bankName: "CaixaBank" };

/** A valid body for PUT /admin/v1/stores/{id}/intent-settings (and a store create's intentSettings). */
export function storeSettingsBody(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { servedCountries: ["ES", "PT"], bank: STORE_BANK, paymentWindowSeconds: 3600, kycWindowSeconds: 86_400, kycValidityDays: 365, acceptAmountMismatch: false, ...over };
}

let emailSeq = 0;
export const freshEmail = () => `user${++emailSeq}.${Date.now()}@example.com`;

export function intentBody(storeId: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    email: freshEmail(),
    currencyIsoCode: "EUR",
    cryptoSymbol: "USDT",
    network: "trc20",
    walletAddress: WALLETS.trc20,
    ip: "203.0.113.7",
    storeId,
    fiatAmount: 100,
    countryIsoCode: "ES",
    ...over,
  };
}

/** KYC fields that make the sandbox vendor decide by the last name. */
export function kycFields(lastName = "Garcia") {
  return { firstName: "Ana", lastName, birthDate: "1990-04-01", documentType: "passport", documentNumber: "X1234567", documentCountry: "ES", nationality: "ES" };
}

/** An intent created with KYC data (and `fields`), then paid in full by a sandbox bank transfer; its id. */
export async function paidIntent(h: Harness, m: Pick<MerchantFixture, "storeId" | "apiKey">, fields: Record<string, unknown> = {}): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: "/payment/intent",
    headers: { "x-api-key": m.apiKey, "content-type": "application/json" },
    payload: JSON.stringify(intentBody(m.storeId, { ...kycFields(), ...fields })),
  });
  assert.equal(res.statusCode, 201, res.body);
  const id = (res.json() as { paymentIntentId: string }).paymentIntentId;
  const ins = (await h.app.inject({ method: "GET", url: `/payment/intent/${id}/instructions`, headers: { "x-api-key": m.apiKey } })).json() as {
    fiatAmount: number;
    bankTransfer: { reference: string };
  };
  const paid = await sandboxTransfer(h.app, { apiKey: m.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR" });
  assert.equal(paid.json.outcome, "paid");
  return id;
}

export async function drain(h: Harness): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const n = (await runDueJobs(h.deps, jobHandlers)) + (await runWebhookDelivery(h.deps));
    if (n === 0) return;
  }
  throw new Error("drain: still busy after 200 rounds");
}

/** Advances the clock step by step, draining each time (payout polls, windows). */
export async function advanceAndDrain(h: Harness, ms: number, steps = 1): Promise<void> {
  for (let i = 0; i < steps; i++) {
    h.clock.advance(ms);
    await drain(h);
  }
}

export interface Ipn {
  paymentIntentId: string;
  paymentIntentStatus: string;
  timestamp: string;
  signature: string;
}

export function parseIpn(r: ReceivedRequest): Ipn {
  assert.equal(r.method, "GET");
  const u = new URL(r.url, "http://x");
  return {
    paymentIntentId: u.searchParams.get("paymentIntentId") ?? "",
    paymentIntentStatus: u.searchParams.get("paymentIntentStatus") ?? "",
    timestamp: u.searchParams.get("timestamp") ?? "",
    signature: u.searchParams.get("signature") ?? "",
  };
}

/**
 * The statuses the receiver got for an intent, in order, each with a valid signature. Timestamps come
 * from the test clock, which jumps ahead by hours in some tests: `nowS` is the test clock's time.
 */
export function ipnStatuses(received: ReceivedRequest[], intentId: string, secret: string, nowS: number): number[] {
  const out: number[] = [];
  for (const r of received) {
    const ipn = parseIpn(r);
    if (ipn.paymentIntentId !== intentId) continue;
    assert.ok(
      verifyIpn(secret, ipn, nowS, 3 * 86_400),
      `IPN signature for ${intentId} status ${ipn.paymentIntentStatus}`,
    );
    out.push(Number(ipn.paymentIntentStatus));
  }
  return out;
}
