// The one call each dialect's create makes, inside its own transaction: read the cached rules, count
// the velocity windows under the keys' advisory locks and count this payment (one round trip,
// db/risk/velocity.ts) and decide (core/risk/decision.ts). The caller stores the decision with the
// payment: inside the payment's own insert (db/risk/decisions.ts decisionsCte), so the step costs a
// single round trip. A refusal throws RiskBlockedError, which rolls the create back, its counts
// included; refuseWhenBlocked records the refused attempt.
import type { Transaction } from "kysely";
import { decide, type RiskDecision, type RiskFacts } from "../../core/risk/decision.js";
import type { RiskRule } from "../../core/risk/rules.js";
import { type RiskFlow, type RiskSignals, signalValue } from "../../core/risk/signals.js";
import { AppError } from "../../core/shared/errors.js";
import { insertDecision, type NewRiskDecision } from "../../db/risk/decisions.js";
import { countPayment, type WindowQuery } from "../../db/risk/velocity.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { readRiskSet } from "./rule-cache.js";
import { withDerivedSignals } from "./signal-lookups.js";

interface AssessPaymentInput {
  merchantId: string;
  flow: RiskFlow;
  paymentId: string;
  signals: RiskSignals;
}

interface AssessedRisk extends RiskDecision {
  /** The decision to store with the payment (what the merchant's read shows: app/risk/payment-risk.ts). */
  record: NewRiskDecision;
}

/** Thrown inside the create's transaction so that it rolls back; carries what was decided. */
export class RiskBlockedError extends AppError {
  constructor(readonly assessed: { merchantId: string; flow: RiskFlow; decision: RiskDecision }) {
    super("risk_blocked");
  }
}

type VelocityKeyed = { rule: RiskRule; key: string; query: WindowQuery };

function velocityKeys(rules: readonly RiskRule[], merchantId: string, s: RiskSignals, now: Date): VelocityKeyed[] {
  const out: VelocityKeyed[] = [];
  for (const rule of rules) {
    const spec = rule.spec;
    if (spec.kind === "velocity") {
      const value = signalValue(s, spec.signal);
      if (!value) continue;
      const key = `${merchantId}|${spec.signal}|${value}`;
      const since = new Date(now.getTime() - spec.windowSeconds * 1000);
      const measure = spec.measure;
      // A count only needs to reach the limit to fire: it stops reading there.
      const cap = measure === "count" ? spec.limit + 1 : 0;
      out.push({ rule, key, query: { ruleId: rule.id, key, since, measure, cap, currency: measure === "sum" ? spec.currency : null } });
    } else if (spec.kind === "distinct_users_per_fingerprint") {
      const fp = signalValue(s, "fingerprint");
      if (!fp || !signalValue(s, "userId")) continue;
      const key = `${merchantId}|fingerprint|${fp}`;
      out.push({ rule, key, query: { ruleId: rule.id, key, since: new Date(now.getTime() - spec.windowSeconds * 1000), measure: "distinct_users", cap: 0, currency: null } });
    }
  }
  return out;
}

/** The windows' values including this payment (what the rules compare with their limits). */
function afterThisPayment(keyed: VelocityKeyed[], before: Map<string, bigint>, s: RiskSignals): Map<string, bigint> {
  const after = new Map<string, bigint>();
  for (const k of keyed) {
    const v = before.get(k.rule.id) ?? 0n;
    // distinct_users already counts this payment's userId (risk_count_payment).
    after.set(k.rule.id, k.query.measure === "count" ? v + 1n : k.query.measure === "sum" ? v + s.amountMinor : v);
  }
  return after;
}

const needsPayer = (rules: readonly RiskRule[]) => rules.some((r) => r.spec.kind === "first_payments" || r.spec.kind === "payer_disputes");

/**
 * The payment's risk decision, or null when no rule applies to the merchant (then nothing was read or
 * written). Throws RiskBlockedError on a block. Call it inside the transaction that writes the payment,
 * and store `record` in that transaction.
 */
export async function assessPaymentRisk(deps: Deps, trx: Transaction<DB>, input: AssessPaymentInput): Promise<AssessedRisk | null> {
  const set = await readRiskSet(deps, input.merchantId, trx);
  if (set.rules.length === 0) return null;
  const now = deps.clock.now();
  const rules = set.rules;
  const signals = withDerivedSignals(input.signals, {
    country: rules.some((r) => r.spec.kind === "ip_country_mismatch" || r.spec.kind === "served_countries"),
    disposable: rules.some((r) => r.spec.kind === "disposable_email"),
  });
  const keyed = velocityKeys(rules, input.merchantId, signals, now);
  const userId = signalValue(signals, "userId");
  const countPayer = userId !== null && needsPayer(rules);
  // One round trip locks the keys, reads the windows, counts the payer and records this payment under
  // its keys; a block below rolls all of it back with the create.
  const counted =
    keyed.length > 0 || countPayer
      ? await countPayment(trx, {
          keys: [...new Set(keyed.map((k) => k.key))],
          queries: keyed.map((k) => k.query),
          merchantId: input.merchantId,
          userId,
          countPayer,
          at: now,
          amountMinor: signals.amountMinor,
          currency: signals.currency.toUpperCase(),
          paymentId: input.paymentId,
        })
      : { windows: new Map<string, bigint>(), payer: null };
  const facts: RiskFacts = { now, windows: afterThisPayment(keyed, counted.windows, signals), payer: counted.payer };
  const decision = decide(rules, signals, facts, set.thresholds);
  if (decision.decision === "block") throw new RiskBlockedError({ merchantId: input.merchantId, flow: input.flow, decision });

  return {
    ...decision,
    record: {
      id: deps.ids.uuid(),
      merchant_id: input.merchantId,
      flow: input.flow,
      payment_id: input.paymentId,
      decision: decision.decision,
      score: decision.score,
      reasons: decision.reasons,
      at: now,
    },
  };
}

/**
 * Runs a create; a risk block is recorded (payment_id null, for the operator's view) after its
 * transaction rolled back, and refused with the stable code risk_blocked and the decision's id.
 */
export async function refuseWhenBlocked<T>(deps: Deps, create: () => Promise<T>): Promise<T> {
  try {
    return await create();
  } catch (err) {
    if (!(err instanceof RiskBlockedError)) throw err;
    const { merchantId, flow, decision } = err.assessed;
    const row = await insertDecision(deps.database.db, {
      id: deps.ids.uuid(),
      merchant_id: merchantId,
      flow,
      payment_id: null,
      decision: "block",
      score: decision.score,
      reasons: decision.reasons,
      at: deps.clock.now(),
    });
    deps.logger.info({ riskDecisionId: row.id, merchantId, flow, score: decision.score, rules: decision.reasons.filter((r) => r.outcome === "fired").map((r) => r.kind) }, "payment refused by risk rules");
    throw new AppError("risk_blocked", { details: { riskDecisionId: row.id } });
  }
}
