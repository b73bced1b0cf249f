// SQL for card customers (per merchant, by phone), their sessions and sign-in failure counters.
import { sql, type Selectable } from "kysely";
import type { Db } from "../schema.js";
import type { CardCustomersTable } from "../tables/card.js";

export type CustomerRow = Selectable<CardCustomersTable>;

export async function merchantExists(db: Db, merchantId: string): Promise<boolean> {
  return (await db.selectFrom("merchants").select("id").where("id", "=", merchantId).executeTakeFirst()) !== undefined;
}

/** Inserts a customer; false when the phone is already registered with this merchant. */
export async function insertCustomer(
  db: Db,
  row: { id: string; merchantId: string; phone: string; passwordHash: string; smsCodeHash: string; smsExpiresAt: Date; now: Date },
): Promise<boolean> {
  const r = await db
    .insertInto("card_customers")
    .values({
      id: row.id,
      merchant_id: row.merchantId,
      phone: row.phone,
      password_hash: row.passwordHash,
      sms_code_hash: row.smsCodeHash,
      sms_code_expires_at: row.smsExpiresAt,
      sms_sent_at: row.now,
      created_at: row.now,
      updated_at: row.now,
    })
    .onConflict((oc) => oc.columns(["merchant_id", "phone"]).doNothing())
    .executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
}

export async function findCustomerByPhone(db: Db, merchantId: string, phone: string, forUpdate = false): Promise<CustomerRow | undefined> {
  let q = db.selectFrom("card_customers").selectAll().where("merchant_id", "=", merchantId).where("phone", "=", phone);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function findCustomer(db: Db, id: string, forUpdate = false): Promise<CustomerRow | undefined> {
  let q = db.selectFrom("card_customers").selectAll().where("id", "=", id);
  if (forUpdate) q = q.forUpdate();
  return q.executeTakeFirst();
}

export async function updateCustomer(
  db: Db,
  id: string,
  set: Partial<Omit<CustomerRow, "id" | "merchant_id" | "created_at" | "number">> & { updated_at: Date },
): Promise<void> {
  await db.updateTable("card_customers").set(set).where("id", "=", id).execute();
}

// --- sessions

export async function insertSession(db: Db, row: { id: string; customerId: string; refreshHash: Buffer; now: Date; expiresAt: Date }): Promise<void> {
  await db
    .insertInto("card_sessions")
    .values({ id: row.id, customer_id: row.customerId, refresh_hash: row.refreshHash, created_at: row.now, refreshed_at: row.now, expires_at: row.expiresAt })
    .execute();
}

/** Swaps a live refresh token for a new one in one statement (a replayed old token finds nothing). */
export async function rotateRefreshToken(
  db: Db,
  a: { oldHash: Buffer; newHash: Buffer; now: Date; expiresAt: Date },
): Promise<{ id: string; customer_id: string } | undefined> {
  return db
    .updateTable("card_sessions")
    .set({ refresh_hash: a.newHash, refreshed_at: a.now, expires_at: a.expiresAt })
    .where("refresh_hash", "=", a.oldHash)
    .where("revoked_at", "is", null)
    .where("expires_at", ">", a.now)
    .returning(["id", "customer_id"])
    .executeTakeFirst();
}

export async function revokeSession(db: Db, sessionId: string, now: Date): Promise<void> {
  await db.updateTable("card_sessions").set({ revoked_at: now }).where("id", "=", sessionId).where("revoked_at", "is", null).execute();
}

/** Ends every live session of the customer but `keepSessionId` (null: all of them). */
export async function revokeCustomerSessions(db: Db, customerId: string, keepSessionId: string | null, now: Date): Promise<void> {
  let q = db.updateTable("card_sessions").set({ revoked_at: now }).where("customer_id", "=", customerId).where("revoked_at", "is", null);
  if (keepSessionId) q = q.where("id", "!=", keepSessionId);
  await q.execute();
}

/** The customer of the merchant whose confirmed e-mail this is. */
export async function findCustomerByConfirmedEmail(db: Db, merchantId: string, email: string): Promise<CustomerRow | undefined> {
  return db.selectFrom("card_customers").selectAll().where("merchant_id", "=", merchantId).where("email", "=", email).where("email_confirmed_at", "is not", null).executeTakeFirst();
}

/** The customer behind a live session (the per-request check of an access token). */
export async function findSessionCustomer(db: Db, sessionId: string, customerId: string) {
  return db
    .selectFrom("card_sessions as s")
    .innerJoin("card_customers as c", "c.id", "s.customer_id")
    .select(["c.id", "c.merchant_id", "c.kyc_level"])
    .where("s.id", "=", sessionId)
    .where("s.customer_id", "=", customerId)
    .where("s.revoked_at", "is", null)
    .executeTakeFirst();
}

// --- sign-in failure counters

/** Serialises the attempts on one account's failure key until the transaction ends (an advisory lock). */
export async function lockAttempts(trx: Db, accountKey: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtext('login_attempts'), hashtext(${accountKey}))`.execute(trx);
}

export async function lockedUntil(db: Db, keys: string[], now: Date): Promise<Date | null> {
  const rows = await db.selectFrom("card_login_failures").select("locked_until").where("key", "in", keys).where("locked_until", ">", now).execute();
  const times = rows.map((r) => r.locked_until!.getTime());
  return times.length ? new Date(Math.max(...times)) : null;
}

/** Counts a failure in the key's window (a stale window restarts at 1); locks the key at the threshold. */
export async function recordLoginFailure(
  db: Db,
  a: { key: string; now: Date; windowMs: number; threshold: number; lockMs: number },
): Promise<void> {
  const windowFloor = new Date(a.now.getTime() - a.windowMs);
  const lockUntil = new Date(a.now.getTime() + a.lockMs);
  const fresh = sql<boolean>`card_login_failures.window_start < ${windowFloor}`;
  const next = sql<number>`CASE WHEN ${fresh} THEN 1 ELSE card_login_failures.failures + 1 END`;
  await db
    .insertInto("card_login_failures")
    .values({ key: a.key, failures: 1, window_start: a.now, locked_until: a.threshold <= 1 ? lockUntil : null })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet({
        failures: next,
        window_start: sql<Date>`CASE WHEN ${fresh} THEN ${a.now} ELSE card_login_failures.window_start END`,
        locked_until: sql<Date | null>`CASE WHEN ${next} >= ${a.threshold} THEN ${lockUntil} ELSE card_login_failures.locked_until END`,
      }),
    )
    .execute();
}

export async function clearLoginFailures(db: Db, key: string): Promise<void> {
  await db.deleteFrom("card_login_failures").where("key", "=", key).execute();
}

/** The customer whose KYC_1 runs on this case, locked (applyKycToCustomer raises its level). */
export async function lockCustomerByKycCase(db: Db, caseId: string): Promise<CustomerRow | undefined> {
  return db.selectFrom("card_customers").selectAll().where("kyc1_case_id", "=", caseId).forUpdate().executeTakeFirst();
}

/** The merchant's first store: KYC users are kept per store, and card customers belong to a merchant. */
export async function firstStoreOf(db: Db, merchantId: string): Promise<string | undefined> {
  const row = await db.selectFrom("stores").select("id").where("merchant_id", "=", merchantId).orderBy("created_at").orderBy("id").limit(1).executeTakeFirst();
  return row?.id;
}
