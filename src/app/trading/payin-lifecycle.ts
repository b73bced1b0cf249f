// Pay-in lifecycle outside disputes: merchant cancel, expiry at the window's end, close by trader
// confirmation or by a matching bank transfer. Each locks the row FOR UPDATE and re-checks its
// status, so payment and expiry racing at the same instant end with exactly one winner.
import { AppError } from "../../core/shared/errors.js";
import type { TradingActor } from "../../core/trading/payin-status.js";
import { lockPayin, lockPayins, type TradingPayinRow } from "../../db/trading/payins.js";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { voidPayinHold, voidPayinHolds } from "./ledger-postings.js";
import { settlePayin } from "./settle.js";
import { transitionPayin, transitionPayins } from "./transition.js";
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
  // Decide before touching the ledger: an illegal transition must not void anything. The status
  // update comes before the void, as in a batch (see expireTradingPayins).
  if (p.status !== "active") return transitionPayin(deps, trx, p, { action, actor, actorId });
  const canceled = await transitionPayin(deps, trx, p, { action, actor, actorId, set: { hold_state: "voided" } });
  await voidPayinHold(deps, trx, p.id);
  return canceled;
}

/** Cancelled by support (a rejected risk review, an operator's cancel): the trader's hold voided. */
export async function cancelPayinAsSupport(deps: Deps, trx: Transaction<DB>, payinId: string, operatorId: string): Promise<TradingPayinRow> {
  const p = await lockPayin(trx, payinId);
  if (!p) throw new AppError("not_found", { message: "Pay-in not found" });
  return cancelLocked(deps, trx, p, "cancel", "support", operatorId);
}

type ExpiryResult = "expired" | "not_active" | { notYet: Date };

/**
 * Expiry of pay-ins at the end of their windows, set-based (issue 16: 100,000 due pay-ins in under a
 * minute): one transaction locks them in id order, moves them to expired with their events and webhooks
 * in one statement each, and voids the holds of those still active and due in one ledger pass.
 * Lock order: the status update takes the day-volume counters' part 1 (migration 0080_e: the creates
 * write part 0, so no create holds it), then the ledger pass takes the traders' balance rows, which a
 * create takes last as well (its hold), so a create and a batch never wait on each other in a cycle.
 * A hold that cannot be voided throws, so the whole batch rolls back with it.
 * Idempotent: a pay-in already closed or canceled is "not_active"; one whose window is still open
 * (a window extended after the job was scheduled) answers when to come back.
 */
export async function expireTradingPayins(deps: Deps, payinIds: readonly string[]): Promise<Map<string, ExpiryResult>> {
  return deps.database.db.transaction().execute(async (trx) => {
    const now = deps.clock.now();
    const results = new Map<string, ExpiryResult>(payinIds.map((id) => [id, "not_active"]));
    const due: TradingPayinRow[] = [];
    for (const p of await lockPayins(trx, payinIds)) {
      if (p.status !== "active") continue;
      if (now < p.expires_at) results.set(p.id, { notYet: p.expires_at });
      else due.push(p);
    }
    await transitionPayins(deps, trx, due, { action: "expire", actor: "system", actorId: null, set: { hold_state: "voided" } });
    await voidPayinHolds(deps, trx, due.map((p) => p.id));
    for (const p of due) results.set(p.id, "expired");
    return results;
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
  return settlePayin(deps, trx, p, BigInt(p.fiat_amount_minor), (set) => transitionPayin(deps, trx, p, { action: "pay", actor, actorId, set, data }));
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
