// The pure part of the risk engine: rules + signals + the database's counts → a decision, a score
// and the reasons. Nothing here reads a clock or a table; the application passes `now` and the facts.
import { type Cidr, cidrContains, parseCidr, type RiskRule } from "./rules.js";
import { type RiskSignals, signalValue } from "./signals.js";

type RiskDecisionKind = "allow" | "review" | "block";

interface RiskReason {
  ruleId: string;
  name: string;
  kind: string;
  /** fired: counted in the score; not_evaluated: a signal it needs was missing (weight 0). */
  outcome: "fired" | "not_evaluated";
  weight: number;
  /** The signal values and counts the rule saw (never a full card number). */
  seen: Record<string, string | number | boolean | null>;
}

export interface RiskDecision {
  decision: RiskDecisionKind;
  score: number;
  reasons: RiskReason[];
}

export interface RiskThresholds {
  /** A score at or over this holds the payment for review. */
  reviewAt: number;
  /** A score at or over this refuses the payment. */
  blockAt: number;
}

export const DEFAULT_THRESHOLDS: RiskThresholds = { reviewAt: 50, blockAt: 80 };

export interface RiskFacts {
  now: Date;
  /** Per velocity rule id: the count, sum or distinct userIds in its window including this payment. */
  windows: ReadonlyMap<string, bigint>;
  /** The payer's history (by userId); null when there is no userId. */
  payer: { paymentsSeen: number; notPaidDisputes: number } | null;
}

type Outcome = { fired: false } | { fired: true; seen: RiskReason["seen"] } | { notEvaluated: string[] };

const missing = (...signals: string[]): Outcome => ({ notEvaluated: signals });
const fired = (seen: RiskReason["seen"]): Outcome => ({ fired: true, seen });
const passed: Outcome = { fired: false };

/** An amount rule applies only to payments in its currency. */
function over(s: RiskSignals, currency: string, maxAmount: string): boolean {
  return s.currency.toUpperCase() === currency && s.amountMinor > BigInt(maxAmount);
}

const cidrCache = new Map<string, Cidr | null>();
function cidr(v: string): Cidr | null {
  let c = cidrCache.get(v);
  if (c === undefined) {
    c = parseCidr(v);
    if (cidrCache.size > 100_000) cidrCache.clear();
    cidrCache.set(v, c);
  }
  return c;
}

function listHit(rule: Extract<RiskRule["spec"], { kind: "list" }>, value: string): boolean {
  if (rule.signal !== "ip") return rule.values.includes(value);
  const ip = cidr(value);
  return ip !== null && rule.values.some((entry) => {
    const block = cidr(entry);
    return block !== null && cidrContains(block, ip);
  });
}

