// One payment's whole story for the operator console (issue 18): its explorer row (read through the
// same search as GET /admin/v1/payments, so the page and the list never disagree), every status change
// with actor and reason, its webhooks / IPNs with each attempt, the ledger transfers booked for it and
// for its bank transfers with their entries, the bank transfers matched to it, its KYC case (an
// intent's, or a card customer's KYC_1 case), its risk decision, its receipts and an operator's refund: whatever the
// database holds for that flow.
import { INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { AppError } from "../../core/shared/errors.js";
import { findKycCase, listKycEvents } from "../../db/kyc/kyc.js";
import { entriesOfTransfers } from "../../db/ledger/ledger-store.js";
import {
  bankTransfersOf,
  flowDetails,
  ledgerTransfersOf,
  operatorNames,
  riskDecisionOf,
  statusEvents,
  type StatusEventRow,
  webhooksOf,
} from "../../db/payments/payment-story.js";
import { cardPaymentOrderingKey } from "../card/card-payment-events.js";
import type { Deps } from "../deps.js";
import { ledgerAssetScale } from "../ledger/ledger-totals.js";
import { receiptsOfPayin } from "../trading/support-queries.js";
import { type PaymentListItem, searchPayments } from "./payment-explorer.js";
import { refundOfPayment } from "./refund-payment.js";

/** An intent's events store numeric statuses: the page names them as the contract and the list do. */
function namedEvent(dialect: PaymentListItem["dialect"], e: StatusEventRow): StatusEventRow {
  if (dialect !== "intent") return e;
  const name = (s: string | null) => (s === null ? null : (INTENT_STATUS_NAMES[Number(s) as IntentStatus] ?? s));
  return { ...e, from_status: name(e.from_status), to_status: name(e.to_status)! };
}

/** The ledger's ref type of each flow's own transfers (the postings name them so: trading/ledger-postings, intents/effects, card/card-ledger). */
const LEDGER_REF_TYPE = { trading: "trading_payin", intent: "payment_intent", card: "card_payment" } as const;

async function ledgerOf(deps: Deps, payment: PaymentListItem, bankTransferIds: string[]) {
  const refs = [{ type: LEDGER_REF_TYPE[payment.dialect], id: payment.id }, ...bankTransferIds.map((id) => ({ type: "bank_transfer", id }))];
  const transfers = await ledgerTransfersOf(deps.database.db, refs);
  const entries = await entriesOfTransfers(
    deps.database.db,
    transfers.map((t) => t.id),
  );
  return transfers.map((t) => ({
    ...t,
    entries: (entries.get(t.id) ?? []).map((e) => ({ ...e.account, amountMinor: e.amountMinor, scale: ledgerAssetScale(e.account.asset) })),
  }));
}

async function kycCaseOf(deps: Deps, caseId: string | null | undefined) {
  const c = caseId ? await findKycCase(deps.database.db, caseId) : undefined;
  if (!c) return null;
  return { id: c.id, level: c.level, status: c.status, reason: c.reason, decidedAt: c.decided_at, events: await listKycEvents(deps.database.db, c.id) };
}

/** The payment with id `id` (a trading pay-in, a payment intent or a card payment), or 404. */
export async function paymentStory(deps: Deps, id: string) {
  if (id.length === 0 || id.length > 64) throw new AppError("not_found", { message: "Payment not found" });
  const payment = (await searchPayments(deps, { q: id, limit: 10 })).items.find((p) => p.id === id);
  if (!payment) throw new AppError("not_found", { message: "Payment not found" });
  const db = deps.database.db;
  const details = await flowDetails(db, payment.dialect, id);
  const orderingKey = payment.dialect === "card" ? cardPaymentOrderingKey(payment.externalId ?? "") : id;
  const [events, webhooks, bankTransfers, risk, receipts, refund] = await Promise.all([
    statusEvents(db, payment.dialect, id),
    webhooksOf(db, orderingKey),
    bankTransfersOf(db, payment.dialect, id),
    riskDecisionOf(db, payment.dialect, id),
    payment.dialect === "trading" ? receiptsOfPayin(deps, id) : Promise.resolve([]),
    payment.dialect === "trading" ? refundOfPayment(deps, id) : Promise.resolve(null),
  ]);
  const kycCase = details && "kyc_case_id" in details ? await kycCaseOf(deps, details.kyc_case_id) : null;
  // Support's decisions and risk reviews name the operator by id: the page shows who that is.
  const operatorIds = [...events.filter((e) => e.actor === "support" && e.actor_id).map((e) => e.actor_id!), ...(risk?.reviewed_by ? [risk.reviewed_by] : [])];
  const names = await operatorNames(db, [...new Set(operatorIds)]);
  return {
    payment,
    details: details ?? null,
    events: events.map((e) => ({ ...namedEvent(payment.dialect, e), actorName: e.actor_id ? (names.get(e.actor_id) ?? null) : null })),
    reviewedByName: risk?.reviewed_by ? (names.get(risk.reviewed_by) ?? null) : null,
    webhooks,
    ledger: await ledgerOf(
      deps,
      payment,
      bankTransfers.map((t) => t.id),
    ),
    bankTransfers,
    kycCase,
    risk: risk ?? null,
    receipts,
    refund,
  };
}

export type PaymentStory = Awaited<ReturnType<typeof paymentStory>>;

/**
 * One of the merchant's payments with its timeline (status changes) and its webhooks / IPNs with each
 * attempt: the merchant's part of paymentStory. Read through the explorer with the merchant forced, so
 * another merchant's payment (or a wrong dialect) is 404 like an unknown one.
 */
export async function merchantPaymentStory(deps: Deps, merchantId: string, dialect: PaymentListItem["dialect"], id: string) {
  if (id.length === 0 || id.length > 64) throw new AppError("not_found", { message: "Payment not found" });
  const payment = (await searchPayments(deps, { q: id, dialect, merchant: merchantId, limit: 10 })).items.find((p) => p.id === id);
  if (!payment) throw new AppError("not_found", { message: "Payment not found" });
  const db = deps.database.db;
  const orderingKey = dialect === "card" ? cardPaymentOrderingKey(payment.externalId ?? "") : id;
  const [events, webhooks] = await Promise.all([statusEvents(db, dialect, id), webhooksOf(db, orderingKey)]);
  return { payment, events: events.map((e) => namedEvent(dialect, e)), webhooks };
}
