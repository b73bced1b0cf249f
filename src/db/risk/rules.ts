// SQL for risk rules and per-merchant risk settings.
import type { Selectable } from "kysely";
import type { Db } from "../schema.js";
import type { RiskTables } from "../tables/risk.js";

export type RiskRuleRow = Selectable<RiskTables["risk_rules"]>;
export type RiskSettingsRow = Selectable<RiskTables["risk_settings"]>;

/** Platform rules (merchantId null) or one merchant's own, oldest first. */
export function listRules(db: Db, merchantId: string | null, opts: { enabledOnly?: boolean; limit?: number } = {}): Promise<RiskRuleRow[]> {
  let q = db.selectFrom("risk_rules").selectAll();
  q = merchantId === null ? q.where("merchant_id", "is", null) : q.where("merchant_id", "=", merchantId);
  if (opts.enabledOnly) q = q.where("enabled", "=", true);
  return q.orderBy("created_at").orderBy("id").limit(opts.limit ?? 1000).execute();
}

export function countRules(db: Db, merchantId: string | null): Promise<number> {
  let q = db.selectFrom("risk_rules").select((eb) => eb.fn.countAll<string>().as("n"));
  q = merchantId === null ? q.where("merchant_id", "is", null) : q.where("merchant_id", "=", merchantId);
  return q.executeTakeFirstOrThrow().then((r) => Number(r.n));
}

export function findRule(db: Db, id: string): Promise<RiskRuleRow | undefined> {
  return db.selectFrom("risk_rules").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function insertRule(db: Db, row: { id: string; merchant_id: string | null; name: string; weight: number; spec: unknown; enabled: boolean; at: Date }): Promise<RiskRuleRow> {
  return db
    .insertInto("risk_rules")
    .values({ id: row.id, merchant_id: row.merchant_id, name: row.name, weight: row.weight, spec: JSON.stringify(row.spec), enabled: row.enabled, created_at: row.at, updated_at: row.at })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function updateRule(db: Db, id: string, set: { name?: string; weight?: number; spec?: unknown; enabled?: boolean; at: Date }): Promise<RiskRuleRow | undefined> {
  return db
    .updateTable("risk_rules")
    .set({
      ...(set.name !== undefined ? { name: set.name } : {}),
      ...(set.weight !== undefined ? { weight: set.weight } : {}),
      ...(set.spec !== undefined ? { spec: JSON.stringify(set.spec) } : {}),
      ...(set.enabled !== undefined ? { enabled: set.enabled } : {}),
      updated_at: set.at,
    })
    .where("id", "=", id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteRule(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom("risk_rules").where("id", "=", id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export function findRiskSettings(db: Db, merchantId: string): Promise<RiskSettingsRow | undefined> {
  return db.selectFrom("risk_settings").selectAll().where("merchant_id", "=", merchantId).executeTakeFirst();
}

export async function upsertRiskSettings(db: Db, row: RiskSettingsRow): Promise<RiskSettingsRow> {
  const { merchant_id: _m, ...rest } = row;
  return db.insertInto("risk_settings").values(row).onConflict((oc) => oc.column("merchant_id").doUpdateSet(rest)).returningAll().executeTakeFirstOrThrow();
}
