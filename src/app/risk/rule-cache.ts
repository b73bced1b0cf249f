// The rules a create evaluates, served from memory: a merchant with no rules costs its creates no
// query. Platform rules are cached under '*', each merchant's rules and settings under its id; the
// risk_rules_changed notification (migration 0026_a) drops the group in every process, and at once
// in the process that makes the change, so an edit applies from the next payment on.
import { DEFAULT_THRESHOLDS, type RiskThresholds } from "../../core/risk/decision.js";
import type { PageAccess } from "../../core/risk/page-access.js";
import type { RiskRule, RiskRuleSpec } from "../../core/risk/rules.js";
import { findRiskSettings, listRules, type RiskRuleRow } from "../../db/risk/rules.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";

interface MerchantRiskSet {
  rules: RiskRule[];
  thresholds: RiskThresholds;
  pageAccess: PageAccess;
}

const RISK_RULES_CHANNEL = "risk_rules_changed";
export const PLATFORM_GROUP = "*";
/** The page access setting when a merchant has not chosen: warn in the log, as before issue 17. */
export const DEFAULT_PAGE_ACCESS: PageAccess = "log";

const platformCache = perDatabaseCache<RiskRule[]>({ channel: RISK_RULES_CHANNEL, maxEntries: 1, ttlMs: 60_000 });
const merchantCache = perDatabaseCache<MerchantRiskSet>({ channel: RISK_RULES_CHANNEL, maxEntries: 10_000, ttlMs: 60_000 });

function toRule(row: RiskRuleRow): RiskRule {
  return { id: row.id, merchantId: row.merchant_id, name: row.name, weight: row.weight, spec: row.spec as RiskRuleSpec };
}

/** The API processes start it when their routes register; workers read through to the database. */
export function startRiskRuleCache(deps: Deps): void {
  platformCache.start(deps.database);
  merchantCache.start(deps.database);
}

/**
 * Platform defaults then the merchant's own rules, with the merchant's thresholds. Inside a
 * transaction pass it as `db`: a miss then loads through it, never waiting on a second connection.
 */
export async function readRiskSet(deps: Deps, merchantId: string, db: Db = deps.database.db): Promise<MerchantRiskSet> {
  // One after the other: on a transaction's single connection they would queue anyway.
  const platform = await platformCache.read(deps.database, PLATFORM_GROUP, async () => (await listRules(db, null, { enabledOnly: true })).map(toRule));
  const own = await merchantCache.read(deps.database, merchantId, async () => {
      const rules = await listRules(db, merchantId, { enabledOnly: true });
      const settings = await findRiskSettings(db, merchantId);
      return {
        rules: rules.map(toRule),
        thresholds: settings ? { reviewAt: settings.review_at, blockAt: settings.block_at } : DEFAULT_THRESHOLDS,
        pageAccess: settings?.page_access ?? DEFAULT_PAGE_ACCESS,
      };
    });
  const set = own!;
  return platform!.length === 0 ? set : { ...set, rules: [...platform!, ...set.rules] };
}

/** Called inside the transaction that changes rules or settings ('*' for platform rules). */
export function riskRulesChanging(deps: Deps, group: string): void {
  (group === PLATFORM_GROUP ? platformCache : merchantCache).changingNow(deps.database, group);
}
