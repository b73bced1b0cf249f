// The trading pay-in state machine, exactly as the dialect's graph (docs/contract-trading.md#statuses):
//
//   active ──pay──▶ closed                       active ──expire | cancel──▶ canceled
//   active | canceled ──open_dispute──▶ dispute  dispute ──open_review──▶ checking
//   checking ──resolve_recalculate──▶ re_calculation ──settle_recalculated──▶ closed
//   checking | dispute ──resolve_paid──▶ closed  checking | dispute ──resolve_not_paid──▶ canceled
//   dispute ──auto_resolve──▶ closed (no review within disputeAutoResolveMinutes)
//   active ──payer_claim──▶ active (the payer says "I have paid": an event, not a new status)
import { defineMachine } from "../shared/state-machine.js";

export const TRADING_PAYIN_STATUSES = ["active", "closed", "canceled", "dispute", "checking", "re_calculation"] as const;
export type TradingPayinStatus = (typeof TRADING_PAYIN_STATUSES)[number];

export type TradingPayinAction =
  | "pay"
  | "expire"
  | "cancel"
  | "open_dispute"
  | "open_review"
  | "resolve_paid"
  | "resolve_recalculate"
  | "settle_recalculated"
  | "resolve_not_paid"
  | "auto_resolve"
  | "payer_claim";

/** Who caused a transition; recorded on every event. */
export type TradingActor = "merchant" | "payer" | "trader" | "bank_feed" | "system" | "support";

export const TRADING_MACHINE = defineMachine<TradingPayinStatus, TradingPayinAction>({
  entity: "pay-in",
  noun: "a pay-in",
  statuses: TRADING_PAYIN_STATUSES,
  statusWords: {
    active: "active",
    closed: "closed",
    canceled: "canceled",
    dispute: "in dispute",
    checking: "under review",
    re_calculation: "being recalculated",
  },
  transitions: {
    pay: { from: ["active"], to: "closed", verb: "confirm payment of" },
    expire: { from: ["active"], to: "canceled", verb: "expire" },
    cancel: { from: ["active"], to: "canceled", verb: "cancel" },
    open_dispute: { from: ["active", "canceled"], to: "dispute", verb: "open a dispute on" },
    open_review: { from: ["dispute"], to: "checking", verb: "start reviewing" },
    resolve_paid: { from: ["checking", "dispute"], to: "closed", verb: "resolve as paid" },
    resolve_recalculate: { from: ["checking"], to: "re_calculation", verb: "recalculate" },
    settle_recalculated: { from: ["re_calculation"], to: "closed", verb: "settle the recalculated amount of" },
    resolve_not_paid: { from: ["checking", "dispute"], to: "canceled", verb: "resolve as not paid" },
    auto_resolve: { from: ["dispute"], to: "closed", verb: "auto-resolve the dispute of" },
    payer_claim: { from: ["active"], to: "active", verb: "record a payment claim on" },
  },
});
