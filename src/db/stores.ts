// SQL for stores: a merchant's shops. Payment intents, KYC users and card customers belong to a store.
import { sql } from "kysely";
import type { Db } from "./schema.js";

export async function findStore(db: Db, storeId: string) {
  return db.selectFrom("stores").selectAll().where("id", "=", storeId).executeTakeFirst();
}

/** Inserts a store unless its id is taken; true when this call inserted it (seeds rely on the no-op). */
export async function insertStore(db: Db, row: { id: string; merchantId: string; name: string; createdAt?: Date }): Promise<boolean> {
  const r = await db
    .insertInto("stores")
    .values({ id: row.id, merchant_id: row.merchantId, name: row.name, ...(row.createdAt ? { created_at: row.createdAt } : {}) })
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/**
 * A merchant's stores newest first (cursor: a store id, as in listMerchants), and whether each has
 * intent settings. Null when `afterId` names none of the merchant's stores.
 */
export async function listMerchantStores(db: Db, merchantId: string, page: { afterId?: string; limit: number }) {
  let q = db
    .selectFrom("stores as s")
    .leftJoin("intent_store_settings as i", "i.store_id", "s.id")
    .select(["s.id", "s.name", "s.created_at", sql<boolean>`i.store_id is not null`.as("has_intent_settings")])
    .where("s.merchant_id", "=", merchantId)
    .orderBy("s.created_at", "desc")
    .orderBy("s.id", "desc")
    .limit(page.limit);
  if (page.afterId !== undefined) {
    const known = await db.selectFrom("stores").select("id").where("id", "=", page.afterId).where("merchant_id", "=", merchantId).executeTakeFirst();
    if (!known) return null;
    q = q.where(sql<boolean>`(s.created_at, s.id) < (select c.created_at, c.id from stores c where c.id = ${page.afterId} and c.merchant_id = ${merchantId})`);
  }
  return q.execute();
}
