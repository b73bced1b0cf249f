// SQL for merchant users' own rows (the sign-in's is in account-users.ts and account-sessions.ts):
// invitations, their acceptance, the merchant's list.
import { sql } from "kysely";
import type { Db } from "../schema.js";

/** Inserts an invited user; false when the e-mail already has an account (any merchant). */
export async function insertMerchantUser(
  db: Db,
  row: { id: string; merchantId: string; email: string; role: string; inviteTokenHash: Buffer; inviteExpiresAt: Date; invitedBy: string },
): Promise<boolean> {
  const r = await db
    .insertInto("merchant_users")
    .values({
      id: row.id,
      merchant_id: row.merchantId,
      email: row.email,
      role: row.role,
      invite_token_hash: row.inviteTokenHash,
      invite_expires_at: row.inviteExpiresAt,
      invited_by: row.invitedBy,
    })
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
}

/**
 * A new invitation for a user of `merchantId` still invited (no password yet, not disabled): the new
 * token's hash replaces the old one, so the old link stops working. The user's id, or undefined.
 */
export async function reissueInvite(
  db: Db,
  row: { merchantId: string; email: string; role: string; inviteTokenHash: Buffer; inviteExpiresAt: Date; invitedBy: string },
): Promise<string | undefined> {
  const r = await db
    .updateTable("merchant_users")
    .set({ role: row.role, invite_token_hash: row.inviteTokenHash, invite_expires_at: row.inviteExpiresAt, invited_by: row.invitedBy })
    .where(sql<boolean>`lower(email) = ${row.email}`)
    .where("merchant_id", "=", row.merchantId)
    .where("password_hash", "is", null)
    .where("disabled_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  return r?.id;
}

/** The user, if it belongs to `merchantId` (another merchant's user is not found). */
export async function findMerchantUser(db: Db, merchantId: string, id: string, forUpdate = false) {
  const q = db
    .selectFrom("merchant_users")
    .select(["id", "merchant_id", "email", "role", "password_hash", "totp_enabled_at", "invite_expires_at", "created_at", "disabled_at"])
    .where("id", "=", id)
    .where("merchant_id", "=", merchantId);
  return (forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

export async function merchantOfUser(db: Db, id: string): Promise<string | undefined> {
  return (await db.selectFrom("merchant_users").select("merchant_id").where("id", "=", id).executeTakeFirst())?.merchant_id;
}

/** Sets the password and spends the invitation if it is still open at `now`; the user's id, or undefined. */
export async function acceptInvite(db: Db, tokenHash: Buffer, passwordHash: string, now: Date): Promise<{ id: string; email: string } | undefined> {
  return db
    .updateTable("merchant_users")
    .set({ password_hash: passwordHash, invite_token_hash: null, invite_expires_at: null })
    .where("invite_token_hash", "=", tokenHash)
    .where("invite_expires_at", ">", now)
    .where("disabled_at", "is", null)
    .returning(["id", "email"])
    .executeTakeFirst();
}

/** The open invitation behind a token (for the page that asks for the password). */
export async function findOpenInvite(db: Db, tokenHash: Buffer, now: Date) {
  return db
    .selectFrom("merchant_users as u")
    .innerJoin("merchants as m", "m.id", "u.merchant_id")
    .select(["u.email", "u.role", "m.name as merchant_name"])
    .where("u.invite_token_hash", "=", tokenHash)
    .where("u.invite_expires_at", ">", now)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
}

/** The merchant's users, oldest first (bounded: a merchant has a handful). */
export async function listMerchantUsers(db: Db, merchantId: string, limit: number) {
  return db
    .selectFrom("merchant_users")
    .select(["id", "email", "role", "password_hash", "totp_enabled_at", "invite_expires_at", "created_at", "disabled_at"])
    .where("merchant_id", "=", merchantId)
    .orderBy("created_at")
    .orderBy("id")
    .limit(limit)
    .execute();
}

export async function setMerchantUser(db: Db, id: string, set: Partial<{ role: string; disabled_at: Date | null }>): Promise<void> {
  await db.updateTable("merchant_users").set(set).where("id", "=", id).execute();
}

/**
 * Locks the merchant's active owners (enrolled, not disabled), in id order so that two changes of
 * the same merchant's people queue instead of deadlocking; their ids. A change waiting here re-reads
 * each row the other one changed, so it never counts an owner that was just demoted or disabled.
 */
export async function lockActiveOwners(db: Db, merchantId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("merchant_users")
    .select("id")
    .where("merchant_id", "=", merchantId)
    .where("role", "=", "owner")
    .where("disabled_at", "is", null)
    .where("totp_enabled_at", "is not", null)
    .orderBy("id")
    .forUpdate()
    .execute();
  return rows.map((r) => r.id);
}
