// SQL for staff accounts of the operator console and their recovery codes.
import { sql } from "kysely";
import type { Db } from "../schema.js";

export async function insertOperatorUser(db: Db, row: { id: string; email: string; passwordHash: string; role: string }): Promise<boolean> {
  const r = await db
    .insertInto("operator_users")
    .values({ id: row.id, email: row.email, password_hash: row.passwordHash, role: row.role })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

export async function findOperatorUserByEmail(db: Db, email: string) {
  return db.selectFrom("operator_users").selectAll().where(sql`lower(email)`, "=", email.toLowerCase()).executeTakeFirst();
}

export async function findOperatorUser(db: Db, id: string, forUpdate = false) {
  const q = db.selectFrom("operator_users").selectAll().where("id", "=", id);
  return (forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function updateOperatorUser(
  db: Db,
  id: string,
  set: Partial<{ role: string; totp_secret_enc: string | null; totp_enabled_at: Date | null; totp_last_step: string | null; disabled_at: Date | null; password_hash: string }>,
): Promise<void> {
  await db.updateTable("operator_users").set(set).where("id", "=", id).execute();
}

export async function replaceRecoveryCodes(db: Db, userId: string, hashes: Buffer[]): Promise<void> {
  await db.deleteFrom("operator_recovery_codes").where("user_id", "=", userId).execute();
  if (hashes.length) await db.insertInto("operator_recovery_codes").values(hashes.map((h) => ({ user_id: userId, code_hash: h }))).execute();
}

/** Marks an unused recovery code used; false when there is no such unused code. */
export async function useRecoveryCode(db: Db, userId: string, hash: Buffer, at: Date): Promise<boolean> {
  const r = await db
    .updateTable("operator_recovery_codes")
    .set({ used_at: at })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
