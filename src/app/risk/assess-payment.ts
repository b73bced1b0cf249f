// The one call each dialect's create makes, inside its own transaction: read the cached rules, count
// the velocity windows under the keys' advisory locks, decide (core/risk/decision.ts) and, unless
// refused, count this payment and store the decision with it. A refusal throws RiskBlockedError,
// which rolls the create back (nothing counted); refuseWhenBlocked records the refused attempt.
import type { Transaction } from "kysely";
import { decide, type RiskDecision, type RiskFacts } from "../../core/risk/decision.js";
import type { RiskRule } from "../../core/risk/rules.js";
import { type RiskFlow, type RiskSignals, signalValue } from "../../core/risk/signals.js";
import { AppError } from "../../core/shared/errors.js";
import { insertDecision } from "../../db/risk/decisions.js";
import { countPayerPayment, insertVelocityEvents, lockVelocityKeys, readWindows, userSeenUnder, type WindowQuery } from "../../db/risk/velocity.js";
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
  decisionId: string;
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
async function countWindows(trx: Transaction<DB>, keyed: VelocityKeyed[], s: RiskSignals): Promise<Map<string, bigint>> {
  if (keyed.length === 0) return new Map();
  await lockVelocityKeys(trx, [...new Set(keyed.map((k) => k.key))]);
  const before = await readWindows(trx, keyed.map((k) => k.query));
  const userId = signalValue(s, "userId");
  const after = new Map<string, bigint>();
  for (const k of keyed) {
    const v = before.get(k.rule.id) ?? 0n;
    if (k.query.measure === "count") after.set(k.rule.id, v + 1n);
    else if (k.query.measure === "sum") after.set(k.rule.id, v + s.amountMinor);
    // This payment's userId adds one unless it is already among them.
    else after.set(k.rule.id, v + ((await seenUser(trx, k, userId)) ? 0n : 1n));
  }
  return after;
}

async function seenUser(trx: Transaction<DB>, k: VelocityKeyed, userId: string | null): Promise<boolean> {
  if (!userId) return true;
  return userSeenUnder(trx, k.key, k.query.since, userId);
}

const needsPayer = (rules: readonly RiskRule[]) => rules.some((r) => r.spec.kind === "first_payments" || r.spec.kind === "payer_disputes");

/**
 * The payment's risk decision, or null when no rule applies to the merchant (then nothing was read or
 * written). Throws RiskBlockedError on a block. Call it inside the transaction that writes the payment.
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
  const windows = await countWindows(trx, keyed, signals);
  const userId = signalValue(signals, "userId");
  // The payer row is counted (and locked) before deciding; a block rolls the count back with the create.
  const payer = userId && needsPayer(rules) ? await countPayerPayment(trx, input.merchantId, userId) : null;
  const facts: RiskFacts = { now, windows, payer };
  const decision = decide(rules, signals, facts, set.thresholds);
  if (decision.decision === "block") throw new RiskBlockedError({ merchantId: input.merchantId, flow: input.flow, decision });

  const events = new Map<string, { key: string; userId: string | null }>();
  for (const k of keyed) events.set(k.key, { key: k.key, userId });
  await insertVelocityEvents(
    trx,
    [...events.values()].map((e) => ({ key: e.key, at: now, amountMinor: signals.amountMinor, currency: signals.currency.toUpperCase(), userId: e.userId, paymentId: input.paymentId })),
  );
  const row = await insertDecision(trx, {
    id: deps.ids.uuid(),
    merchant_id: input.merchantId,
    flow: input.flow,
    payment_id: input.paymentId,
    decision: decision.decision,
    score: decision.score,
    reasons: decision.reasons,
    at: now,
  });
  return { ...decision, decisionId: row.id };
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
