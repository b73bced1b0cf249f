// Disputes: the merchant or the payer opens one with a receipt and the claimed amount; the trader
// opens review and answers with their own receipt and amount; support resolves (paid as claimed,
// paid a different amount, not paid); with no review within disputeAutoResolveMinutes the dispute
// closes in the merchant's favour (a due-time job).
import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { assertNever } from "../../core/shared/assert-never.js";
import { AppError, IllegalTransitionError } from "../../core/shared/errors.js";
import { TRADING_MACHINE } from "../../core/trading/payin-status.js";
import type { DB, Db } from "../../db/schema.js";
import { findPayin, findReceipt, insertPayinEvent, listPayinEvents, lockPayin, type TradingPayinRow, updatePayin } from "../../db/trading/payins.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { voidPayinHold } from "./ledger-postings.js";
import { scheduleAutoResolve } from "./payin-outbox.js";
import { loadTradingSettings } from "./merchant-settings.js";
import { computeTradingAmounts } from "./amounts.js";
import { startRecalculation } from "./recalculation.js";
import { discardReceipt, uploadReceipt } from "./receipts.js";
import { settlePayin } from "./settle.js";
import { notifyMerchant, transitionPayin } from "./transition.js";
import { tradingPayinChanging } from "./payin-read-cache.js";
import { countFirstDispute, countPayerNotPaid } from "../risk/dispute-holds.js";

const notFound = () => new AppError("not_found", { message: "Pay-in not found" });

/** A receipt of this pay-in (and, with `uploadedBy`, one that party uploaded), or 400 invalid_invoice_key. */
async function checkReceipt(trx: Transaction<DB>, payinId: string, invoiceKey: string, uploadedBy?: "trader"): Promise<void> {
  const r = await findReceipt(trx, invoiceKey);
  if (!r || r.payin_id !== payinId || (uploadedBy !== undefined && r.uploaded_by !== uploadedBy)) throw new AppError("invalid_invoice_key", { field: "invoiceKey" });
}

/**
 * Runs `use` with a receipt just stored; a refusal there after all removes the receipt, so a refused
 * upload leaves no bytes behind. If that removal itself fails, the refusal is still the answer and the
 * file is left to the retention job.
 */
async function discardingOnRefusal<T>(deps: Deps, invoiceKey: string, use: () => Promise<T>): Promise<T> {
  try {
    return await use();
  } catch (err) {
    await discardReceipt(deps, invoiceKey).catch((cleanup: unknown) => deps.logger.warn({ err: cleanup, invoiceKey }, "a refused dispute's receipt could not be removed"));
    throw err;
  }
}

/** The claim may settle the pay-in (support's "paid", the auto-resolve): 400 unless it prices within the ledger. */
const assertClaimPrices = (p: TradingPayinRow, fiatMinor: bigint) => void computeTradingAmounts(fiatMinor, p.currency_rate, p.fee_rate, "fiatAmount");

type DisputeOpener = { kind: "merchant"; merchantId: string; apiKeyId: string } | { kind: "payer" };

export async function openDispute(
  deps: Deps,
  opener: DisputeOpener,
  payinId: string,
  /** receiptSha256: the receipt's content hash (payer page), so the same file uploaded again is known. */
  claim: { invoiceKey: string; fiatMinor: bigint; comment: string | null; receiptSha256?: string },
  commit?: CommitAnswer<TradingPayinRow>,
): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || (opener.kind === "merchant" && p.merchant_id !== opener.merchantId)) throw notFound();
    await checkReceipt(trx, p.id, claim.invoiceKey);
    assertClaimPrices(p, claim.fiatMinor);
    if (opener.kind === "payer") await checkPayerMayDisputeAgain(trx, p, [claim.invoiceKey, ...(claim.receiptSha256 ? [claim.receiptSha256] : [])]);
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
      data: { invoiceKey: claim.invoiceKey, fiatAmountMinor: claim.fiatMinor.toString(), ...(claim.receiptSha256 ? { receiptSha256: claim.receiptSha256 } : {}) },
    });
    // A pay-in's first dispute counts toward its requisite's and trader's dispute rate (risk holds).
    if (p.dispute_opened_at === null) await countFirstDispute(deps, trx, p);
    const settings = await loadTradingSettings(trx, p.merchant_id);
    await scheduleAutoResolve(trx, p.id, now, new Date(now.getTime() + settings.disputeAutoResolveMinutes * 60_000));
    await commit?.(trx, updated);
    return updated;
  });
}

