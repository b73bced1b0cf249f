// The payment-intent state machine, exactly as the dialect's graph (docs/contract-intents.md#statuses):
//
//   1 → 2 (KYC needed) | 4 (KYC already valid) | 10002 (country not served)
//   2 → 3 (documents in manual review) | 4 (vendor approves) | 10001 (vendor rejects) | 10 | 14
//   3 → 4 (support approves) | 10001 (support rejects) | 10 | 14
//   4 → 5 (transfer matched) | 10 (payment window over) | 14
//   5 → 6 (payout confirmed on chain) | 12 (refund) | 10000 (payout failed for good)
// Extension: 10 | 14 → 12 when money arrives after the intent ended: it is refunded, never kept.
import { IllegalTransitionError } from "../shared/errors.js";

export const INTENT_STATUS = {
  created: 1,
  kycNeeded: 2,
  kycReview: 3,
  readyToPay: 4,
  paid: 5,
  done: 6,
  timedOut: 10,
  refunded: 12,
  cancelled: 14,
  failed: 10000,
  kycFailed: 10001,
  countryNotServed: 10002,
} as const;

export type IntentStatus = (typeof INTENT_STATUS)[keyof typeof INTENT_STATUS];

export const INTENT_STATUS_NAMES: Record<IntentStatus, string> = {
  1: "created",
  2: "kyc_required",
  3: "kyc_manual_review",
  4: "ready_to_pay",
  5: "payment_received",
  6: "completed",
  10: "timed_out",
  12: "refunded",
  14: "cancelled",
  10000: "failed",
  10001: "kyc_failed",
  10002: "country_not_served",
};

export type IntentAction =
  | "require_kyc"
  | "kyc_already_valid"
  | "refuse_country"
  | "kyc_submitted_for_review"
  | "kyc_approved"
  | "kyc_rejected"
  | "time_out"
  | "cancel"
  | "payment_matched"
  | "payout_confirmed"
  | "refund"
  | "payout_failed";

const S = INTENT_STATUS;

export const INTENT_TRANSITIONS: Record<IntentAction, { from: readonly IntentStatus[]; to: IntentStatus }> = {
  require_kyc: { from: [S.created], to: S.kycNeeded },
  kyc_already_valid: { from: [S.created], to: S.readyToPay },
  refuse_country: { from: [S.created], to: S.countryNotServed },
  kyc_submitted_for_review: { from: [S.kycNeeded], to: S.kycReview },
  kyc_approved: { from: [S.kycNeeded, S.kycReview], to: S.readyToPay },
  kyc_rejected: { from: [S.kycNeeded, S.kycReview], to: S.kycFailed },
  time_out: { from: [S.kycNeeded, S.kycReview, S.readyToPay], to: S.timedOut },
  cancel: { from: [S.kycNeeded, S.kycReview, S.readyToPay], to: S.cancelled },
  payment_matched: { from: [S.readyToPay], to: S.paid },
  payout_confirmed: { from: [S.paid], to: S.done },
  refund: { from: [S.paid, S.timedOut, S.cancelled], to: S.refunded },
  payout_failed: { from: [S.paid], to: S.failed },
};

export function isIntentStatus(n: number): n is IntentStatus {
  return n in INTENT_STATUS_NAMES;
}

export function nextIntentStatus(current: number, action: IntentAction): IntentStatus {
  const t = INTENT_TRANSITIONS[action];
  if (!isIntentStatus(current) || !t.from.includes(current)) {
    throw new IllegalTransitionError("payment intent", current, action.replace(/_/g, " "));
  }
  return t.to;
}

export function canTransition(current: number, action: IntentAction): boolean {
  return isIntentStatus(current) && INTENT_TRANSITIONS[action].from.includes(current);
}

/** Statuses from which the intent can no longer be paid (an arriving payment is refunded). */
export function isFinal(status: IntentStatus): boolean {
  return [S.done, S.timedOut, S.refunded, S.cancelled, S.failed, S.kycFailed, S.countryNotServed].includes(status as never);
}
