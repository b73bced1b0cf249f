// SQL for bank statement imports: their reports, the CSV mapping saved per account, and the two
// look-ups an import makes (which payment references exist, which requisite an account is).
import { type Selectable, sql } from "kysely";
import type { Db } from "../schema.js";
import type { BankStatementImportsTable } from "../tables/bank-statements.js";

export type StatementImportRow = Selectable<BankStatementImportsTable>;

interface NewStatementImport {
  id: string;
  account: string;
  requisiteId: string | null;
  format: string;
  fileName: string | null;
  fileSha256: string;
  source: string;
  counts: { entriesRead: number; matched: number; duplicates: number; unmatched: number; ignored: number; rejected: number };
  lines: unknown[];
  at: Date;
}

export async function insertStatementImport(db: Db, r: NewStatementImport): Promise<StatementImportRow> {
  return db
    .insertInto("bank_statement_imports")
    .values({
      id: r.id,
      account: r.account,
      requisite_id: r.requisiteId,
      format: r.format,
      file_name: r.fileName,
      file_sha256: r.fileSha256,
      source: r.source,
      entries_read: r.counts.entriesRead,
      matched: r.counts.matched,
      duplicates: r.counts.duplicates,
      unmatched: r.counts.unmatched,
      ignored: r.counts.ignored,
      rejected: r.counts.rejected,
      lines: JSON.stringify(r.lines),
      created_at: r.at,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findStatementImport(db: Db, id: string): Promise<StatementImportRow | undefined> {
  return db.selectFrom("bank_statement_imports").selectAll().where("id", "=", id).executeTakeFirst();
}

/** The newest imports, without their lines: the console's list (an import's report reads one row). */
export async function listStatementImports(db: Db, limit: number) {
  return db
    .selectFrom("bank_statement_imports")
    .select(["id", "account", "format", "file_name", "source", "entries_read", "matched", "duplicates", "unmatched", "ignored", "rejected", "created_at"])
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export async function findCsvMapping(db: Db, account: string): Promise<unknown> {
  const r = await db.selectFrom("bank_csv_mappings").select("mapping").where("account", "=", account).executeTakeFirst();
  return r?.mapping;
}

export async function saveCsvMapping(db: Db, account: string, mapping: unknown, at: Date): Promise<void> {
  await db
    .insertInto("bank_csv_mappings")
    .values({ account, mapping: JSON.stringify(mapping), updated_at: at })
    .onConflict((oc) => oc.column("account").doUpdateSet({ mapping: JSON.stringify(mapping), updated_at: at }))
    .execute();
}

/** Which of `references` name a payment intent. */
export async function existingIntentReferences(db: Db, references: readonly string[]): Promise<Set<string>> {
  if (references.length === 0) return new Set();
  const rows = await db.selectFrom("payment_intents").select("reference").where("reference", "in", [...references]).execute();
  return new Set(rows.map((r) => r.reference));
}

/** The requisite whose account number is `account` (compared without spaces, in upper case). */
export async function findRequisiteByAccount(db: Db, account: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom("trading_requisites")
    .select("id")
    .where(sql<string>`upper(replace(number, ' ', ''))`, "=", account)
    .orderBy("created_at")
    .executeTakeFirst();
}

/** The account of the first statement that brought this transfer (its report line names it). */
export async function statementAccountOfTransfer(db: Db, transferId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("bank_statement_imports")
    .select("account")
    .where(sql<boolean>`lines @> ${JSON.stringify([{ transferId }])}::jsonb`)
    .orderBy("created_at")
    .orderBy("id")
    .executeTakeFirst();
  return row?.account;
}

/** A store's collection account with this IBAN: the name and BIC to pay a refund from it with. */
export async function findCollectionAccount(db: Db, iban: string): Promise<{ bic: string; beneficiary: string } | undefined> {
  return db
    .selectFrom("intent_store_settings")
    .select(["bank_bic as bic", "bank_beneficiary as beneficiary"])
    .where("bank_iban", "=", iban)
    .orderBy("store_id")
    .executeTakeFirst();
}

/** Claims a file's content for the inbox import: false when another file with it was claimed before. */
export async function claimInboxFile(db: Db, f: { sha256: string; name: string; at: Date }): Promise<boolean> {
  const r = await db
    .insertInto("bank_inbox_files")
    .values({ file_sha256: f.sha256, file_name: f.name, claimed_at: f.at })
    .onConflict((oc) => oc.column("file_sha256").doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function findInboxFile(db: Db, sha256: string) {
  return db.selectFrom("bank_inbox_files").selectAll().where("file_sha256", "=", sha256).executeTakeFirst();
}

/**
 * Drops the content claim of a file whose claimer died before its import settled (import_id still
 * null), so the recovered file is imported again; a settled claim stays and the file is a duplicate.
 */
export async function releaseUnsettledInboxFile(db: Db, f: { sha256: string; name: string }): Promise<void> {
  await db.deleteFrom("bank_inbox_files").where("file_sha256", "=", f.sha256).where("file_name", "=", f.name).where("import_id", "is", null).execute();
}

export async function settleInboxFile(db: Db, sha256: string, importId: string | null): Promise<void> {
  if (importId === null) await db.deleteFrom("bank_inbox_files").where("file_sha256", "=", sha256).execute();
  else await db.updateTable("bank_inbox_files").set({ import_id: importId }).where("file_sha256", "=", sha256).execute();
}
