// Managing risk rules and settings: operators for the platform and any merchant, merchants for their
// own (scope.merchantId). Every change marks the rule cache inside its transaction, so the process
// making it applies it from its next payment, and the notification carries it to the others.
import { DEFAULT_THRESHOLDS, validThresholds } from "../../core/risk/decision.js";
import type { PageAccess } from "../../core/risk/page-access.js";
import { parseRuleSpec, parseWeight } from "../../core/risk/rules.js";
import { AppError } from "../../core/shared/errors.js";
import { countRules, deleteRule, findRiskSettings, findRule, insertRule, listRules, type RiskRuleRow, type RiskSettingsRow, updateRule, upsertRiskSettings } from "../../db/risk/rules.js";
import type { Deps } from "../deps.js";
import { DEFAULT_PAGE_ACCESS, PLATFORM_GROUP, riskRulesChanging } from "./rule-cache.js";

/** Whose rules: null is the platform's defaults. */
export interface RuleScope {
  merchantId: string | null;
}

/** Bounds the work each payment does (bench/risk-create.ts measures what 20 rules add to a create). */
const MAX_RULES_PER_SCOPE = 100;

interface RiskRuleView {
  id: string;
  merchantId: string | null;
  name: string;
  weight: number;
  enabled: boolean;
  spec: unknown;
  createdAt: string;
  updatedAt: string;
}

function ruleView(r: RiskRuleRow): RiskRuleView {
  return { id: r.id, merchantId: r.merchant_id, name: r.name, weight: r.weight, enabled: r.enabled, spec: r.spec, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() };
}

const groupOf = (scope: RuleScope) => scope.merchantId ?? PLATFORM_GROUP;

function ruleName(v: unknown): string {
  if (typeof v !== "string" || v.trim().length === 0 || v.length > 200) throw new AppError("validation_failed", { field: "name", message: "name must be 1 to 200 characters." });
  return v.trim();
}

export async function listRiskRules(deps: Deps, scope: RuleScope): Promise<RiskRuleView[]> {
  return (await listRules(deps.database.db, scope.merchantId, { limit: MAX_RULES_PER_SCOPE })).map(ruleView);
}

export async function createRiskRule(deps: Deps, scope: RuleScope, body: { name: unknown; weight: unknown; spec: unknown; enabled?: boolean }): Promise<RiskRuleView> {
  const row = { name: ruleName(body.name), weight: parseWeight(body.weight), spec: parseRuleSpec(body.spec), enabled: body.enabled ?? true };
  return deps.database.db.transaction().execute(async (trx) => {
    if ((await countRules(trx, scope.merchantId)) >= MAX_RULES_PER_SCOPE) {
      throw new AppError("validation_failed", { field: "spec", message: `At most ${MAX_RULES_PER_SCOPE} rules per merchant (and for the platform).` });
    }
    riskRulesChanging(deps, groupOf(scope));
    return ruleView(await insertRule(trx, { id: deps.ids.uuid(), merchant_id: scope.merchantId, ...row, at: deps.clock.now() }));
  });
}

/** The rule when it belongs to the scope; another merchant's rule is not found. */
async function ruleInScope(deps: Deps, scope: RuleScope, id: string): Promise<RiskRuleRow> {
  const rule = await findRule(deps.database.db, id);
  if (!rule || rule.merchant_id !== scope.merchantId) throw new AppError("not_found");
  return rule;
}

/** One rule of the scope (the console's edit form); another scope's is not found. */
export async function readRiskRule(deps: Deps, scope: RuleScope, id: string): Promise<RiskRuleView> {
  return ruleView(await ruleInScope(deps, scope, id));
}

