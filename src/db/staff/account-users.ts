// SQL for signed-in accounts (staff, merchant users; account-realm.ts) and their recovery codes.
import { sql } from "kysely";
import type { Db } from "../schema.js";
import { type AccountRealm, REALM_TABLES } from "./account-realm.js";

export async function insertOperatorUser(db: Db, row: { id: string; email: string; passwordHash: string; role: string }): Promise<boolean> {
  const r = await db
    .insertInto("operator_users")
    .values({ id: row.id, email: row.email, password_hash: row.passwordHash, role: row.role })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** The account with this e-mail; `password_hash` is null for a merchant user whose invitation is not accepted yet. */
export async function findAccountByEmail(db: Db, realm: AccountRealm, email: string) {
  return db
    .selectFrom(REALM_TABLES[realm].users)
    .select(["id", "email", "password_hash", "totp_enabled_at", "disabled_at"])
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
}

export async function findAccount(db: Db, realm: AccountRealm, id: string, forUpdate = false) {
  const q = db
    .selectFrom(REALM_TABLES[realm].users)
    .select(["id", "email", "role", "totp_secret_enc", "totp_enabled_at", "totp_last_step", "disabled_at"])
    .where("id", "=", id);
  return (forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function updateAccount(
  db: Db,
  realm: AccountRealm,
  id: string,
  set: Partial<{ role: string; totp_secret_enc: string | null; totp_enabled_at: Date | null; totp_last_step: string | null; disabled_at: Date | null; password_hash: string }>,
): Promise<void> {
  await db.updateTable(REALM_TABLES[realm].users).set(set).where("id", "=", id).execute();
}

export async function replaceRecoveryCodes(db: Db, realm: AccountRealm, userId: string, hashes: Buffer[]): Promise<void> {
  const table = REALM_TABLES[realm].codes;
  await db.deleteFrom(table).where("user_id", "=", userId).execute();
  if (hashes.length) await db.insertInto(table).values(hashes.map((h) => ({ user_id: userId, code_hash: h }))).execute();
}

/** Marks an unused recovery code used; false when there is no such unused code. */
export async function useRecoveryCode(db: Db, realm: AccountRealm, userId: string, hash: Buffer, at: Date): Promise<boolean> {
  const r = await db
    .updateTable(REALM_TABLES[realm].codes)
    .set({ used_at: at })
    .where("user_id", "=", userId)
    .where("code_hash", "=", hash)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