/**
 * The pay page's dispute: the payer's receipt and the amount sent, in one step. The page has no
 * login, so what openDispute checks under the lock is checked before the file is stored too, and a
 * dispute refused there after all (the pay-in moved in between) removes the receipt it stored: a
 * refused upload leaves no bytes behind.
 */
export async function openPayerDispute(deps: Deps, payinId: string, receipt: Buffer, fiatMinor: bigint): Promise<TradingPayinRow> {
  const receiptSha256 = createHash("sha256").update(receipt).digest("hex");
  const p = await findPayin(deps.database.db, payinId);
  if (!p) throw notFound();
  await checkPayerMayDisputeAgain(deps.database.db, p, [receiptSha256]);
  TRADING_MACHINE.next(p.status, "open_dispute"); // 409 naming the status, as the transition would
  assertClaimPrices(p, fiatMinor);
  const { invoiceKey } = await uploadReceipt(deps, { kind: "payer" }, payinId, receipt);
  return discardingOnRefusal(deps, invoiceKey, () => openDispute(deps, { kind: "payer" }, payinId, { invoiceKey, fiatMinor, comment: null, receiptSha256 }));
}

/**
 * After support decided "not paid", a payer's new dispute needs a receipt not shown before, and the
 * merchant's payerDisputeReopens bounds how many (default one): support does not re-read the same
 * evidence, and a payer cannot keep a pay-in in dispute for ever.
 */
async function checkPayerMayDisputeAgain(db: Db, p: TradingPayinRow, evidence: string[]): Promise<void> {
  const settings = await loadTradingSettings(db, p.merchant_id);
  const allowance = disputeAllowance(p.status, await listPayinEvents(db, p.id), settings.payerDisputeReopens);
  if (!allowance.needsNewReceipt) return;
  if (allowance.reopensLeft === 0) throw new AppError("dispute_limit_reached");
  if (evidence.some((e) => allowance.shownReceipts.includes(e))) throw new AppError("dispute_needs_new_receipt", { field: "file" });
}

export interface DisputeAllowance {
  /** The payer may open a dispute now (the status allows it and, after a decision, reopens are left). */
  allowed: boolean;
  /** Support has decided "not paid" before: a new dispute needs a receipt not in shownReceipts (keys and content hashes). */
  needsNewReceipt: boolean;
  reopensLeft: number;
  shownReceipts: string[];
}

/** What the payer may still dispute, from the pay-in's events and the merchant's payerDisputeReopens. */
export function disputeAllowance(
  status: TradingPayinRow["status"],
  events: readonly { data: unknown }[],
  reopensAllowed: number,
): DisputeAllowance {
  const data = (e: { data: unknown }) => e.data as { action?: string; invoiceKey?: string; receiptSha256?: string };
  const firstDecision = events.findIndex((e) => data(e).action === "resolve_not_paid");
  const reopened = firstDecision < 0 ? 0 : events.slice(firstDecision).filter((e) => data(e).action === "open_dispute").length;
  const reopensLeft = Math.max(0, reopensAllowed - reopened);
  const needsNewReceipt = firstDecision >= 0;
  return {
    allowed: TRADING_MACHINE.can(status, "open_dispute") && (!needsNewReceipt || reopensLeft > 0),
    needsNewReceipt,
    reopensLeft,
    shownReceipts: events.flatMap((e) => [data(e).invoiceKey, data(e).receiptSha256]).filter((k): k is string => typeof k === "string"),
  };
}

/** The payer's "I have paid": recorded once, shown to the trader and sent to the merchant (webhook). */
export async function payerClaimPaid(deps: Deps, payinId: string): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p) throw notFound();
    if (p.payer_claimed_at && p.status === "active") return p;
    return transitionPayin(deps, trx, p, { action: "payer_claim", actor: "payer", actorId: null, set: { payer_claimed_at: deps.clock.now() } });
  });
}

export async function traderOpenReview(deps: Deps, traderId: string, payinId: string): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p || p.trader_id !== traderId) throw notFound();
    return transitionPayin(deps, trx, p, { action: "open_review", actor: "trader", actorId: traderId });
  });
}

/** 409 unless the pay-in is in review (checking); 400 for an amount the ledger cannot price. */
function refuseAnswer(p: TradingPayinRow, fiatMinor: bigint): void {
  if (p.status !== "checking") {
    const message = `Cannot answer the dispute of a pay-in that is ${TRADING_MACHINE.statusWords[p.status]}`;
    throw new IllegalTransitionError({ entity: "pay-in", action: "answer", currentStatus: p.status, message });
  }
  assertClaimPrices(p, fiatMinor);
}

