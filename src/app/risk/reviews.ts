// The review queue: a payment the rules held waits here until an operator releases it (it may then be
// paid, and its crypto leave) or rejects it (it is cancelled through its own dialect's transition).
// The review's own status moves only through core/risk/review-status.ts.
import type { Transaction } from "kysely";
import { RISK_REVIEW, type RiskReviewAction } from "../../core/risk/review-status.js";
import { AppError } from "../../core/shared/errors.js";
import { findDecisionByPaymentId, listDecisions, type RiskDecisionRow, setReviewStatus } from "../../db/risk/decisions.js";
import type { DB, Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";

interface RiskDecisionView {
  id: string;
  merchantId: string;
  flow: string;
  paymentId: string | null;
  decision: "allow" | "review" | "block";
  score: number;
  reasons: never[];
  reviewStatus: "pending" | "released" | "rejected" | null;
  reviewedAt: string | null;
  createdAt: string;
}

function decisionView(d: RiskDecisionRow): RiskDecisionView {
  return {
    id: d.id,
    merchantId: d.merchant_id,
    flow: d.flow,
    paymentId: d.payment_id,
    decision: d.decision,
    score: d.score,
    reasons: d.reasons as never[],
    reviewStatus: d.review_status,
    reviewedAt: d.reviewed_at?.toISOString() ?? null,
    createdAt: d.created_at.toISOString(),
  };
}

/**
 * Refuses to go on with a payment whose review is pending or was rejected (paying it, sending its crypto). Called
 * inside the transaction that would do so, with the payment row already locked.
 */
export async function refuseWhileHeld(db: Db, paymentId: string): Promise<void> {
  refuseHeld(await findDecisionByPaymentId(db, paymentId));
}

/** refuseWhileHeld for a decision already read. */
export function refuseHeld(d: RiskDecisionRow | undefined): void {
  if (d?.review_status === "pending") throw new AppError("risk_review_pending");
  if (d?.review_status === "rejected") throw new AppError("risk_blocked", { details: { riskDecisionId: d.id } });
}

/** What each flow does when its review ends; registered by the flows (see src/main wiring). */
export interface ReviewEffects {
  released(deps: Deps, trx: Transaction<DB>, paymentId: string): Promise<void>;
  rejected(deps: Deps, trx: Transaction<DB>, paymentId: string, operatorId: string): Promise<void>;
}

export async function decideReview(
  deps: Deps,
  effects: Record<RiskDecisionRow["flow"], ReviewEffects>,
  paymentId: string,
  action: RiskReviewAction,
  operatorId: string,
): Promise<RiskDecisionView> {
  return deps.database.db.transaction().execute(async (trx) => {
    const d = await findDecisionByPaymentId(trx, paymentId, { forUpdate: true });
    if (!d || d.review_status === null) throw new AppError("not_found", { message: "No risk review for this payment" });
    const to = RISK_REVIEW.next(d.review_status, action);
    const row = await setReviewStatus(trx, d.id, to as "released" | "rejected", operatorId, deps.clock.now());
    if (to === "released") await effects[d.flow].released(deps, trx, paymentId);
    else await effects[d.flow].rejected(deps, trx, paymentId, operatorId);
    deps.logger.info({ riskDecisionId: d.id, paymentId, flow: d.flow, reviewStatus: to, operatorId }, "risk review decided");
    return decisionView(row);
  });
}

export async function riskDecisionsPage(deps: Deps, q: { merchantId?: string; pendingOnly?: boolean; decision?: RiskDecisionRow["decision"]; limit: number; before?: Date }) {
  return (await listDecisions(deps.database.db, q)).map(decisionView);
}
