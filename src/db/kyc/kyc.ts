// SQL for KYC users, cases, their audit trail and hosted-page links.
import { type Insertable, type Selectable, sql, type Updateable } from "kysely";
import type { KycCaseStatus, KycLevel } from "../../core/kyc/kyc-case.js";
import type { Db } from "../schema.js";
import type { KycCasesTable } from "../tables/intents.js";
import { noteAuditChange } from "../audit/audit-scope.js";
import { namedColumns, runHot } from "../hot-statements.js";

export type KycCaseRow = Selectable<KycCasesTable>;

/**
 * The users of a store by e-mail (normalised by the caller), created on first sight: ids in the order
 * of `rows`, which name distinct (store, e-mail) pairs. One round trip in the usual cases (new users,
 * or ones committed earlier). When a concurrent transaction inserted one of them, ON CONFLICT waited
 * for it, but this statement's snapshot predates it: those ids are read by a second statement. The
 * rows go in (store, e-mail) order, so two batches waiting on each other's new users cannot deadlock.
 */
export async function upsertKycUsers(db: Db, rows: readonly { id: string; storeId: string; email: string }[]): Promise<string[]> {
  const { rows: found } = await sql<FoundPayer>`
    WITH ${payersCte(rows)}
    SELECT payer_store_id, payer_email, payer_id FROM payer`.execute(db);
  return payerIds(db, rows, found);
}

/**
 * upsertKycUsers and latestApprovedCases in ONE statement, for a batch of intent creates
 * (app/intents/write-intents.ts): the users' ids in the order of `rows`, and each user's latest
 * approved case at `level`. A user the statement could not see (inserted by a concurrent transaction,
 * see upsertKycUsers) is read by the second statement, and its cases by a third.
 */
export async function upsertKycUsersWithApprovedCases(
  db: Db,
  rows: readonly { id: string; storeId: string; email: string }[],
  level: KycLevel,
): Promise<{ ids: string[]; approved: Map<string, KycCaseRow> }> {
  // Prepared once per connection (runHot): every intent create batch runs it, and its text is the same
  // whatever the batch's size.
  const { rows: found } = await runHot(
    db,
    sql<FoundPayer & { [K in keyof KycCaseRow]: KycCaseRow[K] | null }>`
    WITH ${payersCte(rows)}
    SELECT p.payer_store_id, p.payer_email, p.payer_id, ${CASE_COLUMNS_OF_C}
    FROM payer p LEFT JOIN LATERAL (
      SELECT * FROM kyc_cases c WHERE c.user_id = p.payer_id AND c.level = ${level} AND c.status = 'approved'
      ORDER BY c.decided_at DESC LIMIT 1) c ON true`,
  );
  const ids = await payerIds(db, rows, found);
  const approved = new Map<string, KycCaseRow>();
  for (const { payer_store_id: _s, payer_email: _e, payer_id: _i, ...c } of found) if (c.id !== null) approved.set(c.user_id!, c as KycCaseRow);
  const seen = new Set(found.map((f) => f.payer_id));
  const unseen = ids.filter((id) => !seen.has(id));
  for (const [userId, c] of await latestApprovedCases(db, unseen, level)) approved.set(userId, c);
  return { ids, approved };
}

type FoundPayer = { payer_store_id: string; payer_email: string; payer_id: string | null };

/** Every column of kyc_cases, of the case `c`, returned by name by the prepared statement above (namedColumns). */
const KYC_CASE_COLUMN_SET: Record<keyof KycCasesTable, true> = {
  id: true, user_id: true, level: true, status: true, first_name: true, last_name: true, birth_date: true, document_type: true,
  document_number: true, country: true, nationality: true, phone_country_code: true, phone_number: true, files: true, reason: true,
  vendor_check_at: true, decided_at: true, expires_at: true, created_at: true, updated_at: true,
};
const CASE_COLUMNS_OF_C = namedColumns(KYC_CASE_COLUMN_SET, "c");