/**
 * The cabinet's answer with its receipt, in one step: what traderAnswerDispute checks under the lock
 * is checked before the file is stored, and a refusal there after all removes it (found by fuzzing: a
 * refused answer left its receipt behind).
 */
export async function traderAnswerWithReceipt(deps: Deps, traderId: string, payinId: string, file: Buffer | null, fiatMinor: bigint): Promise<TradingPayinRow> {
  const p = await findPayin(deps.database.db, payinId);
  if (!p || p.trader_id !== traderId) throw notFound();
  refuseAnswer(p, fiatMinor);
  if (!file) return traderAnswerDispute(deps, traderId, payinId, { invoiceKey: null, fiatMinor });
  const { invoiceKey } = await uploadReceipt(deps, { kind: "trader", traderId }, payinId, file);
  return discardingOnRefusal(deps, invoiceKey, () => traderAnswerDispute(deps, traderId, payinId, { invoiceKey, fiatMinor }));
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
    refuseAnswer(p, answer.fiatMinor);
    // The trader's own receipt: the merchant's or payer's is not the trader's evidence.
    if (answer.invoiceKey) await checkReceipt(trx, p.id, answer.invoiceKey, "trader");
    const fiatMinor = answer.fiatMinor.toString();
    // The same answer again changes nothing and tells the merchant nothing new.
    if (p.dispute_trader_invoice_key === answer.invoiceKey && p.dispute_trader_fiat_minor === fiatMinor) return p;
    const now = deps.clock.now();
    tradingPayinChanging(deps, p.id);
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

const RESOLVE_ACTION = { paid: "resolve_paid", paid_different: "resolve_recalculate", not_paid: "resolve_not_paid" } as const;

/**
 * What resolveDispute refuses before it writes (409 naming the status, an amount past the ledger),
 * for the console to answer before its step-up: a refused decision uses up no code.
 */
export function refuseResolution(p: TradingPayinRow, r: DisputeResolution): void {
  TRADING_MACHINE.next(p.status, RESOLVE_ACTION[r.outcome]);
  if (r.outcome === "paid_different") computeTradingAmounts(r.actualFiatMinor, p.currency_rate, p.fee_rate, "actualFiatAmount");
}

/**
 * Support's decision through the admin API. `reason` is shown to the payer on the payer page and
 * kept on the event.
 */
export async function resolveDispute(
  deps: Deps,
  operatorKeyId: string,
  payinId: string,
  r: DisputeResolution,
  reason: string | null = null,
): Promise<TradingPayinRow> {
  return deps.database.db.transaction().execute(async (trx) => {
    const p = await lockPayin(trx, payinId);
    if (!p) throw notFound();
    const actor = { actor: "support" as const, actorId: operatorKeyId, data: { reason } };
    switch (r.outcome) {
      case "paid": {
        if (p.status !== "checking" && p.status !== "dispute") return transitionPayin(deps, trx, p, { action: "resolve_paid", ...actor });
        return settlePayin(deps, trx, p, BigInt(p.dispute_merchant_fiat_minor), (set) => transitionPayin(deps, trx, p, { action: "resolve_paid", ...actor, set }));
      }
      case "paid_different": {
        if (p.status !== "checking") return transitionPayin(deps, trx, p, { action: "resolve_recalculate", ...actor });
        return startRecalculation(deps, trx, p, { actor: "support", actorId: operatorKeyId }, r.actualFiatMinor, reason);
      }
      case "not_paid": {
        if (p.status !== "checking" && p.status !== "dispute") return transitionPayin(deps, trx, p, { action: "resolve_not_paid", ...actor });
        // The status write first, the void second: the lock order of settle.ts.
        const decided = await transitionPayin(deps, trx, p, { action: "resolve_not_paid", ...actor, set: { hold_state: p.hold_state === "pending" ? "voided" : p.hold_state } });
        if (p.hold_state === "pending") await voidPayinHold(deps, trx, p.id);
        // Counts against the payer: the payer_disputes rule reads it at the payer's next pay-in.
        await countPayerNotPaid(trx, p);
        return decided;
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
    await settlePayin(deps, trx, p, BigInt(p.dispute_merchant_fiat_minor), (set) => transitionPayin(deps, trx, p, { action: "auto_resolve", actor: "system", actorId: null, set }));
    return "resolved" as const;
  });
}
