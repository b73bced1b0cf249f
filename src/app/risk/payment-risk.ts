// The risk decision as the merchant reads it with its payment (issue 17: "returned to the merchant in
// the payment's read"): an additive `risk` member of each dialect's single-payment read. null when the
// payment was not assessed (the merchant had no active rules when it was created).
import type { RiskDecision } from "../../core/risk/decision.js";
import { findLatestDecision, type RiskDecisionRow } from "../../db/risk/decisions.js";
import type { Db } from "../../db/schema.js";

export interface PaymentRiskView {
  decision: RiskDecision["decision"];
  score: number;
  /** Set for a `review`: pending until an operator releases or rejects the payment. */
  reviewStatus: RiskDecisionRow["review_status"];
  /** Every rule that fired and every rule that could not be evaluated, with the values it saw. */
  reasons: RiskDecision["reasons"];
  decidedAt: string;
}

export function paymentRiskView(d: RiskDecisionRow | undefined): PaymentRiskView | null {
  if (!d) return null;
  return { decision: d.decision, score: d.score, reviewStatus: d.review_status, reasons: d.reasons as RiskDecision["reasons"], decidedAt: d.created_at.toISOString() };
}

/** One indexed lookup (flow, payment_id); a card payment passes its own id and its offer's. */
export async function paymentRisk(db: Db, flow: RiskDecisionRow["flow"], paymentIds: readonly string[]): Promise<PaymentRiskView | null> {
  return paymentRiskView(await findLatestDecision(db, flow, paymentIds));
}