/** The CTEs `r` and `ins` and `payer` (payer_store_id, payer_email, payer_id: null when not visible) of upsertKycUsers. */
function payersCte(rows: readonly { id: string; storeId: string; email: string }[]) {
  const input = JSON.stringify(rows.map((r) => ({ id: r.id, store_id: r.storeId, email: r.email })));
  return sql`r AS (SELECT * FROM jsonb_to_recordset(${input}::jsonb) AS r(id text, store_id text, email text)),
         ins AS (INSERT INTO kyc_users (id, store_id, email) SELECT id, store_id, email FROM r ORDER BY store_id, email
                 ON CONFLICT (store_id, email) DO NOTHING RETURNING id, store_id, email),
         payer AS (SELECT r.store_id AS payer_store_id, r.email AS payer_email, coalesce(ins.id, u.id) AS payer_id
                   FROM r LEFT JOIN ins ON ins.store_id = r.store_id AND ins.email = r.email
                          LEFT JOIN kyc_users u ON u.store_id = r.store_id AND u.email = r.email)`;
}

/** The ids of `rows` from what payersCte found, those it could not see read by a second statement. */
async function payerIds(db: Db, rows: readonly { storeId: string; email: string }[], found: readonly FoundPayer[]): Promise<string[]> {
  const key = (storeId: string, email: string) => `${storeId}\n${email}`;
  const ids = new Map(found.filter((f) => f.payer_id !== null).map((f) => [key(f.payer_store_id, f.payer_email), f.payer_id!]));
  const missing = rows.filter((r) => !ids.has(key(r.storeId, r.email)));
  if (missing.length > 0) {
    const late = await db
      .selectFrom("kyc_users")
      .select(["id", "store_id", "email"])
      .where((eb) => eb.or(missing.map((m) => eb.and([eb("store_id", "=", m.storeId), eb("email", "=", m.email)]))))
      .execute();
    for (const u of late) ids.set(key(u.store_id, u.email), u.id);
  }
  return rows.map((r) => {
    const id = ids.get(key(r.storeId, r.email));
    if (id === undefined) throw new Error(`kyc user ${r.email} of store ${r.storeId} neither inserted nor found`);
    return id;
  });
}

/** Each user's latest approved case at this level, in one read (users without one are absent). */
export async function latestApprovedCases(db: Db, userIds: readonly string[], level: KycLevel): Promise<Map<string, KycCaseRow>> {
  if (userIds.length === 0) return new Map();
  const rows = await db
    .selectFrom("kyc_cases")
    .selectAll()
    .distinctOn("user_id")
    .where("user_id", "in", [...new Set(userIds)])
    .where("level", "=", level)
    .where("status", "=", "approved")
    .orderBy("user_id")
    .orderBy("decided_at", "desc")
    .execute();
  return new Map(rows.map((r) => [r.user_id, r]));
}

export async function findOpenCase(db: Db, userId: string, level: KycLevel): Promise<KycCaseRow | undefined> {
  return db
    .selectFrom("kyc_cases")
    .selectAll()
    .where("user_id", "=", userId)
    .where("level", "=", level)
    .where("status", "in", ["open", "submitted", "pending_vendor", "review"])
    .executeTakeFirst();
}

export async function insertKycCase(db: Db, row: Insertable<KycCasesTable>): Promise<void> {
  await db.insertInto("kyc_cases").values(row).execute();
}

export async function findKycCase(db: Db, id: string): Promise<KycCaseRow | undefined> {
  return db.selectFrom("kyc_cases").selectAll().where("id", "=", id).executeTakeFirst();
}

export async function lockKycCase(db: Db, id: string): Promise<KycCaseRow | undefined> {
  return db.selectFrom("kyc_cases").selectAll().where("id", "=", id).forUpdate().executeTakeFirst();
}

export async function updateKycCase(db: Db, id: string, set: Updateable<KycCasesTable>): Promise<void> {
  await db.updateTable("kyc_cases").set(set).where("id", "=", id).execute();
}

/**
 * The user's phone onto a case while it is open, or onto one that has none: a case already submitted
 * or decided keeps the phone it was reviewed with.
 */
export async function recordCasePhone(db: Db, id: string, phone: { countryCode: string | null; number: string | null }): Promise<void> {
  await db
    .updateTable("kyc_cases")
    .set({ phone_country_code: phone.countryCode, phone_number: phone.number })
    .where("id", "=", id)
    .where((eb) => eb.or([eb("status", "=", "open"), eb.and([eb("phone_number", "is", null), eb("phone_country_code", "is", null)])]))
    .execute();
}

