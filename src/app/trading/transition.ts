// One place where a trading pay-in changes status: decide with the core table, write the row, record
// the event with its actor, and enqueue the webhook carrying the pay-in object, all in the caller's
// transaction (the caller has locked the row FOR UPDATE and re-read its status).
import type { Transaction, Updateable } from "kysely";
import { TRADING_MACHINE, type TradingActor, type TradingPayinAction } from "../../core/trading/payin-status.js";
import type { DB } from "../../db/schema.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { findTradingSettings } from "../../db/trading/settings.js";
import { findPayin, insertPayinEvent, type TradingPayinRow, updatePayin } from "../../db/trading/payins.js";
import type { TradingPayinsTable } from "../../db/tables/trading.js";
import { assertNever } from "../../core/shared/assert-never.js";
import type { Deps } from "../deps.js";
import type { PaymentOutcome } from "../ops/metrics.js";
import { enqueuePayinWebhook } from "./payin-outbox.js";
import { renderTradingPayin } from "./payin-object.js";

interface TransitionInput {
  action: TradingPayinAction;
  actor: TradingActor;
  actorId: string | null;
  /** Other columns changed with the status (amounts, dispute fields, hold state). */
  set?: Updateable<TradingPayinsTable>;
  data?: Record<string, unknown>;
}

export async function transitionPayin(
  deps: Deps,
  trx: Transaction<DB>,
  locked: TradingPayinRow,
  t: TransitionInput,
): Promise<TradingPayinRow> {
  const to = TRADING_MACHINE.next(locked.status, t.action);
  const now = deps.clock.now();
  await updatePayin(trx, locked.id, {
    ...t.set,
    status: to,
    updated_at: now,
    ...(to === "closed" ? { closed_at: now } : {}),
  });
  await insertPayinEvent(trx, {
    payinId: locked.id,
    actor: t.actor,
    actorId: t.actorId,
    from: locked.status,
    to,
    at: now,
    data: { action: t.action, ...t.data },
  });
  const updated = (await findPayin(trx, locked.id))!;
  await notifyMerchant(deps, trx, updated);
  const outcome = paymentOutcome(t.action);
  if (outcome) deps.metrics.paymentFinished(trx, "trading", outcome, locked.created_at, now);
  return updated;
}

/** What a transition means for the payments metrics: an outcome, or none (a dispute's steps). */
function paymentOutcome(action: TradingPayinAction): PaymentOutcome | null {
  switch (action) {
    case "pay":
    case "resolve_paid":
    case "settle_recalculated":
    case "auto_resolve":
      return "paid";
    case "expire":
      return "expired";
    case "cancel":
      return "canceled";
    case "resolve_not_paid":
      return "failed";
    case "open_dispute":
    case "open_review":
    case "resolve_recalculate":
    case "payer_claim":
      return null;
    default:
      return assertNever(action, "trading action");
  }
}

/**
 * Enqueues the signed webhook (body = the pay-in object) to callbackUrl or the merchant's URL: on every
 * status change, and on a trader's dispute answer (the amount the trader says arrived).
 */
export async function notifyMerchant(deps: Deps, trx: Transaction<DB>, p: TradingPayinRow): Promise<void> {
  const url = p.callback_url ?? (await findTradingSettings(trx, p.merchant_id))?.webhook_url ?? null;
  if (!url) return;
  const requisite = (await findRequisite(trx, p.requisite_id))!;
  const body = JSON.stringify(renderTradingPayin(p, requisite, deps.config.publicUrl));
  await enqueuePayinWebhook(deps, trx, { payin: p, url, body });
}
