// SQL for stores: a merchant's shops. Payment intents, KYC users and card customers belong to a store.
import type { Db } from "./credentials.js";

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
