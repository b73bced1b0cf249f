// SQL for stored risk decisions and the review queue.
import { type Selectable, sql } from "kysely";
import type { Db } from "../schema.js";
import type { RiskTables } from "../tables/risk.js";

export type RiskDecisionRow = Selectable<RiskTables["risk_decisions"]>;
type Flow = RiskDecisionRow["flow"];

/** A decision to store: what the risk step decided about one payment (payment_id null: a refused one). */
export interface NewRiskDecision {
  id: string;
  merchant_id: string;
  flow: Flow;
  payment_id: string | null;
  decision: RiskDecisionRow["decision"];
  score: number;
  reasons: unknown;
  at: Date;
}

/**
 * The decisions' INSERT, unexecuted: the trading and intent creates embed it as a CTE of the payments'
 * own insert, so storing them costs no round trip of its own (issue 17's latency budget).
 */
function decisionInsert(db: Db, rows: readonly NewRiskDecision[]) {
  return db.insertInto("risk_decisions").values(
    rows.map((row) => ({
      id: row.id,
      merchant_id: row.merchant_id,
      flow: row.flow,
      payment_id: row.payment_id,
      decision: row.decision,
      score: row.score,
      reasons: JSON.stringify(row.reasons),
      review_status: row.decision === "review" ? ("pending" as const) : null,
      reviewed_by: null,
      reviewed_at: null,
      created_at: row.at,
    })),
  );
}

export function insertDecision(db: Db, row: NewRiskDecision): Promise<RiskDecisionRow> {
  return decisionInsert(db, [row]).returningAll().executeTakeFirstOrThrow();
}

/** The decisions as a CTE of another insert (none when no payment was assessed). */
export function decisionsCte(db: Db, rows: readonly NewRiskDecision[]) {
  return rows.length > 0 ? sql`, risk_decision AS (${decisionInsert(db, rows)})` : sql``;
}

const FLOWS: readonly Flow[] = ["trading", "intent", "card"];

/**
 * The decision of a payment id in any flow (ids do not collide across flows: uuids, pi_ ids and card
 * offers' integers). The flows are named so that the lookup walks risk_decisions_payment_uq
 * (flow, payment_id) instead of reading the whole table.
 */
export function findDecisionByPaymentId(db: Db, paymentId: string, opts: { forUpdate?: boolean } = {}): Promise<RiskDecisionRow | undefined> {
  let q = db.selectFrom("risk_decisions").selectAll().where("flow", "in", FLOWS).where("payment_id", "=", paymentId);
  if (opts.forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

/**
 * The latest decision stored under any of one flow's ids (a card payment: its own id, assessed at pay,
 * or its offer's, assessed at create), through risk_decisions_payment_uq (flow, payment_id).
 */
export function findLatestDecision(db: Db, flow: Flow, paymentIds: readonly string[]): Promise<RiskDecisionRow | undefined> {
  return db.selectFrom("risk_decisions").selectAll().where("flow", "=", flow).where("payment_id", "in", paymentIds).orderBy("created_at", "desc").limit(1).executeTakeFirst();
}

export function listDecisions(db: Db, opts: { merchantId?: string; pendingOnly?: boolean; decision?: RiskDecisionRow["decision"]; limit: number; before?: Date }): Promise<RiskDecisionRow[]> {
  let q = db.selectFrom("risk_decisions").selectAll();
  if (opts.merchantId) q = q.where("merchant_id", "=", opts.merchantId);
  if (opts.pendingOnly) q = q.where("review_status", "=", "pending");
  if (opts.decision) q = q.where("decision", "=", opts.decision);
  if (opts.before) q = q.where("created_at", "<", opts.before);
  return q.orderBy("created_at", "desc").orderBy("id").limit(opts.limit).execute();
}

export function setReviewStatus(db: Db, id: string, status: "released" | "rejected", by: string, at: Date): Promise<RiskDecisionRow> {
  return db.updateTable("risk_decisions").set({ review_status: status, reviewed_by: by, reviewed_at: at }).where("id", "=", id).returningAll().executeTakeFirstOrThrow();
}

export function findDecision(db: Db, id: string): Promise<RiskDecisionRow | undefined> {
  return db.selectFrom("risk_decisions").selectAll().where("id", "=", id).executeTakeFirst();
}
