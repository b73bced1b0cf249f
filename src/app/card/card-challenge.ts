// The hosted 3-D Secure page's actions and its timeout. The payer's answer goes to the acquirer after
// no transaction is open; the outcome is recorded through the payment state machine.
import { findPayment, type PaymentRow } from "../../db/card/offers.js";
import { findMerchant } from "../../db/credentials.js";
import type { Deps } from "../deps.js";
import { eventFor, recordOutcome } from "./card-payments.js";
import { paymentIdOfToken } from "./three-ds-token.js";
import { portsFor } from "../merchants/test-mode.js";

const CHALLENGE_TIMEOUT_ANSWER = { code: 408, message: "3-D Secure challenge timed out" } as const;

export async function paymentForToken(deps: Deps, token: string): Promise<PaymentRow | null> {
  const id = paymentIdOfToken(deps, token);
  return id ? ((await findPayment(deps.database.db, id)) ?? null) : null;
}

/** What the challenge page shows the payer besides the payment: whom they pay. */
export async function challengePage(deps: Deps, token: string): Promise<{ payment: PaymentRow; merchantName: string } | null> {
  const payment = await paymentForToken(deps, token);
  if (!payment) return null;
  return { payment, merchantName: (await findMerchant(deps.database.db, payment.merchant_id))?.name ?? "" };
}

/** Approve or fail from the page. A challenge past its time fails as a timeout instead. */
export async function answerChallenge(deps: Deps, p: PaymentRow, passed: boolean): Promise<PaymentRow> {
  if (p.status !== "challenge") return p;
  if (p.challenge_expires_at && p.challenge_expires_at <= deps.clock.now()) {
    return recordOutcome(deps, p.id, "challenge_timeout", CHALLENGE_TIMEOUT_ANSWER);
  }
  const outcome = await (await portsFor(deps, p.merchant_id)).cardAcquirer.completeChallenge({ paymentId: p.id, providerRef: p.provider_ref }, passed);
  return recordOutcome(deps, p.id, eventFor(outcome, "challenge"), outcome);
}

/** The due-time job: fails a challenge still open at its deadline; an early run waits for it. */
export async function expireChallenge(deps: Deps, paymentId: string): Promise<{ done: true } | { retryAt: Date }> {
  const p = await findPayment(deps.database.db, paymentId);
  if (!p || p.status !== "challenge") return { done: true };
  if (p.challenge_expires_at && p.challenge_expires_at > deps.clock.now()) return { retryAt: p.challenge_expires_at };
  await recordOutcome(deps, p.id, "challenge_timeout", CHALLENGE_TIMEOUT_ANSWER);
  return { done: true };
}
