// SQL for the server-side sessions of signed-in accounts (the cookie holds the token, the row its hash).
import type { Db } from "../schema.js";
import { type AccountRealm, REALM_TABLES } from "./account-realm.js";

export async function insertSession(
  db: Db,
  realm: AccountRealm,
  row: { tokenHash: Buffer; userId: string; stage: "password" | "full"; ip: string; now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto(REALM_TABLES[realm].sessions)
    .values({ token_hash: row.tokenHash, user_id: row.userId, stage: row.stage, ip: row.ip, created_at: row.now, expires_at: row.expiresAt })
    .execute();
}

/** The live session and its user (not revoked, not expired, the user not disabled). */
export async function findLiveSession(db: Db, realm: AccountRealm, tokenHash: Buffer, now: Date) {
  const t = REALM_TABLES[realm];
  // Typed as the operator tables: Kysely cannot join a union of aliased tables, and every column read
  // here is one both realms have (db/tables/staff.ts AccountColumns).
  return db
    .selectFrom(`${t.sessions} as s` as "operator_sessions as s")
    .innerJoin(`${t.users} as u` as "operator_users as u", "u.id", "s.user_id")
    .select(["s.user_id", "s.stage", "s.expires_at", "u.email", "u.role"])
    .where("s.token_hash", "=", tokenHash)
    .where("s.revoked_at", "is", null)
    .where("s.expires_at", ">", now)
    .where("u.disabled_at", "is", null)
    .executeTakeFirst();
}

export async function revokeSession(db: Db, realm: AccountRealm, tokenHash: Buffer, at: Date): Promise<void> {
  await db.updateTable(REALM_TABLES[realm].sessions).set({ revoked_at: at }).where("token_hash", "=", tokenHash).where("revoked_at", "is", null).execute();
}

/** Ends every session of a user (disabled, role changed, second factor reset); returns how many. */
export async function revokeUserSessions(db: Db, realm: AccountRealm, userId: string, at: Date): Promise<number> {
  const r = await db
    .updateTable(REALM_TABLES[realm].sessions)
    .set({ revoked_at: at })
    .where("user_id", "=", userId)
    .where("revoked_at", "is", null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}
