// The card payment state machine. A payment is created 'authorizing' inside the pay transaction; the
// acquirer's answer (after commit), the 3-D Secure page, the challenge timeout and the status sync job
// move it on. 'succeeded' and 'failed' are final.
import { assertNever } from "../shared/assert-never.js";
import { IllegalTransitionError } from "../shared/errors.js";

export type CardPaymentStatus = "authorizing" | "challenge" | "provider_error" | "succeeded" | "failed";

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

const TRANSITIONS: Record<CardPaymentStatus, Partial<Record<CardPaymentEvent, CardPaymentStatus>>> = {
  authorizing: {
    acquirer_approved: "succeeded",
    acquirer_challenge: "challenge",
    acquirer_declined: "failed",
    acquirer_error: "provider_error",
    sync_approved: "succeeded",
    sync_declined: "failed",
    sync_lost: "failed",
  },
  challenge: {
    challenge_passed: "succeeded",
    challenge_failed: "failed",
    challenge_timeout: "failed",
  },
  provider_error: {
    sync_approved: "succeeded",
    sync_declined: "failed",
    sync_lost: "failed",
  },
  succeeded: {},
  failed: {},
};

export function nextStatus(current: CardPaymentStatus, event: CardPaymentEvent): CardPaymentStatus {
  const to = TRANSITIONS[current][event];
  if (!to) throw new IllegalTransitionError("card payment", current, event.replace("_", " "));
  return to;
}

export function canApply(current: CardPaymentStatus, event: CardPaymentEvent): boolean {
  return TRANSITIONS[current][event] !== undefined;
}

export type PayCallbackStatus = "PENDING" | "SUCCESS" | "FAILURE";

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

export function isCardPaymentStatus(v: string): v is CardPaymentStatus {
  return v in TRANSITIONS;
}
