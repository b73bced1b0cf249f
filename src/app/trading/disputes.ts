// Disputes: the merchant or the payer opens one with a receipt and the claimed amount; the trader
// opens review and answers with their own receipt and amount; support resolves (paid as claimed,
// paid a different amount, not paid); with no review within disputeAutoResolveMinutes the dispute
// closes in the merchant's favour (a due-time job).
import type { Transaction } from "kysely";
import { assertNever } from "../../core/shared/assert-never.js";
import { AppError, IllegalTransitionError } from "../../core/shared/errors.js";
import { TRADING_MACHINE } from "../../core/trading/payin-status.js";
import type { DB } from "../../db/schema.js";
import { findReceipt, insertPayinEvent, lockPayin, type TradingPayinRow, updatePayin } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { voidPayinHold } from "./ledger-postings.js";
import { scheduleAutoResolve } from "./payin-outbox.js";
import { loadTradingSettings } from "./merchant-settings.js";
import { startRecalculation } from "./recalculation.js";
import { settlePayinLedger } from "./settle.js";
import { notifyMerchant, transitionPayin } from "./transition.js";

const notFound = () => new AppError("not_found", { message: "Pay-in not found" });

async function checkReceipt(trx: Transaction<DB>, payinId: string, invoiceKey: string): Promise<void> {
  const r = await findReceipt(trx, invoiceKey);
  if (!r || r.payin_id !== payinId) throw new AppError("invalid_invoice_key", { field: "invoiceKey" });
}

type DisputeOpener = { kind: "merchant"; merchantId: string; apiKeyId: string } | { kind: "payer" };

export async function openDispute(
  deps: Deps,
  opener: DisputeOpener,
  payinId: string,
  claim: { invoiceKey: string; fiatMinor: bigint; comment: string | null },
  commit?: CommitAnswer<TradingPayinRow>,
): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || (opener.kind === "merchant" && p.merchant_id !== opener.merchantId)) throw notFound();
    await checkReceipt(trx, p.id, claim.invoiceKey);
    const now = deps.clock.now();
    const set = {
      dispute_merchant_invoice_key: claim.invoiceKey,
      dispute_merchant_fiat_minor: claim.fiatMinor.toString(),
      dispute_comment: claim.comment,
      dispute_opened_at: now,
    };
    // A hold still pending (disputed while active) stays reserved until support or auto-resolve decides.
    const updated = await transitionPayin(deps, trx, p, {
      action: "open_dispute",
      actor: opener.kind,
      actorId: opener.kind === "merchant" ? opener.apiKeyId : null,
      set,
      data: { invoiceKey: claim.invoiceKey, fiatAmountMinor: claim.fiatMinor.toString() },
    });
    const settings = await loadTradingSettings(trx, p.merchant_id);
    await scheduleAutoResolve(trx, p.id, now, new Date(now.getTime() + settings.disputeAutoResolveMinutes * 60_000));
    await commit?.(trx, updated);
    return updated;
  });
}

export async function traderOpenReview(deps: Deps, traderId: string, payinId: string): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.trader_id !== traderId) throw notFound();
    return transitionPayin(deps, trx, p, { action: "open_review", actor: "trader", actorId: traderId });
  });
}

/** The trader's answer during review: their receipt and the amount they say arrived. */
export async function traderAnswerDispute(
  deps: Deps,
  traderId: string,
  payinId: string,
  answer: { invoiceKey: string | null; fiatMinor: bigint },
): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.trader_id !== traderId) throw notFound();
    if (p.status !== "checking") {
      const message = `Cannot answer the dispute of a pay-in that is ${TRADING_MACHINE.statusWords[p.status]}`;
      throw new IllegalTransitionError({ entity: "pay-in", action: "answer", currentStatus: p.status, message });
    }
    if (answer.invoiceKey) await checkReceipt(trx, p.id, answer.invoiceKey);
    const fiatMinor = answer.fiatMinor.toString();
    // The same answer again changes nothing and tells the merchant nothing new.
    if (p.dispute_trader_invoice_key === answer.invoiceKey && p.dispute_trader_fiat_minor === fiatMinor) return p;
    const now = deps.clock.now();
    await updatePayin(trx, p.id, {
      dispute_trader_invoice_key: answer.invoiceKey,
      dispute_trader_fiat_minor: fiatMinor,
      updated_at: now,
    });
    await insertPayinEvent(trx, {
      payinId: p.id,
      actor: "trader",
      actorId: traderId,
      from: p.status,
      to: p.status,
      at: now,
      data: { action: "answer", invoiceKey: answer.invoiceKey, fiatAmountMinor: fiatMinor },
    });
    const answered = (await lockPayin(trx, p.id))!;
    // Not a status change, but the amount the merchant will be settled at may now differ from its claim.
    await notifyMerchant(deps, trx, answered);
    return answered;
  });
}

export type DisputeResolution = { outcome: "paid" } | { outcome: "paid_different"; actualFiatMinor: bigint } | { outcome: "not_paid" };

/** Support's decision through the admin API. */
export async function resolveDispute(deps: Deps, operatorKeyId: string, payinId: string, r: DisputeResolution): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p) throw notFound();
    const actor = { actor: "support" as const, actorId: operatorKeyId };
    switch (r.outcome) {
      case "paid": {
        if (p.status !== "checking" && p.status !== "dispute") return transitionPayin(deps, trx, p, { action: "resolve_paid", ...actor });
        const set = await settlePayinLedger(deps, trx, p, BigInt(p.dispute_merchant_fiat_minor));
        return transitionPayin(deps, trx, p, { action: "resolve_paid", ...actor, set });
      }
      case "paid_different": {
        if (p.status !== "checking") return transitionPayin(deps, trx, p, { action: "resolve_recalculate", ...actor });
        return startRecalculation(deps, trx, p, actor, r.actualFiatMinor);
      }
      case "not_paid": {
        if (p.status !== "checking" && p.status !== "dispute") return transitionPayin(deps, trx, p, { action: "resolve_not_paid", ...actor });
        if (p.hold_state === "pending") await voidPayinHold(deps, trx, p.id);
        return transitionPayin(deps, trx, p, { action: "resolve_not_paid", ...actor, set: { hold_state: p.hold_state === "pending" ? "voided" : p.hold_state } });
      }
      default:
        return assertNever(r, "dispute resolution");
    }
  });
}

/** Auto-resolve job body: a dispute nobody reviewed in time closes at the claimed amount. */
export async function autoResolveDispute(deps: Deps, payinId: string, disputeOpenedAt: Date): Promise<"resolved" | "moved_on"> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.status !== "dispute" || p.dispute_opened_at?.getTime() !== disputeOpenedAt.getTime()) return "moved_on" as const;
    const set = await settlePayinLedger(deps, trx, p, BigInt(p.dispute_merchant_fiat_minor));
    await transitionPayin(deps, trx, p, { action: "auto_resolve", actor: "system", actorId: null, set });
    return "resolved" as const;
  });
}
