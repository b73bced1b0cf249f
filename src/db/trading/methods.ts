// SQL for the payment-method catalogue and the operator's bank writes.
import type { Db } from "../schema.js";

export async function listMethods(db: Db) {
  return db.selectFrom("trading_methods").select(["code", "name", "requisite_fields", "enabled"]).orderBy("created_at").orderBy("code").execute();
}

export async function findMethod(db: Db, code: string) {
  return db.selectFrom("trading_methods").select(["code", "name", "requisite_fields", "enabled"]).where("code", "=", code).executeTakeFirst();
}

/** The codes among `codes` that the catalogue does not hold. */
export async function unknownMethods(db: Db, codes: readonly string[]): Promise<string[]> {
  if (codes.length === 0) return [];
  const known = new Set((await db.selectFrom("trading_methods").select("code").where("code", "in", [...codes]).execute()).map((r) => r.code));
  return codes.filter((c) => !known.has(c));
}

export async function upsertMethod(db: Db, row: { code: string; name: string; requisiteFields: string; enabled: boolean }): Promise<void> {
  await db
    .insertInto("trading_methods")
    .values({ code: row.code, name: row.name, requisite_fields: row.requisiteFields, enabled: row.enabled })
    .onConflict((oc) => oc.column("code").doUpdateSet({ name: row.name, requisite_fields: row.requisiteFields, enabled: row.enabled }))
    .execute();
}

/** A bank of the catalogue, enabled or not. */
export async function findAnyBank(db: Db, code: string) {
  return db.selectFrom("trading_banks").select(["code", "name", "fiat_currency"]).where("code", "=", code).executeTakeFirst();
}

/** Inserts a bank or replaces its name, methods and switch; its currency (copied to its requisites) stays. */
export async function saveBank(db: Db, row: { code: string; name: string; methods: string[]; fiatCurrency: string; enabled: boolean }): Promise<void> {
  const values = { name: row.name, methods: row.methods, enabled: row.enabled };
  await db
    .insertInto("trading_banks")
    .values({ code: row.code, fiat_currency: row.fiatCurrency, ...values })
    .onConflict((oc) => oc.column("code").doUpdateSet(values))
    .execute();
}
