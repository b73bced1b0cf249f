// The trading pay-in state machine, exactly as the dialect's graph (docs/contract-trading.md#statuses):
//
//   active ──pay──▶ closed                       active ──expire | cancel──▶ canceled
//   active | canceled ──open_dispute──▶ dispute  dispute ──open_review──▶ checking
//   checking ──resolve_recalculate──▶ re_calculation ──settle_recalculated──▶ closed
//   checking | dispute ──resolve_paid──▶ closed  checking | dispute ──resolve_not_paid──▶ canceled
//   dispute ──auto_resolve──▶ closed (no review within disputeAutoResolveMinutes)
import { assertNever } from "../shared/assert-never.js";
import { IllegalTransitionError } from "../shared/errors.js";

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
  | "auto_resolve";

/** Who caused a transition; recorded on every event. */
export type TradingActor = "merchant" | "payer" | "trader" | "bank_feed" | "system" | "support";

export const TRADING_TRANSITIONS: Record<TradingPayinAction, { from: readonly TradingPayinStatus[]; to: TradingPayinStatus }> = {
  pay: { from: ["active"], to: "closed" },
  expire: { from: ["active"], to: "canceled" },
  cancel: { from: ["active"], to: "canceled" },
  open_dispute: { from: ["active", "canceled"], to: "dispute" },
  open_review: { from: ["dispute"], to: "checking" },
  resolve_paid: { from: ["checking", "dispute"], to: "closed" },
  resolve_recalculate: { from: ["checking"], to: "re_calculation" },
  settle_recalculated: { from: ["re_calculation"], to: "closed" },
  resolve_not_paid: { from: ["checking", "dispute"], to: "canceled" },
  auto_resolve: { from: ["dispute"], to: "closed" },
};

export function isTradingPayinStatus(s: string): s is TradingPayinStatus {
  return (TRADING_PAYIN_STATUSES as readonly string[]).includes(s);
}

/** The next status, or IllegalTransitionError (rendered 409 naming the current status). */
export function nextTradingStatus(current: string, action: TradingPayinAction): TradingPayinStatus {
  const t = TRADING_TRANSITIONS[action];
  if (!isTradingPayinStatus(current) || !t.from.includes(current)) {
    throw new IllegalTransitionError("pay-in", current, action.replace(/_/g, " "));
  }
  return t.to;
}

/** Final for the payer and the merchant (a canceled pay-in can still be disputed). */
export function isFinalForPayer(status: TradingPayinStatus): boolean {
  switch (status) {
    case "closed":
    case "canceled":
      return true;
    case "active":
    case "dispute":
    case "checking":
    case "re_calculation":
      return false;
    default:
      return assertNever(status);
  }
}
