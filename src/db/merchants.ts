// SQL for merchants: the tenants. A merchant owns stores and API keys (src/db/credentials.ts).
import { sql } from "kysely";
import type { Db } from "./schema.js";

/** Inserts a merchant unless its id is taken; true when this call inserted it (the seed relies on the no-op). */
export async function insertMerchant(db: Db, row: { id: string; name: string; createdAt?: Date }): Promise<boolean> {
  const r = await db
    .insertInto("merchants")
    .values({ id: row.id, name: row.name, ...(row.createdAt ? { created_at: row.createdAt } : {}) })
    .onConflict((oc) => oc.column("id").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/**
 * Merchants newest first, after the merchant `afterId` when given. The cursor is a row's id and the
 * comparison is done on the row's own (created_at, id) in SQL, so timestamps never round-trip through
 * JavaScript's millisecond dates; an unknown cursor gives an empty page.
 */
export async function listMerchants(db: Db, page: { afterId?: string; limit: number }) {
  let q = db.selectFrom("merchants").select(["id", "name", "created_at"]).orderBy("created_at", "desc").orderBy("id", "desc").limit(page.limit);
  if (page.afterId !== undefined) {
    q = q.where(sql<boolean>`(created_at, id) < (select c.created_at, c.id from merchants c where c.id = ${page.afterId})`);
  }
  return q.execute();
}
