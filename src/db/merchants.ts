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
 * Live merchants newest first (test twins are their merchant's test mode, not merchants of their own), after the merchant `afterId` when given. The cursor is a row's id and the
 * comparison is done on the row's own (created_at, id) in SQL, so timestamps never round-trip through
 * JavaScript's millisecond dates. Null when `afterId` names no live merchant: a cursor this list never
 * gave is the caller's error, not an empty page.
 */
export async function listMerchants(db: Db, page: { afterId?: string; limit: number }) {
  let q = db.selectFrom("merchants").select(["id", "name", "created_at"]).where("test_of", "is", null).orderBy("created_at", "desc").orderBy("id", "desc").limit(page.limit);
  if (page.afterId !== undefined) {
    const known = await db.selectFrom("merchants").select("id").where("id", "=", page.afterId).where("test_of", "is", null).executeTakeFirst();
    if (!known) return null;
    q = q.where(sql<boolean>`(created_at, id) < (select c.created_at, c.id from merchants c where c.id = ${page.afterId})`);
  }
  return q.execute();
}

/** The live merchant's test twin, made by the first caller (the unique index decides a race); its row. */
export async function ensureTestTwinRow(db: Db, row: { id: string; liveId: string; name: string; createdAt: Date }) {
  await db
    .insertInto("merchants")
    .values({ id: row.id, name: row.name, test_of: row.liveId, created_at: row.createdAt })
    .onConflict((oc) => oc.column("test_of").where("test_of", "is not", null).doNothing())
    .execute();
  return db.selectFrom("merchants").selectAll().where("test_of", "=", row.liveId).executeTakeFirstOrThrow();
}

/** The id of the live merchant's test twin, undefined before its first test key or test-mode visit. */
export async function findTestTwinId(db: Db, liveId: string): Promise<string | undefined> {
  return (await db.selectFrom("merchants").select("id").where("test_of", "=", liveId).executeTakeFirst())?.id;
}

/** The live merchant's stores its twin has no mirror of yet, oldest first. */
export async function unmirroredStores(db: Db, liveId: string, twinId: string) {
  return db
    .selectFrom("stores as s")
    .select(["s.id", "s.name"])
    .where("s.merchant_id", "=", liveId)
    .where((eb) => eb.not(eb.exists(eb.selectFrom("stores as t").select("t.id").where("t.test_of", "=", eb.ref("s.id")).where("t.merchant_id", "=", twinId))))
    .orderBy("s.created_at")
    .orderBy("s.id")
    .execute();
}

/** A twin's mirror of a live store; a concurrent mirror of the same store wins and this is a no-op. */
export async function insertMirrorStore(db: Db, row: { id: string; twinId: string; liveStoreId: string; name: string; createdAt: Date }): Promise<void> {
  await db
    .insertInto("stores")
    .values({ id: row.id, merchant_id: row.twinId, name: row.name, test_of: row.liveStoreId, created_at: row.createdAt })
    .onConflict((oc) => oc.column("test_of").where("test_of", "is not", null).doNothing())
    .execute();
}
