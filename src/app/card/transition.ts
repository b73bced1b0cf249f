// One place where a card payment changes status: decide with the core table, write the row with the
// acquirer's answer, queue the merchant's card webhook event, and do what entering the new status
// means (credit the wallet on success, a challenge timeout, a status sync after a provider error),
// all in the caller's transaction. The caller has locked the row FOR UPDATE and re-read its status.
import { isTestMerchant } from "../merchants/test-mode.js";
import type { Transaction } from "kysely";
import { CARD_PAYMENT_MACHINE, type CardPaymentEvent } from "../../core/card/payment-status.js";
import { findPayment, insertPaymentEvent, type PaymentRow, updatePayment } from "../../db/card/offers.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { enqueueJob } from "../outbox/outbox.js";
import { creditCustomerWallet } from "./card-ledger.js";
import { cardPaymentChanging } from "./pay-callback-cache.js";
import { enqueueCardPaymentEvent } from "./card-payment-events.js";

export const STATUS_SYNC_JOB = "card.payment_status_sync";
const CHALLENGE_TIMEOUT_JOB = "card.challenge_timeout";
const PROVIDER_ERROR_SYNC_DELAY_MS = 5_000;

/** What the acquirer (or the sync, or the challenge) answered, stored with the new status. */
export interface OutcomeFields {
  providerRef?: string;
  code: number;
  message: string;
  issuer?: { countryCode: string; countryName: string; bankName: string };
}

export async function transitionPayment(deps: Deps, trx: Transaction<DB>, locked: PaymentRow, event: CardPaymentEvent, answer: OutcomeFields): Promise<PaymentRow> {
  const to = CARD_PAYMENT_MACHINE.next(locked.status, event);
  const now = deps.clock.now();
  const final = to === "succeeded" || to === "failed";
  cardPaymentChanging(deps, locked.offer_id);
  const challengeExpiresAt = to === "challenge" ? new Date(now.getTime() + deps.config.card.challengeTimeoutSeconds * 1000) : locked.challenge_expires_at;
  await updatePayment(trx, locked.id, {
    status: to,
    provider_ref: answer.providerRef ?? locked.provider_ref,
    transaction_status: answer.message,
    transaction_status_code: answer.code,
    original_status: answer.message,
    original_status_code: answer.code,
    card_country_code: answer.issuer?.countryCode ?? locked.card_country_code,
    card_country_name: answer.issuer?.countryName ?? locked.card_country_name,
    card_bank_name: answer.issuer?.bankName ?? locked.card_bank_name,
    challenge_expires_at: challengeExpiresAt,
    completed_at: final ? now : null,
    updated_at: now,
  });
  // Who moved it: the acquirer's answer, the payer's 3-D Secure, or Rampart's own timeout and sync.
  const actor = event.startsWith("acquirer_") ? "acquirer" : event === "challenge_passed" || event === "challenge_failed" ? "customer" : "system";
  await insertPaymentEvent(trx, { paymentId: locked.id, from: locked.status, to, actor, reason: `${event}: ${answer.message}`, at: now });
  const updated = (await findPayment(trx, locked.id))!;
  // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
  if (final && !(await isTestMerchant(deps, locked.merchant_id, trx))) deps.metrics.paymentFinished(trx, "card", to === "succeeded" ? "paid" : event === "challenge_timeout" ? "expired" : "failed", locked.created_at, now);
  await enqueueCardPaymentEvent(deps, trx, updated, now);
  if (updated.status === "succeeded") await creditCustomerWallet(deps, trx, updated, now);
  if (updated.status === "challenge") {
    await enqueueJob(trx, CHALLENGE_TIMEOUT_JOB, { paymentId: updated.id }, { key: `card:challenge-timeout:${updated.id}`, dueAt: updated.challenge_expires_at! });
  }
  if (updated.status === "provider_error") {
    const dueAt = new Date(now.getTime() + PROVIDER_ERROR_SYNC_DELAY_MS);
    await enqueueJob(trx, STATUS_SYNC_JOB, { paymentId: updated.id }, { key: `card:status-sync:${updated.id}:provider-error`, dueAt });
  }
  return updated;
}
