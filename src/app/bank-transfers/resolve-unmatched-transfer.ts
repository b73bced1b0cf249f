// The operator's two ways to close an unmatched bank transfer (docs/bank-statements.md#unmatched-transfers).
//
// Assign: the transfer is matched to the intent or trading pay-in the operator names through the one
// inbound path (assignRecordedTransferIn): the same ledger entries, status changes and IPNs/webhooks
// as if it had arrived with the right reference. A match that does not land on what was named (a
// pay-in whose amount differs, a reference no intent has) is refused and nothing changes.
//
// Refund: the money goes back to the payer: booked in and straight back out on the ledger, and a
// refund order to the payer's IBAN and name from the statement entry, paid from the account the
// statement was of; exported in the next pain.001 (or waiting for the operator to enter the IBAN).
//
// Either locks the transfer row first, so among concurrent actions exactly one closes it and the
// others are 409 naming where it stands (UNMATCHED_TRANSFER_MACHINE).
import type { Transaction } from "kysely";
import type { RefundOrderStatus } from "../../core/bank-statements/refund-order-status.js";
import { UNMATCHED_TRANSFER_MACHINE, unmatchedTransferStatus } from "../../core/bank-transfers/unmatched-transfer-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { validIban } from "../../core/shared/iban.js";
import { isUuid } from "../../core/shared/uuid.js";
import { findCollectionAccount, statementAccountOfTransfer } from "../../db/bank-statements/bank-statements.js";
import { insertRefundOrder } from "../../db/bank-statements/refund-orders.js";
import { type BankTransferRow, lockBankTransfer, resolveBankTransfer } from "../../db/bank-transfers/bank-transfers.js";
import { findIntent, type IntentRow, lockIntentByReference } from "../../db/intents/intents.js";
import type { DB } from "../../db/schema.js";
import { findPayin } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import { normalizeReference } from "../intents/match-bank-transfer.js";
import { postTransfer, reverseTransfer } from "../ledger/ledger.js";
import { assignRecordedTransferIn, type AssignTarget } from "./receive-bank-transfer.js";
import type { RecordedTransfer, TransferMatch } from "./transfer-match.js";

/** What the operator names: exactly one of them. */
export type AssignTo = { intentId: string } | { reference: string } | { tradingPayinId: string };

interface AssignedTransfer extends TransferMatch {
  transferId: string;
  status: "assigned";
}

interface RefundedTransfer {
  transferId: string;
  status: "refunded";
  refundOrder: { id: string; status: RefundOrderStatus; amount: string; currency: string; creditorName: string | null; creditorIban: string | null; debtorIban: string | null; reason: string | null };
}

/** The transfer, locked, and the status the action leads it to (409 naming its status when it is not open). */
async function lockOpen<A extends "assign" | "refund">(trx: Transaction<DB>, id: string, action: A) {
  const t = await lockBankTransfer(trx, id);
  if (!t) throw new AppError("not_found", { message: "No bank transfer has this id" });
  const next = UNMATCHED_TRANSFER_MACHINE.next(unmatchedTransferStatus(t), action) as A extends "assign" ? "assigned" : "refunded";
  return { t, next };
}

const recorded = (t: BankTransferRow): RecordedTransfer => ({
  id: t.id,
  externalId: t.external_id,
  feed: t.feed,
  amountMinor: BigInt(t.amount_minor),
  currency: t.currency,
  requisiteId: t.requisite_id,
  reference: t.reference,
  payerName: t.payer_name,
  payerIban: t.payer_iban,
  receivedAt: t.received_at,
});

/**
 * An intent is paid from the platform's collection accounts, in its own currency. A transfer that
 * arrived on a trader's requisite is money in the trader's account, and one in another currency is
 * not this intent's payment: assigned, either would be booked and refunded (4 → 5 → 12) from an
 * account that never received it, so both are refused and the intent keeps waiting.
 */
function assertPaysIntent(t: BankTransferRow, intent: IntentRow, field: "intentId" | "reference"): void {
  if (t.requisite_id !== null) {
    throw new AppError("conflict", { field, message: "The transfer arrived on a trader's requisite: it can only be assigned to a trading pay-in on that requisite" });
  }
  if (t.currency !== intent.fiat_currency) {
    throw new AppError("conflict", { field, message: `The transfer's currency ${t.currency} differs from the intent's ${intent.fiat_currency}` });
  }
}

