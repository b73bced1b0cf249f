// Paying an offer with the saved card. The payment row is written (one per offer: the unique offer_id
// means paying twice never charges twice) and committed BEFORE the acquirer is called; the answer is
// recorded in a second short transaction through the payment state machine. Each status change queues
// the merchant's card webhook event (if configured) in the transaction that makes it. A status sync job is
// queued with the payment, so a process dying between commit and answer is resolved later.
import { refuseWhenBlocked } from "../risk/assess-payment.js";
import type { Transaction } from "kysely";
import { maskedPan } from "../../core/card/card-number.js";
import { requireLevel } from "../../core/card/kyc-levels.js";
import { CARD_PAYMENT_MACHINE, type CardPaymentEvent } from "../../core/card/payment-status.js";
import { AppError } from "../../core/shared/errors.js";
import { findCustomerCard } from "../../db/card/cards.js";
import { findCustomer } from "../../db/card/customers.js";
import { findCustomerOffer, findPayment, findPaymentByOffer, insertPayment, insertPaymentEvent, markOfferPaid, type PaymentRow } from "../../db/card/offers.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { enqueueJob } from "../outbox/outbox.js";
import type { CardAuthOutcome } from "../ports.js";
import { assertOfferOpen } from "./card-offers.js";
import { assessAtPay } from "./card-risk.js";
import { enqueueCardPaymentEvent } from "./card-payment-events.js";
import { inLimitCurrency } from "./card-pricing.js";
import { openCard } from "./card-vault.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { assertWithinLimit, limitState } from "./customer-profile.js";
import { type PaymentView, viewOf } from "./pay-callback.js";
import { threeDsToken } from "./three-ds-token.js";
import { type OutcomeFields, STATUS_SYNC_JOB, transitionPayment } from "./transition.js";
import { isTestMerchant, portsFor } from "../merchants/test-mode.js";

/** The safety-net sync runs this long after the pay commit (the acquirer call normally answers first). */
const SAFETY_SYNC_DELAY_MS = 2 * 60_000;

interface PayInput {
  cvv: string | null;
  successUrl: string | null;
  failUrl: string | null;
  cancelUrl: string | null;
}

/** Where the payer returns: the merchant's URLs, or Rampart's own 3-D Secure page (it shows the outcome). */
function returnUrls(deps: Deps, paymentId: string, input: PayInput) {
  const own = `${deps.config.publicUrl}/3ds/${threeDsToken(deps, paymentId)}`;
  const success = input.successUrl ?? own;
  return { success_url: success, fail_url: input.failUrl ?? success, cancel_url: input.cancelUrl ?? input.failUrl ?? success };
}

/**
 * `commit` stores the answer with the payment row, then revises it with the acquirer's answer in the
 * transaction that records it: a retry after a crash between the two replays the payment as committed.
 */
