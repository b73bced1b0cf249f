// Matches an incoming bank transfer to an intent by its unique payment reference. Exact amount in
// status 4 → 5. A different amount → refund (12), or, with the store's acceptAmountMismatch, the
// crypto is recalculated pro rata at the quoted rate. Money for an intent that can no longer be paid
// (timed out, cancelled, already paid) is booked and refunded. Transfers are deduplicated by id.
import { INTENT_STATUS as S, canTransition } from "../../core/intents/intent-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parseAmount } from "../../core/money/decimal.js";
import { divRound } from "../../core/money/rounding.js";
import { findIntentSettings, insertBankTransfer, lockIntentByReference } from "../../db/intents/intents.js";
import type { Deps } from "../deps.js";
import { bookFiatIn, refundFiatIn } from "./effects.js";
import { transitionIntent } from "./transition.js";

export interface IntentTransferInput {
  externalId: string;
  reference: string;
  amount: number | string;
  currency: string;
}

export type IntentMatchOutcome = "paid" | "recalculated" | "refunded" | "unmatched" | "duplicate";

export async function matchIntentTransfer(deps: Deps, t: IntentTransferInput): Promise<{ outcome: IntentMatchOutcome; paymentIntentId: string | null }> {
  const currency = t.currency.toUpperCase();
  const amountMinor = parseAmount(t.amount, fiatScale(currency, "currency"), { field: "amount" });
  const now = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    const intent = await lockIntentByReference(trx, t.reference.trim().toUpperCase());
    const record = (outcome: IntentMatchOutcome) =>
      insertBankTransfer(trx, { externalId: t.externalId, reference: t.reference, amountMinor, currency, intentId: intent?.id ?? null, outcome, receivedAt: now });
    if (!intent) {
      // Kept for the operator to return by hand; nothing is booked against an unknown reference.
      return { outcome: (await record("unmatched")) ? "unmatched" : "duplicate", paymentIntentId: null };
    }
    const expected = BigInt(intent.fiat_minor);
    const exact = amountMinor === expected && currency === intent.fiat_currency;
    const settings = (await findIntentSettings(trx, intent.store_id))!;
    const outcome: IntentMatchOutcome =
      intent.status !== S.readyToPay ? "refunded" : exact ? "paid" : settings.accept_amount_mismatch && currency === intent.fiat_currency ? "recalculated" : "refunded";
    if (!(await record(outcome))) return { outcome: "duplicate", paymentIntentId: intent.id };

    if (outcome === "paid") {
      await bookFiatIn(deps, trx, intent, { externalId: t.externalId, paidMinor: amountMinor, feeMinor: BigInt(intent.fee_fiat_minor) });
      await transitionIntent(deps, trx, intent, { action: "payment_matched", actor: "bank_feed", set: { paid_fiat_minor: amountMinor } });
    } else if (outcome === "recalculated") {
      // Pro rata at the quoted rate: crypto owed rounds down, the fee rounds up.
      const crypto = divRound(BigInt(intent.crypto_minor) * amountMinor, expected, "floor");
      const fee = divRound(BigInt(intent.fee_fiat_minor) * amountMinor, expected, "ceil");
      await bookFiatIn(deps, trx, intent, { externalId: t.externalId, paidMinor: amountMinor, feeMinor: fee });
      await transitionIntent(deps, trx, intent, {
        action: "payment_matched",
        actor: "bank_feed",
        set: { paid_fiat_minor: amountMinor, fiat_minor: amountMinor, crypto_minor: crypto, fee_fiat_minor: fee },
        data: { recalculated: true, expectedFiatMinor: expected.toString(), paidFiatMinor: amountMinor.toString() },
      });
    } else {
      await bookFiatIn(deps, trx, intent, { externalId: t.externalId, paidMinor: amountMinor, feeMinor: 0n });
      await refundFiatIn(deps, trx, intent, t.externalId);
      let current = intent;
      if (current.status === S.readyToPay) {
        current = await transitionIntent(deps, trx, current, {
          action: "payment_matched",
          actor: "bank_feed",
          set: { paid_fiat_minor: amountMinor },
          data: { amountMismatch: true },
        });
      }
      if (canTransition(current.status, "refund")) {
        await transitionIntent(deps, trx, current, {
          action: "refund",
          actor: "system",
          data: { reason: exact ? "intent no longer payable" : "amount mismatch", paidFiatMinor: amountMinor.toString() },
        });
      }
    }
    return { outcome, paymentIntentId: intent.id };
  });
}
