// An operator cancels a payment from the console or the operator API (POST /admin/v1/payments/:id/cancel,
// permission payments.manage): a trading pay-in while active (cancelled by support, the trader's hold
// voided, as a rejected risk review does) or a payment intent before it is paid (statuses 2-4, as the
// merchant's cancel). A card payment has no operator cancel: its offer is refused through its risk
// review. Each goes through its flow's transition table, so any other status is 409 naming it.
import { INTENT_MACHINE, INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid } from "../../core/shared/uuid.js";
import { TRADING_MACHINE } from "../../core/trading/payin-status.js";
import { lockIntent } from "../../db/intents/intents.js";
import { lockPayin } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import { transitionIntent } from "../intents/transition.js";
import { cancelPayinAsSupport } from "../trading/payin-lifecycle.js";

const INTENT_BY_NAME = new Map(Object.entries(INTENT_STATUS_NAMES).map(([n, name]) => [name, Number(n) as IntentStatus]));

/** Whether the payment page offers the cancel (the flow's status as the explorer names it). */
export function operatorMayCancel(dialect: "trading" | "intent" | "card", status: string): boolean {
  if (dialect === "trading") return TRADING_MACHINE.isStatus(status) && TRADING_MACHINE.can(status, "cancel");
  const n = INTENT_BY_NAME.get(status);
  return dialect === "intent" && n !== undefined && INTENT_MACHINE.can(n, "cancel");
}

export async function cancelPaymentAsOperator(deps: Deps, paymentId: string, operatorId: string): Promise<{ paymentId: string; dialect: "trading" | "intent"; status: string }> {
  return deps.database.db.transaction().execute(async (trx) => {
    if (isUuid(paymentId) && (await lockPayin(trx, paymentId))) {
      const p = await cancelPayinAsSupport(deps, trx, paymentId, operatorId);
      return { paymentId, dialect: "trading" as const, status: p.status };
    }
    const intent = await lockIntent(trx, paymentId);
    if (!intent) throw new AppError("not_found", { message: "No trading pay-in or payment intent has this id (a card payment has no operator cancel)." });
    await transitionIntent(deps, trx, intent, { action: "cancel", actor: "operator", data: { operatorId } });
    return { paymentId, dialect: "intent" as const, status: INTENT_STATUS_NAMES[INTENT_MACHINE.next(intent.status, "cancel")] };
  });
}