export async function payOffer(deps: Deps, who: CustomerPrincipal, offerId: string, input: PayInput, commit?: CommitAnswer<PaymentView>): Promise<PaymentView> {
  requireLevel(who.kycLevel, deps.config.card.payinPayKycLevel);
  const db = deps.database.db;
  const offer = await findCustomerOffer(db, who.customerId, offerId);
  if (!offer) throw new AppError("not_found", { message: "No such offer." });
  const earlier = await findPaymentByOffer(db, offerId);
  if (earlier) return viewOf(deps, earlier);
  // Read before the transaction: it may need a rate (a network call).
  const limitMinor = await inLimitCurrency(deps, offer.fiat, BigInt(offer.fiat_minor));

  const paymentId = deps.ids.uuid();
  const created = await refuseWhenBlocked(deps, () => db.transaction().execute(async (trx) => {
    // The customer row lock serialises this customer's payments, so the limit check below holds.
    await findCustomer(trx, who.customerId, true);
    const locked = (await findCustomerOffer(trx, who.customerId, offerId, true))!;
    const existing = await findPaymentByOffer(trx, offerId);
    if (existing) return { payment: existing, created: false };
    const now = deps.clock.now();
    assertOfferOpen(locked, now);
    assertWithinLimit(await limitState(deps, trx, who.customerId, who.kycLevel), limitMinor);
    const card = await findCustomerCard(trx, who.customerId, locked.card_id);
    if (!card) throw new AppError("not_found", { field: "cardId", message: "No such card." });
    await assessAtPay(deps, trx, who, locked, paymentId);
    const row = {
      id: paymentId,
      offer_id: offerId,
      customer_id: who.customerId,
      merchant_id: who.merchantId,
      card_id: card.id,
      status: "authorizing" as const,
      fiat: locked.fiat,
      fiat_minor: locked.fiat_minor,
      fee_minor: locked.fee_minor,
      crypto: locked.crypto,
      crypto_network: locked.crypto_network,
      crypto_decimals: locked.crypto_decimals,
      crypto_minor: locked.crypto_minor,
      limit_minor: limitMinor.toString(),
      masked_pan: maskedPan(card.bin, card.last4),
      ...returnUrls(deps, paymentId, input),
      created_at: now,
      updated_at: now,
    };
    await insertPayment(trx, row);
    await insertPaymentEvent(trx, { paymentId, from: null, to: "authorizing", actor: "customer", reason: null, at: now });
    // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
    if (!(await isTestMerchant(deps, row.merchant_id, trx))) deps.metrics.paymentCreated(trx, "card");
    await markOfferPaid(trx, offerId, now);
    await enqueueJob(trx, STATUS_SYNC_JOB, { paymentId }, { key: `card:status-sync:${paymentId}:safety`, dueAt: new Date(now.getTime() + SAFETY_SYNC_DELAY_MS) });
    const payment = (await findPayment(trx, paymentId))!;
    await enqueueCardPaymentEvent(deps, trx, payment, now);
    await commit?.(trx, viewOf(deps, payment));
    return { payment, created: true };
  }));
  if (!created.created) return viewOf(deps, created.payment);

  // After commit: no transaction is open across the acquirer call.
  let outcome: CardAuthOutcome | null = null;
  try {
    const card = await openCard(deps, created.payment.card_id);
    outcome = await (await portsFor(deps, created.payment.merchant_id)).cardAcquirer.authorize({
      paymentId,
      pan: card.pan,
      expMonth: card.expMonth,
      expYear: card.expYear,
      cvv: input.cvv,
      amountMinor: BigInt(created.payment.fiat_minor),
      currency: created.payment.fiat,
    });
  } catch (err) {
    // Unknown outcome: the payment stays 'authorizing' and the status sync job resolves it.
    deps.logger.warn({ paymentId, err: { message: (err as Error).message } }, "card acquirer call failed");
  }
  if (outcome === null) return viewOf(deps, created.payment);
  const answer = commit && ((trx: Transaction<DB>, p: PaymentRow) => commit(trx, viewOf(deps, p)));
  return viewOf(deps, await recordOutcome(deps, paymentId, eventFor(outcome, "acquirer"), outcome, answer));
}

export function eventFor(o: CardAuthOutcome, source: "acquirer" | "sync" | "challenge"): CardPaymentEvent {
  if (source === "challenge") return o.kind === "approved" ? "challenge_passed" : "challenge_failed";
  if (source === "sync") {
    if (o.kind === "approved") return "sync_approved";
    if (o.kind === "declined") return "sync_declined";
    return o.kind === "challenge" ? "acquirer_challenge" : "acquirer_error";
  }
  switch (o.kind) {
    case "approved":
      return "acquirer_approved";
    case "challenge":
      return "acquirer_challenge";
    case "declined":
      return "acquirer_declined";
    case "provider_error":
      return "acquirer_error";
  }
}

/**
 * Applies an event to a payment under its row lock. An event the current status does not accept (a
 * late or repeated answer) changes nothing: the payment as it stands is returned. `commit` stores the
 * request's answer with it.
 */
export async function recordOutcome(
  deps: Deps,
  paymentId: string,
  event: CardPaymentEvent,
  answer: OutcomeFields,
  commit?: CommitAnswer<PaymentRow>,
): Promise<PaymentRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const locked = (await findPayment(trx, paymentId, true))!;
    const p = CARD_PAYMENT_MACHINE.can(locked.status, event) ? await transitionPayment(deps, trx, locked, event, answer) : locked;
    await commit?.(trx, p);
    return p;
  });
}