export async function updateRiskRule(deps: Deps, scope: RuleScope, id: string, body: { name?: unknown; weight?: unknown; spec?: unknown; enabled?: boolean }): Promise<RiskRuleView> {
  await ruleInScope(deps, scope, id);
  const set = {
    ...(body.name !== undefined ? { name: ruleName(body.name) } : {}),
    ...(body.weight !== undefined ? { weight: parseWeight(body.weight) } : {}),
    ...(body.spec !== undefined ? { spec: parseRuleSpec(body.spec) } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    at: deps.clock.now(),
  };
  return deps.database.db.transaction().execute(async (trx) => {
    riskRulesChanging(deps, groupOf(scope));
    const row = await updateRule(trx, id, set);
    if (!row) throw new AppError("not_found");
    return ruleView(row);
  });
}

export async function deleteRiskRule(deps: Deps, scope: RuleScope, id: string): Promise<void> {
  await ruleInScope(deps, scope, id);
  await deps.database.db.transaction().execute(async (trx) => {
    riskRulesChanging(deps, groupOf(scope));
    if (!(await deleteRule(trx, id))) throw new AppError("not_found");
  });
}

interface RiskSettingsView {
  merchantId: string;
  reviewAt: number;
  blockAt: number;
  pageAccess: PageAccess;
}

const settingsView = (merchantId: string, s: RiskSettingsRow | undefined): RiskSettingsView => ({
  merchantId,
  reviewAt: s?.review_at ?? DEFAULT_THRESHOLDS.reviewAt,
  blockAt: s?.block_at ?? DEFAULT_THRESHOLDS.blockAt,
  pageAccess: s?.page_access ?? DEFAULT_PAGE_ACCESS,
});

export async function readRiskSettings(deps: Deps, merchantId: string): Promise<RiskSettingsView> {
  return settingsView(merchantId, await findRiskSettings(deps.database.db, merchantId));
}

const PAGE_ACCESS: readonly PageAccess[] = ["off", "log", "deny"];

/** A threshold as given (the API's schema has checked it; the portal's form sends what was typed), named in its refusal. */
function threshold(v: unknown, field: "reviewAt" | "blockAt"): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= 101) return v;
  throw new AppError("validation_failed", { field, message: `${field} is a whole number from 1 to 101 (101: never).` });
}

function pageAccess(v: unknown): PageAccess | undefined {
  if (v === undefined) return undefined;
  if (PAGE_ACCESS.includes(v as PageAccess)) return v as PageAccess;
  throw new AppError("validation_failed", { field: "pageAccess", message: `pageAccess is one of ${PAGE_ACCESS.join(", ")}.` });
}

/** Changes the fields given; each is checked and a refusal names its field. */
export async function putRiskSettings(deps: Deps, merchantId: string, body: { reviewAt?: unknown; blockAt?: unknown; pageAccess?: unknown }): Promise<RiskSettingsView> {
  const given = { reviewAt: threshold(body.reviewAt, "reviewAt"), blockAt: threshold(body.blockAt, "blockAt"), pageAccess: pageAccess(body.pageAccess) };
  return deps.database.db.transaction().execute(async (trx) => {
    const current = settingsView(merchantId, await findRiskSettings(trx, merchantId));
    const next = { reviewAt: given.reviewAt ?? current.reviewAt, blockAt: given.blockAt ?? current.blockAt, pageAccess: given.pageAccess ?? current.pageAccess };
    if (!validThresholds(next)) {
      // Name the threshold the change gave: blockAt when it came alone (reviewAt is the stored one).
      const field = given.reviewAt === undefined && given.blockAt !== undefined ? "blockAt" : "reviewAt";
      throw new AppError("validation_failed", { field, message: "reviewAt and blockAt are 1 to 101 (101: never), with reviewAt ≤ blockAt." });
    }
    riskRulesChanging(deps, merchantId);
    const row = await upsertRiskSettings(trx, { merchant_id: merchantId, review_at: next.reviewAt, block_at: next.blockAt, page_access: next.pageAccess, updated_at: deps.clock.now() });
    return settingsView(merchantId, row);
  });
}
