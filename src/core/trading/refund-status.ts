// The operator's refund of a paid trading pay-in. The ledger is reversed when the refund is made; the
// payer's fiat is in the trader's bank account, so what remains is a bank payment owed to the payer,
// which Rampart cannot make itself and only records:
//
//   pending ──send──▶ sent ──complete──▶ completed (the operator records the payment's bank reference)
import { defineMachine } from "../shared/state-machine.js";

const TRADING_REFUND_STATUSES = ["pending", "sent", "completed"] as const;
export type TradingRefundStatus = (typeof TRADING_REFUND_STATUSES)[number];
export type TradingRefundAction = "send" | "complete";

export const TRADING_REFUND_MACHINE = defineMachine<TradingRefundStatus, TradingRefundAction>({
  entity: "refund",
  noun: "a refund",
  statuses: TRADING_REFUND_STATUSES,
  statusWords: { pending: "pending", sent: "sent", completed: "completed" },
  transitions: {
    send: { from: ["pending"], to: "sent", verb: "mark as sent" },
    complete: { from: ["sent"], to: "completed", verb: "complete" },
  },
});
