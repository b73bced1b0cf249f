// Forward-only migrations from migrations/NNNN_name.sql, each applied in its own transaction under
// an advisory lock, so several processes starting at once on one PostgreSQL apply each exactly once.
//
// A migration whose first line is `-- rampart:no-transaction` runs outside a transaction instead, one
// statement at a time (statements end with `;` at the end of a line), under a session advisory lock:
// for CREATE INDEX CONCURRENTLY on a large table, which a transaction refuses. It is recorded only
// after its last statement, so each statement must be safe to run again (IF NOT EXISTS) after a
// failure part-way (docs/operations.md#upgrades-without-downtime).
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "./connect.js";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");
const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
const LOCK_KEY = 7_270_001;
const NO_TRANSACTION = /^--\s*rampart:no-transaction\s*$/m;

/** A migration as it would run: its name, its SQL and whether it runs in a transaction. */
export interface PlannedMigration {
  name: string;
  sql: string;
  transactional: boolean;
}

function readMigration(dir: string, name: string): PlannedMigration {
  const body = fs.readFileSync(path.join(dir, name), "utf8");
  return { name, sql: body, transactional: !NO_TRANSACTION.test(body.split("\n", 1)[0] ?? "") };
}

/** The statements of a no-transaction migration: split after each `;` that ends a line, comments dropped. */
function splitStatements(body: string): string[] {
  return body
    .split(/;\s*$/m)
    .map((s) => s.replace(/^\s*--.*$/gm, "").trim())
    .filter((s) => s.length > 0);
}

export function listMigrations(dir = MIGRATIONS_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .map((f) => {
      if (!NAME.test(f)) throw new Error(`Bad migration file name: ${f}`);
      return f;
    })
    .sort();
}

async function applied(database: Database): Promise<Set<string>> {
  const rows = await database.db.selectFrom("schema_migrations").select("name").execute();
  return new Set(rows.map((r) => r.name));
}

/** Applies pending migrations; returns the names applied now (empty when up to date). */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  await database.execScript(`
    BEGIN;
    SELECT pg_advisory_xact_lock(${LOCK_KEY});
    CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      applied_at timestamptz NOT NULL DEFAULT now()
    );
    COMMIT;`);
  const done = await applied(database);
  const now: string[] = [];
  for (const name of listMigrations(dir)) {
    if (done.has(name)) continue;
    const m = readMigration(dir, name);
    if (!m.transactional) {
      if (await applyOutsideTransaction(database, m)) now.push(name);
      continue;
    }
    const body = m.sql;
    try {
      // The insert comes first: a process that lost the race fails on the primary key and skips.
      await database.execScript(
        `BEGIN;\nSELECT pg_advisory_xact_lock(${LOCK_KEY});\n` +
          `INSERT INTO schema_migrations (name) VALUES ('${name}');\n${body}\n;COMMIT;`,
      );
      now.push(name);
    } catch (err) {
      if ((err as { code?: string }).code === "23505") continue;
      throw new Error(`Migration ${name} failed: ${(err as Error).message}`, { cause: err });
    }
  }
  return now;
}

/** Runs a no-transaction migration under a session lock; false when another process applied it first. */
async function applyOutsideTransaction(database: Database, m: PlannedMigration): Promise<boolean> {
  try {
    return await database.inSession(async (query) => {
      await query(`SELECT pg_advisory_lock(${LOCK_KEY})`);
      try {
        if ((await query(`SELECT 1 FROM schema_migrations WHERE name = '${m.name}'`)).length > 0) return false;
        for (const statement of splitStatements(m.sql)) await query(statement);
        await query(`INSERT INTO schema_migrations (name) VALUES ('${m.name}')`);
        return true;
      } finally {
        await query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
      }
    });
  } catch (err) {
    throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
  }
}

/** What `migrate` would apply, in order, without applying anything (`rampart migrate --dry-run`). */
export async function plannedMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<PlannedMigration[]> {
  const exists = await sql<{ t: string | null }>`SELECT to_regclass('schema_migrations')::text AS t`.execute(database.db);
  const done = exists.rows[0]?.t ? await applied(database) : new Set<string>();
  return listMigrations(dir)
    .filter((n) => !done.has(n))
    .map((n) => readMigration(dir, n));
}

/** Names of migrations on disk that the database has not applied. */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const done = await applied(database);
  return listMigrations(dir).filter((n) => !done.has(n));
}
