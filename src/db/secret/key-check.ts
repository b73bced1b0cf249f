// SQL for the server secret's key check (one row, migration 0013).
import { sql } from "kysely";
import type { Db } from "../schema.js";

export interface KeyCheckRow {
  key_id: string;
  check_enc: string;
}

/** False on a database migrated before the key check existed (or not migrated at all). */
export async function keyCheckTableExists(db: Db): Promise<boolean> {
  const r = await sql<{ t: string | null }>`select to_regclass('secret_key_check')::text as t`.execute(db);
  return r.rows[0]?.t != null;
}

export async function findKeyCheck(db: Db): Promise<KeyCheckRow | undefined> {
  return db.selectFrom("secret_key_check").select(["key_id", "check_enc"]).executeTakeFirst();
}

/** Writes the check unless a process racing this one wrote it first (the caller reads it back). */
export async function insertKeyCheck(db: Db, row: KeyCheckRow): Promise<void> {
  await db.insertInto("secret_key_check").values(row).onConflict((oc) => oc.column("id").doNothing()).execute();
}

export async function replaceKeyCheck(db: Db, row: KeyCheckRow, now: Date): Promise<void> {
  await db.updateTable("secret_key_check").set({ ...row, updated_at: now }).execute();
}
