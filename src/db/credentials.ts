// SQL for merchant API keys and operator keys.
import type { Db } from "./schema.js";

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

export async function findActiveApiKey(db: Db, id: string) {
  return db
    .selectFrom("api_keys")
    .select(["id", "merchant_id", "key_hash", "key_enc", "read_only", "label"])
    .where("id", "=", id)
    .where("revoked_at", "is", null)
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

/** A merchant's keys newest first, active and revoked (never the hash or the encrypted copy). */
export async function listApiKeys(db: Db, merchantId: string, limit: number) {
  return db
    .selectFrom("api_keys")
    .select(["id", "label", "read_only", "created_at", "revoked_at"])
    .where("merchant_id", "=", merchantId)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

/** Marks a merchant's key revoked (a second call keeps the first time); undefined when the merchant has no such key. */
export async function revokeApiKey(db: Db, merchantId: string, id: string, at: Date) {
  return db
    .updateTable("api_keys")
    .set((eb) => ({ revoked_at: eb.fn.coalesce("revoked_at", eb.val(at)) }))
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId)
    .returning(["id", "revoked_at"])
    .executeTakeFirst();
}
