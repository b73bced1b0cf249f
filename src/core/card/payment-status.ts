// The card payment state machine. A payment is created 'authorizing' inside the pay transaction; the
// acquirer's answer (after commit), the 3-D Secure page, the challenge timeout and the status sync job
// move it on. 'succeeded' and 'failed' are final.
import { assertNever } from "../shared/assert-never.js";
import { defineMachine } from "../shared/state-machine.js";

const CARD_PAYMENT_STATUSES = ["authorizing", "challenge", "provider_error", "succeeded", "failed"] as const;
export type CardPaymentStatus = (typeof CARD_PAYMENT_STATUSES)[number];

/** What happened to the payment. */
export type CardPaymentEvent =
  | "acquirer_approved"
  | "acquirer_challenge"
  | "acquirer_declined"
  | "acquirer_error"
  | "challenge_passed"
  | "challenge_failed"
  | "challenge_timeout"
  | "sync_approved"
  | "sync_declined"
  | "sync_lost"; // the acquirer never saw it (the process died before the call): fail it

export const CARD_PAYMENT_MACHINE = defineMachine<CardPaymentStatus, CardPaymentEvent>({
  entity: "card payment",
  noun: "a card payment",
  statuses: CARD_PAYMENT_STATUSES,
  statusWords: {
    authorizing: "waiting for the acquirer",
    challenge: "waiting for 3-D Secure",
    provider_error: "waiting for the acquirer after an error",
    succeeded: "successful",
    failed: "failed",
  },
  transitions: {
    acquirer_approved: { from: ["authorizing"], to: "succeeded", verb: "record the acquirer's approval of" },
    acquirer_challenge: { from: ["authorizing"], to: "challenge", verb: "start 3-D Secure on" },
    acquirer_declined: { from: ["authorizing"], to: "failed", verb: "record the acquirer's decline of" },
    acquirer_error: { from: ["authorizing"], to: "provider_error", verb: "record an acquirer error on" },
    challenge_passed: { from: ["challenge"], to: "succeeded", verb: "pass 3-D Secure on" },
    challenge_failed: { from: ["challenge"], to: "failed", verb: "fail 3-D Secure on" },
    challenge_timeout: { from: ["challenge"], to: "failed", verb: "time out 3-D Secure on" },
    sync_approved: { from: ["authorizing", "provider_error"], to: "succeeded", verb: "sync an approval onto" },
    sync_declined: { from: ["authorizing", "provider_error"], to: "failed", verb: "sync a decline onto" },
    sync_lost: { from: ["authorizing", "provider_error"], to: "failed", verb: "fail as lost" },
  },
});

type PayCallbackStatus = "PENDING" | "SUCCESS" | "FAILURE";

/** The wire status of GET /v3/payin/pay-callback. */
export function callbackStatus(s: CardPaymentStatus): PayCallbackStatus {
  switch (s) {
    case "authorizing":
    case "challenge":
    case "provider_error":
      return "PENDING";
    case "succeeded":
      return "SUCCESS";
    case "failed":
      return "FAILURE";
    default:
      return assertNever(s, "card payment status");
  }
}
