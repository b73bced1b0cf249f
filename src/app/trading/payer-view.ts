// What the hosted payer page of a trading pay-in shows, read from the pay-in, its events and its
// merchant's settings: the stage the payer is at (a status alone cannot tell an expiry from a
// merchant's cancel or from support's "not paid"), support's decisions with their reasons, and
// whether the payer may still open a dispute.
import { findMerchant } from "../../db/credentials.js";
import { findAnyBank } from "../../db/trading/methods.js";
import { listPayinEvents } from "../../db/trading/payins.js";
import { assertNever } from "../../core/shared/assert-never.js";
import type { Deps } from "../deps.js";
import { disputeAllowance, type DisputeAllowance } from "./disputes.js";
import { loadTradingSettings } from "./merchant-settings.js";
import type { TradingPayinObject } from "./payin-object.js";
import { getPayinForPayer, payinObject } from "./queries.js";

export type PayerStage = "waiting" | "claimed" | "paid" | "expired" | "merchant_canceled" | "not_paid" | "in_review" | "recalculating";

interface PayerDecision {
  at: Date;
  outcome: "paid" | "paid_different" | "not_paid" | "auto_resolved";
  /** Support's words to the payer, or null. */
  reason: string | null;
  /** The amount decided for paid_different (minor units), else null. */
  fiatMinor: string | null;
}

export interface PayerView {
  payin: TradingPayinObject;
  /** The amount to pay in hundredths (the trading dialect's scale). */
  fiatMinor: string;
  stage: PayerStage;
  merchantName: string;
  orderReference: string | null;
  bankName: string;
  returnUrl: string | null;
  claimedAt: Date | null;
  decisions: PayerDecision[];
  dispute: DisputeAllowance;
  /** Changes whenever anything happens to the pay-in (its event count): the page re-renders then. */
  version: number;
}

const DECISIONS: Record<string, PayerDecision["outcome"]> = {
  resolve_paid: "paid",
  resolve_recalculate: "paid_different",
  resolve_not_paid: "not_paid",
  auto_resolve: "auto_resolved",
};

export async function payerView(deps: Deps, id: string): Promise<PayerView> {
  const db = deps.database.db;
  const row = await getPayinForPayer(deps, id);
  const [payin, events, merchant, bank, settings] = await Promise.all([
    payinObject(deps, row),
    listPayinEvents(db, row.id),
    findMerchant(db, row.merchant_id),
    findAnyBank(db, row.bank_code),
    loadTradingSettings(db, row.merchant_id),
  ]);
  const actionOf = (e: { data: unknown }) => (e.data as { action?: string }).action ?? "";
  const decisions = events
    .filter((e) => DECISIONS[actionOf(e)])
    .map((e) => {
      const data = e.data as { reason?: string | null };
      return {
        at: e.at,
        outcome: DECISIONS[actionOf(e)]!,
        reason: data.reason ?? null,
        fiatMinor: actionOf(e) === "resolve_recalculate" ? row.fiat_amount_minor : null,
      };
    });
  const lastCancel = [...events].reverse().find((e) => e.to_status === "canceled" && e.from_status !== "canceled");
  const stage = ((): PayerStage => {
    switch (row.status) {
      case "active":
        return row.payer_claimed_at ? "claimed" : "waiting";
      case "closed":
        return "paid";
      case "dispute":
      case "checking":
        return "in_review";
      case "re_calculation":
        return "recalculating";
      case "canceled": {
        const action = lastCancel ? actionOf(lastCancel) : "expire";
        return action === "resolve_not_paid" ? "not_paid" : action === "cancel" ? "merchant_canceled" : "expired";
      }
      default:
        return assertNever(row.status, "pay-in status");
    }
  })();
  return {
    payin,
    fiatMinor: row.fiat_amount_minor,
    stage,
    merchantName: merchant?.name ?? "",
    orderReference: row.external_transaction_id,
    bankName: bank?.name ?? row.bank_code,
    returnUrl: settings.returnUrl,
    claimedAt: row.payer_claimed_at,
    decisions,
    dispute: disputeAllowance(row.status, events, settings.payerDisputeReopens),
    version: events.length,
  };
}
