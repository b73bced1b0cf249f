// An operator refunds a paid trading pay-in (POST /admin/v1/payments/:paymentId/refund, the payment
// page's Refund…; permission refunds). In one transaction: the pay-in is locked, the refund row is
// written (one per pay-in: a second is 409 naming the first one's status), the pay-in's credit is
// reversed on the ledger (the merchant's net amount and the fee back to the trader's deposit) and the
// merchant's webhook carries the refund. The payer's fiat sits in the trader's bank account, so the
// refund is then a bank payment owed to the payer, which Rampart records rather than makes:
// pending → sent → completed with its bank reference (core/trading/refund-status.ts).
//
// Intents and card payments have no refund here: an intent's crypto has left for the payer's wallet
// and a card payment's money is the acquirer's to return.
import { AppError, IllegalTransitionError } from "../../core/shared/errors.js";
import { printableText } from "../../core/shared/printable-text.js";
import { isUuid } from "../../core/shared/uuid.js";
import { formatFiatAmount } from "../../core/trading/fiat-amount.js";
import { TRADING_MACHINE } from "../../core/trading/payin-status.js";
import { TRADING_REFUND_MACHINE, type TradingRefundAction } from "../../core/trading/refund-status.js";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import { findPayin, lockPayin } from "../../db/trading/payins.js";
import { findRefundOfPayin, insertPayinRefund, lockPayinRefund, openPayinRefunds, type PayinRefundRow, updatePayinRefund } from "../../db/trading/payin-refunds.js";
import type { Deps } from "../deps.js";
import { bookPayinRefund } from "../trading/ledger-postings.js";
import { notifyMerchant } from "../trading/transition.js";

const REASON_MAX = 140;
const REFERENCE_MAX = 140;

/** A refund as the operator API, the console and the merchant's webhook show it. */
export interface PaymentRefundView {
  id: string;
  paymentId: string;
  dialect: "trading";
  status: PayinRefundRow["status"];
  /** Fiat owed back to the payer (2 decimals, as the pay-in's fiatAmount). */
  fiatAmount: string;
  fiatCurrency: string;
  /** Crypto taken back from the merchant's balance, fee included (minor units, as the pay-in's cryptoAmount). */
  cryptoAmount: string;
  merchantFee: string;
  reason: string;
  bankReference: string | null;
  createdAt: string;
  sentAt: string | null;
  completedAt: string | null;
}

function refundView(r: PayinRefundRow): PaymentRefundView {
  return {
    id: r.id,
    paymentId: r.payin_id,
    dialect: "trading",
    status: r.status,
    fiatAmount: formatFiatAmount(BigInt(r.fiat_amount_minor)),
    fiatCurrency: r.fiat_currency,
    cryptoAmount: BigInt(r.crypto_amount_minor).toString(),
    merchantFee: BigInt(r.merchant_fee_minor).toString(),
    reason: r.reason,
    bankReference: r.bank_reference,
    createdAt: r.created_at.toISOString(),
    sentAt: r.sent_at?.toISOString() ?? null,
    completedAt: r.completed_at?.toISOString() ?? null,
  };
}

/** The merchant's webhook: the pay-in object with the refund as `refund` (an extension of the contract). */
async function notifyOfRefund(deps: Deps, trx: Transaction<DB>, r: PayinRefundRow): Promise<void> {
  const p = (await findPayin(trx, r.payin_id))!;
  await notifyMerchant(deps, trx, p, { refund: refundView(r) });
}

const alreadyRefunded = (r: PayinRefundRow) =>
  new IllegalTransitionError({ entity: "pay-in", action: "refund", currentStatus: r.status, message: `Cannot refund a pay-in that already has a refund (${r.id}, ${r.status})` });

export async function refundPaymentAsOperator(deps: Deps, paymentId: string, operatorId: string, reasonInput: unknown): Promise<PaymentRefundView> {
  const reason = printableText(reasonInput, REASON_MAX);
  if (reason === null || reason.length < 3) throw new AppError("validation_failed", { field: "reason", message: `Give a reason of 3 to ${REASON_MAX} characters.` });
  const notFound = () => new AppError("not_found", { message: "No trading pay-in has this id (intents and card payments have no operator refund)." });
  if (!isUuid(paymentId)) throw notFound();
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, paymentId);
    if (!p) throw notFound();
    // Under the pay-in's lock a second refund waits for the first and then finds it.
    const existing = await findRefundOfPayin(trx, p.id);
    if (existing) throw alreadyRefunded(existing);
    if (p.status !== "closed") {
      throw new IllegalTransitionError({ entity: "pay-in", action: "refund", currentStatus: p.status, message: `Cannot refund a pay-in that is ${TRADING_MACHINE.statusWords[p.status]}: only a paid (closed) one` });
    }
    const now = deps.clock.now();
    const refund = await insertPayinRefund(trx, {
      id: deps.ids.prefixed("prf"),
      payin_id: p.id,
      merchant_id: p.merchant_id,
      trader_id: p.trader_id,
      fiat_amount_minor: p.fiat_amount_minor,
      fiat_currency: p.fiat_currency,
      crypto_amount_minor: p.crypto_amount_minor,
      merchant_fee_minor: p.merchant_fee_minor,
      status: "pending",
      reason,
      created_by: operatorId,
      created_at: now,
      updated_at: now,
    });
    if (!refund) throw alreadyRefunded((await findRefundOfPayin(trx, p.id))!);
    await bookPayinRefund(deps, trx, {
      payinId: p.id,
      traderId: p.trader_id,
      merchantId: p.merchant_id,
      cryptoMinor: BigInt(p.crypto_amount_minor),
      feeMinor: BigInt(p.merchant_fee_minor),
    });
    await notifyOfRefund(deps, trx, refund);
    return refundView(refund);
  });
}

/** The bank payment to the payer: `send` once it has gone out, `complete` with its bank reference. */
export async function advancePaymentRefund(deps: Deps, refundId: string, action: TradingRefundAction, bankReferenceInput?: unknown): Promise<PaymentRefundView> {
  const bankReference = action === "complete" ? printableText(bankReferenceInput, REFERENCE_MAX) : null;
  if (action === "complete" && bankReference === null) {
    throw new AppError("validation_failed", { field: "bankReference", message: `Enter the bank reference of the payment to the payer (1 to ${REFERENCE_MAX} characters).` });
  }
  return deps.database.db.transaction().execute(async (trx) => {
    const r = await lockPayinRefund(trx, refundId);
    if (!r) throw new AppError("not_found", { message: "Refund not found" });
    const status = TRADING_REFUND_MACHINE.next(r.status, action);
    const now = deps.clock.now();
    const updated = await updatePayinRefund(trx, r, {
      status,
      updated_at: now,
      ...(action === "send" ? { sent_at: now } : { completed_at: now, bank_reference: bankReference }),
    });
    await notifyOfRefund(deps, trx, updated);
    return refundView(updated);
  });
}

/** The refund of a pay-in, if it has one (the payment page). */
export async function refundOfPayment(deps: Deps, paymentId: string): Promise<PaymentRefundView | null> {
  if (!isUuid(paymentId)) return null;
  const r = await findRefundOfPayin(deps.database.db, paymentId);
  return r ? refundView(r) : null;
}

/** Refunds of paid pay-ins still owed to their payers (pending or sent), oldest first, at most `limit` (the Refund orders page). */
export async function owedPaymentRefunds(deps: Deps, limit: number): Promise<PaymentRefundView[]> {
  return (await openPayinRefunds(deps.database.db, limit)).map(refundView);
}