async function targetOf(trx: Transaction<DB>, t: BankTransferRow, to: AssignTo): Promise<{ target: AssignTarget; payinId: string | null }> {
  if ("reference" in to) {
    // No intent with this reference: the matcher's refusal (409) names it.
    const intent = await lockIntentByReference(trx, normalizeReference(to.reference));
    if (intent) assertPaysIntent(t, intent, "reference");
    return { target: { reference: to.reference }, payinId: null };
  }
  if ("intentId" in to) {
    const intent = await findIntent(trx, to.intentId);
    if (!intent) throw new AppError("not_found", { field: "intentId", message: "No payment intent has this id" });
    assertPaysIntent(t, intent, "intentId");
    return { target: { reference: intent.reference }, payinId: null };
  }
  const payin = isUuid(to.tradingPayinId) ? await findPayin(trx, to.tradingPayinId) : undefined;
  if (!payin) throw new AppError("not_found", { field: "tradingPayinId", message: "No trading pay-in has this id" });
  if (t.requisite_id !== null && t.requisite_id !== payin.requisite_id) {
    throw new AppError("conflict", { field: "tradingPayinId", message: "The transfer arrived on another trader's account than this pay-in's requisite" });
  }
  return { target: { requisiteId: payin.requisite_id }, payinId: payin.id };
}

export async function assignUnmatchedTransfer(deps: Deps, transferId: string, to: AssignTo, operatorKeyId: string): Promise<AssignedTransfer> {
  return deps.database.db.transaction().execute(async (trx) => {
    const { t, next } = await lockOpen(trx, transferId, "assign");
    const { target, payinId } = await targetOf(trx, t, to);
    const m = await assignRecordedTransferIn(deps, trx, recorded(t), target);
    // Thrown errors roll the whole match back: nothing of it stays.
    if (m.outcome === "unmatched") throw new AppError("conflict", { message: `The transfer does not match what was named: ${m.reason ?? "no pay-in waits for this amount on its requisite"}` });
    if (payinId !== null && m.tradingPayinId !== payinId) {
      throw new AppError("conflict", { field: "tradingPayinId", message: "The transfer matches another pay-in on this requisite and amount, not the one named" });
    }
    await resolveBankTransfer(trx, t.id, { resolution: next, by: operatorKeyId, at: deps.clock.now() });
    return { transferId: t.id, status: "assigned", ...m };
  });
}

/** The account the money arrived on, as far as a pain.001 can pay from it: an IBAN, with its store's name and BIC. */
async function collectionAccount(trx: Transaction<DB>, transferId: string) {
  const account = await statementAccountOfTransfer(trx, transferId);
  const iban = account === undefined ? null : validIban(account);
  if (iban === null) return null;
  const known = await findCollectionAccount(trx, iban);
  return { iban, bic: known?.bic ?? null, name: known?.beneficiary ?? null };
}

export async function refundUnmatchedTransfer(deps: Deps, transferId: string, reason: string, operatorKeyId: string): Promise<RefundedTransfer> {
  return deps.database.db.transaction().execute(async (trx) => {
    const { t, next } = await lockOpen(trx, transferId, "refund");
    if (t.requisite_id !== null) {
      throw new AppError("conflict", { message: "The transfer arrived on a trader's requisite: the money is in the trader's account, and the trader returns it" });
    }
    const now = deps.clock.now();
    const amount = BigInt(t.amount_minor);
    // Booked in and back out, so the ledger shows money that came and went (net nothing, balanced).
    const inId = `bank_transfer:${t.id}:unmatched_in`;
    await postTransfer(
      trx,
      {
        id: inId,
        code: "unmatched_transfer_in",
        ref: { type: "bank_transfer", id: t.id },
        entries: [
          { account: { owner: "platform", asset: t.currency, purpose: "fiat_clearing" }, amountMinor: -amount },
          { account: { owner: "platform", asset: t.currency, purpose: "platform_inventory" }, amountMinor: amount },
        ],
      },
      now,
    );
    await reverseTransfer(trx, { id: `bank_transfer:${t.id}:refund`, originalId: inId, code: "unmatched_transfer_refund" }, now);

    const debtor = await collectionAccount(trx, t.id);
    const payerIban = t.payer_iban === null ? null : validIban(t.payer_iban);
    const waitingBecause =
      payerIban === null
        ? "the payer's IBAN is unknown: enter it to export the refund"
        : debtor === null
          ? "the account the money arrived on is not an IBAN known from a statement"
          : null;
    const orderId = deps.ids.prefixed("rfo");
    const status: RefundOrderStatus = waitingBecause === null ? "pending" : "waiting";
    await insertRefundOrder(trx, {
      id: orderId,
      bankTransferId: t.id,
      amountMinor: t.amount_minor,
      currency: t.currency,
      creditorName: t.payer_name,
      creditorIban: payerIban,
      status,
      reason: waitingBecause ?? reason,
      at: now,
      debtor: debtor ?? { iban: null, bic: null, name: null },
    });
    await resolveBankTransfer(trx, t.id, { resolution: next, by: operatorKeyId, at: now, outcome: "refunded", reason });
    return {
      transferId: t.id,
      status: "refunded",
      refundOrder: {
        id: orderId,
        status,
        amount: formatMinor(amount, fiatScale(t.currency)),
        currency: t.currency,
        creditorName: t.payer_name,
        creditorIban: payerIban,
        debtorIban: debtor?.iban ?? null,
        reason: waitingBecause ?? reason,
      },
    };
  });
}
