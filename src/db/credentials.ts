// SQL for merchant API keys and operator keys.
import type { Db } from "./schema.js";
import { sql } from "kysely";

export async function insertApiKey(
  db: Db,
  row: { id: string; merchantId: string; keyHash: Buffer; keyEnc: string; label?: string; readOnly?: boolean },
): Promise<void> {
  await db
    .insertInto("api_keys")
    .values({ id: row.id, merchant_id: row.merchantId, key_hash: row.keyHash, key_enc: row.keyEnc, label: row.label ?? "", read_only: row.readOnly ?? false })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

/** An active key and whether it is a test key (its merchant is a test twin). */
export async function findActiveApiKey(db: Db, id: string) {
  return db
    .selectFrom("api_keys as k")
    .innerJoin("merchants as m", "m.id", "k.merchant_id")
    .select(["k.id", "k.merchant_id", "k.key_hash", "k.key_enc", "k.read_only", "k.label", sql<boolean>`m.test_of is not null`.as("test")])
    .where("k.id", "=", id)
    .where("k.revoked_at", "is", null)
    .executeTakeFirst();
}

export async function insertOperatorKey(db: Db, row: { id: string; keyHash: Buffer; label?: string; role?: string }): Promise<void> {
  await db
    .insertInto("operator_keys")
    .values({ id: row.id, key_hash: row.keyHash, label: row.label ?? "", ...(row.role ? { role: row.role } : {}) })
    .onConflict((oc) => oc.column("id").doNothing())
    .execute();
}

export async function findActiveOperatorKey(db: Db, id: string) {
  return db
    .selectFrom("operator_keys")
    .select(["id", "key_hash", "role", "label"])
    .where("id", "=", id)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
}

export async function findMerchant(db: Db, id: string) {
  return db.selectFrom("merchants").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The live merchant and its test twin: the owners of the keys it manages. */
const keyOwners = (db: Db, merchantId: string) => db.selectFrom("merchants").select("id").where((eb) => eb.or([eb("id", "=", merchantId), eb("test_of", "=", merchantId)]));

/** A merchant's keys and its test twin's, newest first, active and revoked (never the hash or the encrypted copy). */
export async function listApiKeys(db: Db, merchantId: string, limit: number) {
  return db
    .selectFrom("api_keys as k")
    .innerJoin("merchants as m", "m.id", "k.merchant_id")
    .select(["k.id", "k.label", "k.read_only", "k.created_at", "k.revoked_at", sql<boolean>`m.test_of is not null`.as("test")])
    .where("k.merchant_id", "in", keyOwners(db, merchantId))
    .orderBy("k.created_at", "desc")
    .orderBy("k.id", "desc")
    .limit(limit)
    .execute();
}

/** Marks a key of the merchant (or of its test twin) revoked (a second call keeps the first time); undefined when it has no such key. */
export async function revokeApiKey(db: Db, merchantId: string, id: string, at: Date) {
  return db
    .updateTable("api_keys")
    .set((eb) => ({ revoked_at: eb.fn.coalesce("revoked_at", eb.val(at)) }))
    .where("id", "=", id)
    .where("merchant_id", "in", keyOwners(db, merchantId))
    .returning(["id", "revoked_at"])
    .executeTakeFirst();
}