function evaluateRule(rule: RiskRule, s: RiskSignals, facts: RiskFacts): Outcome {
  const spec = rule.spec;
  switch (spec.kind) {
    case "velocity": {
      const value = signalValue(s, spec.signal);
      if (!value) return missing(spec.signal);
      if (spec.measure === "sum" && s.currency.toUpperCase() !== spec.currency) return passed;
      const seen = facts.windows.get(rule.id) ?? 0n;
      const limit = BigInt(spec.limit);
      return seen > limit ? fired({ [spec.signal]: value, [spec.measure]: seen.toString(), limit: spec.limit.toString(), windowSeconds: spec.windowSeconds }) : passed;
    }
    case "distinct_users_per_fingerprint": {
      const fp = signalValue(s, "fingerprint");
      const user = signalValue(s, "userId");
      if (!fp || !user) return missing(...(fp ? [] : ["fingerprint"]), ...(user ? [] : ["userId"]));
      const seen = facts.windows.get(rule.id) ?? 0n;
      return seen > BigInt(spec.limit) ? fired({ fingerprint: fp, distinctUserIds: seen.toString(), limit: spec.limit, windowSeconds: spec.windowSeconds }) : passed;
    }
    case "ftd_cap": {
      if (!s.depositType) return missing("depositType");
      return s.depositType.toUpperCase() === "FTD" && over(s, spec.currency, spec.maxAmount)
        ? fired({ depositType: "FTD", amount: s.amountMinor.toString(), currency: s.currency, maxAmount: spec.maxAmount })
        : passed;
    }
    case "new_account": {
      if (!s.registeredAt) return missing("registeredAt");
      const ageHours = (facts.now.getTime() - s.registeredAt.getTime()) / 3_600_000;
      return ageHours < spec.hours && over(s, spec.currency, spec.maxAmount)
        ? fired({ registeredAt: s.registeredAt.toISOString(), ageHours: Math.max(0, Math.floor(ageHours)), hours: spec.hours, amount: s.amountMinor.toString(), maxAmount: spec.maxAmount })
        : passed;
    }
    case "first_payments": {
      if (!facts.payer) return missing("userId");
      return facts.payer.paymentsSeen < spec.payments && over(s, spec.currency, spec.maxAmount)
        ? fired({ userId: signalValue(s, "userId"), paymentsSeenBefore: facts.payer.paymentsSeen, payments: spec.payments, amount: s.amountMinor.toString(), maxAmount: spec.maxAmount })
        : passed;
    }
    case "list": {
      const value = signalValue(s, spec.signal);
      if (!value) return missing(spec.signal === "emailDomain" ? "email" : spec.signal === "bin" ? "cardBin" : spec.signal);
      return listHit(spec, value) ? fired({ [spec.signal]: value, list: spec.mode }) : passed;
    }
    case "disposable_email": {
      const domain = signalValue(s, "emailDomain");
      if (!domain || s.emailDisposable == null) return missing("email");
      return s.emailDisposable ? fired({ emailDomain: domain, disposable: true }) : passed;
    }
    case "ip_country_mismatch": {
      const other = spec.against === "declaredCountry" ? s.declaredCountry : s.cardCountry;
      if (!s.ipCountry || !other) return missing(...(s.ipCountry ? [] : ["ipCountry"]), ...(other ? [] : [spec.against]));
      return s.ipCountry !== other.toUpperCase() ? fired({ ip: signalValue(s, "ip"), ipCountry: s.ipCountry, [spec.against]: other.toUpperCase() }) : passed;
    }
    case "served_countries":
      if (!s.ipCountry) return missing("ipCountry");
      return spec.countries.includes(s.ipCountry) ? passed : fired({ ip: signalValue(s, "ip"), ipCountry: s.ipCountry });
    case "payer_disputes":
      if (!facts.payer) return missing("userId");
      return facts.payer.notPaidDisputes > spec.limit ? fired({ userId: signalValue(s, "userId"), notPaidDisputes: facts.payer.notPaidDisputes, limit: spec.limit }) : passed;
  }
}

/** Every rule against the payment: the fired rules' weights make the score (capped at 100). */
export function decide(rules: readonly RiskRule[], s: RiskSignals, facts: RiskFacts, thresholds: RiskThresholds): RiskDecision {
  const reasons: RiskReason[] = [];
  let score = 0;
  let allowListed = false;
  for (const rule of rules) {
    const o = evaluateRule(rule, s, facts);
    const base = { ruleId: rule.id, name: rule.name, kind: rule.spec.kind };
    if ("notEvaluated" in o) {
      reasons.push({ ...base, outcome: "not_evaluated", weight: 0, seen: { missing: o.notEvaluated.join(",") } });
    } else if (o.fired) {
      const allow = rule.spec.kind === "list" && rule.spec.mode === "allow";
      if (allow) allowListed = true;
      reasons.push({ ...base, outcome: "fired", weight: allow ? 0 : rule.weight, seen: o.seen });
      if (!allow) score += rule.weight;
    }
  }
  score = Math.min(100, score);
  // An allow-list entry is the operator's or merchant's explicit trust: it wins over the score.
  const decision: RiskDecisionKind = allowListed ? "allow" : score >= thresholds.blockAt ? "block" : score >= thresholds.reviewAt ? "review" : "allow";
  return { decision, score, reasons };
}

/** Thresholds as a merchant sets them: review must not be above block. */
export function validThresholds(t: RiskThresholds): boolean {
  return Number.isInteger(t.reviewAt) && Number.isInteger(t.blockAt) && t.reviewAt >= 1 && t.blockAt <= 101 && t.reviewAt <= t.blockAt;
}
