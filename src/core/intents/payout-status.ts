// The crypto payout of a paid intent (intent_payouts.status):
//
//   created → sent (the chain took it) → confirmed | failed
//   created → confirmed | failed (the chain answered at once)
//   created → awaiting_operator (manual chain) → confirmed (the operator entered the tx hash)
//
// `sent → sent` is a poll that found it still pending.
import { defineMachine } from "../shared/state-machine.js";

export const PAYOUT_STATUSES = ["created", "sent", "awaiting_operator", "confirmed", "failed"] as const;
export type PayoutStatus = (typeof PAYOUT_STATUSES)[number];

type PayoutAction = "chain_pending" | "chain_confirmed" | "chain_failed" | "queue_for_operator" | "operator_paid";

export const PAYOUT_MACHINE = defineMachine<PayoutStatus, PayoutAction>({
  entity: "payout",
  noun: "a payout",
  statuses: PAYOUT_STATUSES,
  statusWords: {
    created: "not sent yet (created)",
    sent: "sent and waiting for confirmations (sent)",
    awaiting_operator: "waiting for an operator to pay it (awaiting_operator)",
    confirmed: "confirmed (confirmed)",
    failed: "failed (failed)",
  },
  transitions: {
    chain_pending: { from: ["created", "sent"], to: "sent", verb: "record a pending send of" },
    chain_confirmed: { from: ["created", "sent"], to: "confirmed", verb: "confirm" },
    chain_failed: { from: ["created", "sent"], to: "failed", verb: "fail" },
    queue_for_operator: { from: ["created"], to: "awaiting_operator", verb: "queue for the operator" },
    operator_paid: { from: ["awaiting_operator"], to: "confirmed", verb: "record the operator's payment of" },
  },
});
