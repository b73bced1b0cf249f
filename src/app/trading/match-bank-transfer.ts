// Matches a bank transfer that arrived on a trader's requisite. Transfers are matched by (requisite,
// exact amount) against the one active pay-in holding that slot, which it closes. With no active
// pay-in there, it is checked against the pay-in that last closed on the slot: if no transfer paid
// that one yet (its trader confirmed it before the bank reported the money), this is its payment;
// otherwise it is a second payment, which never changes the closed pay-in: it is recorded on the
// pay-in's events for the operator, and the trader, who holds the money, returns it. A transfer that
// fits nothing stays unmatched.
import type { Transaction } from "kysely";
import { fiatScale } from "../../core/money/currencies.js";
import { toTradingMinor } from "../../core/trading/fiat-amount.js";
import { payinHasPayingTransfer } from "../../db/bank-transfers/bank-transfers.js";
import type { DB } from "../../db/schema.js";
import { insertPayinEvent, lockActiveBySlot, lockLastClosedBySlot } from "../../db/trading/payins.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { assertInScope, type MatchScope, ownMerchantOf, type RecordedTransfer, type TransferMatch, unmatched } from "../bank-transfers/transfer-match.js";
import type { Deps } from "../deps.js";
import { payLocked } from "./payin-lifecycle.js";

export async function matchTradingTransfer(
  deps: Deps,
  trx: Transaction<DB>,
  t: RecordedTransfer & { requisiteId: string },
  scope: MatchScope,
): Promise<TransferMatch> {
  const requisite = await findRequisite(trx, t.requisiteId);
  if (!requisite) return unmatched("unknown requisite");
  if (t.currency !== requisite.fiat_currency) return unmatched(`currency ${t.currency} differs from the requisite's ${requisite.fiat_currency}`);
  const amount = toTradingMinor(t.amountMinor, fiatScale(t.currency));
  if (amount === null) return unmatched("amount finer than a pay-in can ask for");

  // Waits for a concurrent trader confirm on the same row; if that closed it, no row matches now.
  const active = await lockActiveBySlot(trx, t.requisiteId, amount, ownMerchantOf(scope));
  if (active) {
    assertInScope(scope, active.merchant_id);
    await payLocked(deps, trx, active, "bank_feed", t.id, { bankTransferId: t.id });
    return { outcome: "paid", reason: null, tradingPayinId: active.id, intentId: null };
  }

  const closed = await lockLastClosedBySlot(trx, t.requisiteId, amount, ownMerchantOf(scope));
  if (!closed) return unmatched(null);
  assertInScope(scope, closed.merchant_id);
  const alreadyPaid = await payinHasPayingTransfer(trx, closed.id);
  const action = alreadyPaid ? "duplicate_payment" : "payment_reported";
  await insertPayinEvent(trx, {
    payinId: closed.id,
    actor: "bank_feed",
    actorId: t.id,
    from: "closed",
    to: "closed",
    at: deps.clock.now(),
    data: { action, bankTransferId: t.id, amount: amount.toString() },
  });
  return alreadyPaid
    ? { outcome: "duplicate_payment", reason: "second payment of a closed pay-in: its trader returns it", tradingPayinId: closed.id, intentId: null }
    : { outcome: "paid", reason: "its trader had confirmed the pay-in before the bank reported it", tradingPayinId: closed.id, intentId: null };
}
