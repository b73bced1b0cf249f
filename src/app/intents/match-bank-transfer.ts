// Matches a bank transfer to a payment intent by its unique payment reference. At status 4: the exact
// amount pays it (→ 5); a different amount is refunded (→ 5 → 12) or, with the store's
// acceptAmountMismatch, the crypto is recalculated pro rata at the quoted rate. Money for an intent
// that is not waiting for it is booked and refunded on its own: a timed-out or cancelled intent
// records the refund as 12; any other intent keeps its status and course (a paid intent still gets its
// crypto), and the refund is an event on it. Redeliveries were already dropped by the caller.
import type { Transaction } from "kysely";
import { INTENT_STATUS as S, INTENT_STATUS_NAMES } from "../../core/intents/intent-status.js";
import { divRound } from "../../core/money/rounding.js";
import { findIntentSettings, type IntentRow, lockIntentByReference, recordIntentEvent } from "../../db/intents/intents.js";
import type { DB } from "../../db/schema.js";
import { assertInScope, type MatchScope, ownMerchantOf, type RecordedTransfer, type TransferMatch, unmatched } from "../bank-transfers/transfer-match.js";
import type { Deps } from "../deps.js";
import { bookFiatIn, refundFiatIn } from "./effects.js";
import { intentChanging } from "./status-cache.js";
import { transitionIntent } from "./transition.js";

/** References are issued upper case; payers type them with stray spaces and in any case. */
export const normalizeReference = (reference: string) => reference.trim().toUpperCase();

export async function matchIntentTransfer(
  deps: Deps,
  trx: Transaction<DB>,
  t: RecordedTransfer & { reference: string },
  scope: MatchScope,
): Promise<TransferMatch> {
  const intent = await lockIntentByReference(trx, normalizeReference(t.reference), ownMerchantOf(scope));
  if (!intent) return unmatched("no payment intent has this reference");
  assertInScope(scope, intent.merchant_id);
  const paid = (outcome: TransferMatch["outcome"], reason: string | null): TransferMatch => ({ outcome, reason, tradingPayinId: null, intentId: intent.id });

  if (intent.status !== S.readyToPay) {
    const reason = refusalReason(intent);
    await refundTransfer(deps, trx, intent, t, reason);
    return paid("refunded", reason);
  }

  const expected = BigInt(intent.fiat_minor);
  const sameCurrency = t.currency === intent.fiat_currency;
  if (sameCurrency && t.amountMinor === expected) {
    await bookFiatIn(deps, trx, intent, { externalId: t.externalId, currency: t.currency, paidMinor: t.amountMinor, feeMinor: BigInt(intent.fee_fiat_minor) });
    await transitionIntent(deps, trx, intent, { action: "payment_matched", actor: "bank_feed", set: { paid_fiat_minor: t.amountMinor } });
    return paid("paid", null);
  }
  const settings = (await findIntentSettings(trx, intent.store_id))!;
  if (sameCurrency && settings.accept_amount_mismatch) {
    // Pro rata at the quoted rate: crypto owed rounds down, the fee rounds up.
    const crypto = divRound(BigInt(intent.crypto_minor) * t.amountMinor, expected, "floor");
    const fee = divRound(BigInt(intent.fee_fiat_minor) * t.amountMinor, expected, "ceil");
    await bookFiatIn(deps, trx, intent, { externalId: t.externalId, currency: t.currency, paidMinor: t.amountMinor, feeMinor: fee });
    await transitionIntent(deps, trx, intent, {
      action: "payment_matched",
      actor: "bank_feed",
      set: { paid_fiat_minor: t.amountMinor, fiat_minor: t.amountMinor, crypto_minor: crypto, fee_fiat_minor: fee },
      settings,
      data: { recalculated: true, expectedFiatMinor: expected.toString(), paidFiatMinor: t.amountMinor.toString() },
    });
    return paid("recalculated", null);
  }
  // The dialect's path for a wrong amount (docs/contract-intents.md#statuses): received (5), then refunded (12).
  const reason = sameCurrency ? "amount differs from the instructions" : `currency ${t.currency} differs from the intent's ${intent.fiat_currency}`;
  await bookFiatIn(deps, trx, intent, { externalId: t.externalId, currency: t.currency, paidMinor: t.amountMinor, feeMinor: 0n });
  await refundFiatIn(deps, trx, intent, t.externalId);
  const received = await transitionIntent(deps, trx, intent, {
    action: "payment_matched",
    actor: "bank_feed",
    set: { paid_fiat_minor: t.amountMinor },
    settings,
    data: { amountMismatch: true, bankTransferId: t.id },
  });
  await transitionIntent(deps, trx, received, { action: "refund", actor: "system", data: { reason, paidFiatMinor: t.amountMinor.toString() } });
  return paid("refunded", reason);
}

function refusalReason(intent: IntentRow): string {
  if (intent.status === S.paid || intent.status === S.done) return "the intent was already paid";
  const name = INTENT_STATUS_NAMES[intent.status];
  return `the intent is not waiting for a payment (${name})`;
}

/**
 * Books the money in and back out (its own fiat-in transfer and its reversal, both keyed by the bank's
 * transaction id). A timed-out or cancelled intent moves to 12 so its merchant learns the money was
 * returned; every other intent records the refund as an event and keeps its status.
 */
async function refundTransfer(deps: Deps, trx: Transaction<DB>, intent: IntentRow, t: RecordedTransfer, reason: string): Promise<void> {
  await bookFiatIn(deps, trx, intent, { externalId: t.externalId, currency: t.currency, paidMinor: t.amountMinor, feeMinor: 0n });
  await refundFiatIn(deps, trx, intent, t.externalId);
  const data = { reason, bankTransferId: t.id, paidFiatMinor: t.amountMinor.toString(), currency: t.currency };
  if (intent.status === S.timedOut || intent.status === S.cancelled) {
    await transitionIntent(deps, trx, intent, { action: "refund", actor: "system", data });
    return;
  }
  // The status read lists the refund: its cached entry is dropped like on any change of the intent.
  intentChanging(deps, intent.id);
  await recordIntentEvent(trx, intent.id, { from: intent.status, actor: "bank_feed", at: deps.clock.now(), data: { action: "payment_refunded", ...data } });
}
