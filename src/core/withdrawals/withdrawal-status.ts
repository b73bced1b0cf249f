// A withdrawal of a merchant's balance to one of its allow-listed addresses (withdrawals.status):
//
//   requested → approved (auto below the approval threshold, or by an operator) → sent → confirmed
//   requested → rejected (an operator refused it: the funds return to the balance)
//   approved | sent → failed (the chain refused or reverted it: the funds return to the balance)
//
// `sent → sent` is a poll that found the payout still pending. An operator may also, without changing
// the status: retry the payout of an approved withdrawal now, re-poll a sent one now, or ask to cancel a
// sent one (its payout replaced on chain by a 0-value self-transfer; it ends confirmed or failed as
// the chain decides).
//
// On the manual chain an approved withdrawal waits for an operator, who pays it and records the hash:
// approved → sent → confirmed in one step (operator_sent, operator_paid).
import { defineMachine } from "../shared/state-machine.js";

export const WITHDRAWAL_STATUSES = ["requested", "approved", "sent", "confirmed", "failed", "rejected"] as const;
export type WithdrawalStatus = (typeof WITHDRAWAL_STATUSES)[number];

type WithdrawalAction =
  | "approve"
  | "reject"
  | "chain_pending"
  | "chain_confirmed"
  | "chain_failed"
  | "retry_send"
  | "repoll"
  | "request_cancel"
  | "operator_sent"
  | "operator_paid";

export const WITHDRAWAL_MACHINE = defineMachine<WithdrawalStatus, WithdrawalAction>({
  entity: "withdrawal",
  noun: "a withdrawal",
  statuses: WITHDRAWAL_STATUSES,
  statusWords: {
    requested: "waiting for an operator's approval (requested)",
    approved: "approved and about to be sent (approved)",
    sent: "sent and waiting for confirmations (sent)",
    confirmed: "confirmed (confirmed)",
    failed: "failed (failed)",
    rejected: "rejected (rejected)",
  },
  transitions: {
    approve: { from: ["requested"], to: "approved", verb: "approve" },
    reject: { from: ["requested"], to: "rejected", verb: "reject" },
    chain_pending: { from: ["approved", "sent"], to: "sent", verb: "record a pending send of" },
    chain_confirmed: { from: ["approved", "sent"], to: "confirmed", verb: "confirm" },
    chain_failed: { from: ["approved", "sent"], to: "failed", verb: "fail" },
    retry_send: { from: ["approved"], to: "approved", verb: "retry the payout of" },
    repoll: { from: ["sent"], to: "sent", verb: "re-poll" },
    request_cancel: { from: ["sent"], to: "sent", verb: "cancel" },
    operator_sent: { from: ["approved"], to: "sent", verb: "record the operator's payment of" },
    operator_paid: { from: ["sent"], to: "confirmed", verb: "confirm the operator's payment of" },
  },
});

