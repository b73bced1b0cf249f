// The payment-intent state machine, exactly as the dialect's graph (docs/contract-intents.md#statuses):
//
//   1 → 2 (KYC needed) | 4 (KYC already valid) | 10002 (country not served)
//   2 → 3 (documents in manual review) | 4 (vendor approves) | 10001 (vendor rejects) | 10 | 14
//   3 → 4 (support approves) | 10001 (support rejects) | 10 | 14
//   4 → 5 (transfer matched) | 10 (payment window over) | 14
//   5 → 6 (payout confirmed on chain) | 12 (refund) | 10000 (payout failed for good)
// Extension: 10 | 14 → 12 when money arrives after the intent ended: it is refunded, never kept.
import { defineMachine } from "../shared/state-machine.js";

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

export const INTENT_MACHINE = defineMachine<IntentStatus, IntentAction>({
  entity: "payment intent",
  noun: "a payment intent",
  statuses: Object.values(INTENT_STATUS),
  statusWords: {
    1: "just created (status 1)",
    2: "waiting for KYC (status 2)",
    3: "in KYC review (status 3)",
    4: "ready to pay (status 4)",
    5: "paid and waiting for its payout (status 5)",
    6: "completed (status 6)",
    10: "timed out (status 10)",
    12: "refunded (status 12)",
    14: "cancelled (status 14)",
    10000: "failed (status 10000)",
    10001: "refused by KYC (status 10001)",
    10002: "from a country not served (status 10002)",
  },
  transitions: {
    require_kyc: { from: [S.created], to: S.kycNeeded, verb: "ask for KYC on" },
    kyc_already_valid: { from: [S.created], to: S.readyToPay, verb: "skip KYC on" },
    refuse_country: { from: [S.created], to: S.countryNotServed, verb: "refuse the country of" },
    kyc_submitted_for_review: { from: [S.kycNeeded], to: S.kycReview, verb: "send to KYC review" },
    kyc_approved: { from: [S.kycNeeded, S.kycReview], to: S.readyToPay, verb: "approve the KYC of" },
    kyc_rejected: { from: [S.kycNeeded, S.kycReview], to: S.kycFailed, verb: "reject the KYC of" },
    time_out: { from: [S.kycNeeded, S.kycReview, S.readyToPay], to: S.timedOut, verb: "time out" },
    cancel: { from: [S.kycNeeded, S.kycReview, S.readyToPay], to: S.cancelled, verb: "cancel" },
    payment_matched: { from: [S.readyToPay], to: S.paid, verb: "take a payment for" },
    payout_confirmed: { from: [S.paid], to: S.done, verb: "confirm the payout of" },
    refund: { from: [S.paid, S.timedOut, S.cancelled], to: S.refunded, verb: "refund" },
    payout_failed: { from: [S.paid], to: S.failed, verb: "fail the payout of" },
  },
});
