// Pay-in lifecycle outside disputes: merchant cancel, expiry at the window's end, close by trader
// confirmation or by a matching bank transfer. Each locks the row FOR UPDATE and re-checks its
// status, so payment and expiry racing at the same instant end with exactly one winner.
import { AppError } from "../../core/shared/errors.js";
import type { TradingActor } from "../../core/trading/payin-status.js";
import { lockPayin, type TradingPayinRow } from "../../db/trading/payins.js";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { voidPayinHold } from "./ledger-postings.js";
import { settlePayinLedger } from "./settle.js";
import { transitionPayin } from "./transition.js";
import { refuseWhileHeld } from "../risk/reviews.js";

export async function cancelTradingPayin(
  deps: Deps,
  merchantId: string,
  apiKeyId: string,
  payinId: string,
  commit?: CommitAnswer<TradingPayinRow>,
): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.merchant_id !== merchantId) throw new AppError("not_found", { message: "Pay-in not found" });
    const cancelled = await cancelLocked(deps, trx, p, "cancel", "merchant", apiKeyId);
    await commit?.(trx, cancelled);
    return cancelled;
  });
}

async function cancelLocked(
  deps: Deps,
  trx: Transaction<DB>,
  p: TradingPayinRow,
  action: "cancel" | "expire",
  actor: TradingActor,
  actorId: string | null,
): Promise<TradingPayinRow> {
  // Decide before touching the ledger: an illegal transition must not void anything.
  if (p.status !== "active") return transitionPayin(deps, trx, p, { action, actor, actorId });
  await voidPayinHold(deps, trx, p.id);
  return transitionPayin(deps, trx, p, { action, actor, actorId, set: { hold_state: "voided" } });
}

/** A risk review rejected the pay-in: cancelled by support, the trader's hold voided. */
export async function cancelRejectedPayin(deps: Deps, trx: Transaction<DB>, payinId: string, operatorId: string): Promise<void> {
  const p = await lockPayin(trx, payinId);
  if (!p) throw new AppError("not_found", { message: "Pay-in not found" });
  await cancelLocked(deps, trx, p, "cancel", "support", operatorId);
}

/** Expiry job body: cancels the pay-in if it is still active and its window has ended. */
export async function expireTradingPayin(deps: Deps, payinId: string): Promise<"expired" | "not_active" | { notYet: Date }> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.status !== "active") return "not_active" as const;
    if (deps.clock.now() < p.expires_at) return { notYet: p.expires_at };
    await cancelLocked(deps, trx, p, "expire", "system", null);
    return "expired" as const;
  });
}

/** Closes a locked active pay-in at its own amount: posts the hold, credits the merchant net of fee. */
export async function payLocked(
  deps: Deps,
  trx: Transaction<DB>,
  p: TradingPayinRow,
  actor: TradingActor,
  actorId: string | null,
  data: Record<string, unknown> = {},
): Promise<TradingPayinRow> {
  if (p.status !== "active") return transitionPayin(deps, trx, p, { action: "pay", actor, actorId });
  // Held for a risk review: the trader's crypto stays on hold until an operator releases it.
  await refuseWhileHeld(trx, p.id);
  const set = await settlePayinLedger(deps, trx, p, BigInt(p.fiat_amount_minor));
  return transitionPayin(deps, trx, p, { action: "pay", actor, actorId, set, data });
}

/** Trader API: the money arrived. Repeating it on a pay-in already closed is a no-op. */
export async function traderConfirmPayin(deps: Deps, traderId: string, payinId: string): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.trader_id !== traderId) throw new AppError("not_found", { message: "Pay-in not found" });
    if (p.status === "closed") return p;
    return payLocked(deps, trx, p, "trader", traderId);
  });
}
