// SQL for the operator console's server-side sessions (the cookie holds the token, the row its hash).
import type { Db } from "../schema.js";

export async function insertOperatorSession(
  db: Db,
  row: { tokenHash: Buffer; userId: string; stage: "password" | "full"; ip: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto("operator_sessions")
    .values({ token_hash: row.tokenHash, user_id: row.userId, stage: row.stage, ip: row.ip, created_at: row.now, expires_at: row.expiresAt })
    .execute();
}

/** The live session and its user (not revoked, not expired, the user not disabled). */
export async function findLiveOperatorSession(db: Db, tokenHash: Buffer, now: Date) {
  return db
    .selectFrom("operator_sessions as s")
    .innerJoin("operator_users as u", "u.id", "s.user_id")
    .select(["s.user_id", "s.stage", "s.expires_at", "u.email", "u.role"])
    .where("s.token_hash", "=", tokenHash)
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", now)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
}

export async function revokeOperatorSession(db: Db, tokenHash: Buffer, at: Date): Promise<void> {
  await db.updateTable("operator_sessions").set({ revoked_at: at }).where("token_hash", "=", tokenHash).where("revoked_at", "is", null).execute();
}

/** Ends every session of a user (disabled, role changed, second factor reset); returns how many. */
export async function revokeUserSessions(db: Db, userId: string, at: Date): Promise<number> {
  const r = await db.updateTable("operator_sessions").set({ revoked_at: at }).where("user_id", "=", userId).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}