export async function insertKycEvent(
  db: Db,
  e: { caseId: string; from: KycCaseStatus | null; to: KycCaseStatus; actor: string; actorId: string | null; reason: string | null; at: Date },
): Promise<void> {
  noteAuditChange(db, { subject: `kyc_case:${e.caseId}`, before: e.from, after: e.to });
  await db
    .insertInto("kyc_case_events")
    .values({ case_id: e.caseId, from_status: e.from, to_status: e.to, actor: e.actor, actor_id: e.actorId, reason: e.reason, at: e.at })
    .execute();
}

export async function listKycEvents(db: Db, caseId: string) {
  return db.selectFrom("kyc_case_events").selectAll().where("case_id", "=", caseId).orderBy("id").execute();
}

export async function listReviewCases(db: Db, limit: number, after?: string) {
  let q = db
    .selectFrom("kyc_cases")
    .innerJoin("kyc_users", "kyc_users.id", "kyc_cases.user_id")
    .selectAll("kyc_cases")
    .select(["kyc_users.email", "kyc_users.store_id"])
    .where("kyc_cases.status", "=", "review")
    .orderBy("kyc_cases.id")
    .limit(limit);
  if (after) q = q.where("kyc_cases.id", ">", after);
  return q.execute();
}

export async function insertKycLink(db: Db, row: { tokenHash: string; caseId: string; redirectUrl: string | null; expiresAt: Date }): Promise<void> {
  await db
    .insertInto("kyc_links")
    .values({ token_hash: row.tokenHash, case_id: row.caseId, redirect_url: row.redirectUrl, expires_at: row.expiresAt })
    .execute();
}

/** Inserts the link unless one with this token already exists (a link derived from its owner's id). */
export async function ensureKycLink(db: Db, row: { tokenHash: string; caseId: string; redirectUrl: string | null; expiresAt: Date }): Promise<void> {
  await db
    .insertInto("kyc_links")
    .values({ token_hash: row.tokenHash, case_id: row.caseId, redirect_url: row.redirectUrl, expires_at: row.expiresAt })
    .onConflict((oc) => oc.column("token_hash").doNothing())
    .execute();
}

export async function findKycLink(db: Db, tokenHash: string) {
  return db.selectFrom("kyc_links").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
}

export async function lockKycLink(db: Db, tokenHash: string) {
  return db.selectFrom("kyc_links").selectAll().where("token_hash", "=", tokenHash).forUpdate().executeTakeFirst();
}

export async function markKycLinkUsed(db: Db, tokenHash: string, at: Date): Promise<void> {
  await db.updateTable("kyc_links").set({ used_at: at }).where("token_hash", "=", tokenHash).execute();
}

/** The KYC validity (days) of the user's store, when the store has set one. */
export async function kycValidityDaysForUser(db: Db, userId: string): Promise<number | null> {
  const r = await db
    .selectFrom("kyc_users")
    .leftJoin("intent_store_settings", "intent_store_settings.store_id", "kyc_users.store_id")
    .select("intent_store_settings.kyc_validity_days")
    .where("kyc_users.id", "=", userId)
    .executeTakeFirst();
  return r?.kyc_validity_days ?? null;
}

/** The merchant whose store the case's user belongs to (its test mode decides the KYC vendor). */
export async function kycCaseMerchant(db: Db, caseId: string): Promise<string | null> {
  const r = await db
    .selectFrom("kyc_cases")
    .innerJoin("kyc_users", "kyc_users.id", "kyc_cases.user_id")
    .innerJoin("stores", "stores.id", "kyc_users.store_id")
    .select("stores.merchant_id")
    .where("kyc_cases.id", "=", caseId)
    .executeTakeFirst();
  return r?.merchant_id ?? null;
}

export async function findKycCaseWithUser(db: Db, id: string) {
  return db
    .selectFrom("kyc_cases")
    .innerJoin("kyc_users", "kyc_users.id", "kyc_cases.user_id")
    .selectAll("kyc_cases")
    .select(["kyc_users.email", "kyc_users.store_id"])
    .where("kyc_cases.id", "=", id)
    .executeTakeFirst();
}
