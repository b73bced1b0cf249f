// Forward-only migrations from migrations/NNNN_name.sql. One process at a time applies them: it holds a
// session advisory lock on its own connection for the whole run, so several processes starting at once
// on one PostgreSQL apply each migration exactly once; the others wait, then find nothing left to do.
//
// Each migration runs in its own transaction, unless its first line is `-- rampart:no-transaction`: it
// then runs one statement at a time (statements end with `;` at the end of a line), for CREATE INDEX
// CONCURRENTLY on a large table, which a transaction refuses. It is recorded only after its last
// statement, so each statement must be safe to run again (IF NOT EXISTS) after a failure part-way
// (docs/operations.md#upgrades-without-downtime).
import fs from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Database } from "./connect.js";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");
const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
const LOCK_KEY = 7_270_001;
const NO_TRANSACTION = /^--\s*rampart:no-transaction\s*$/m;
/** The name of each index a statement builds concurrently. */
const CONCURRENT_INDEX = /CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\s+(?:IF\s+NOT\s+EXISTS\s+)?([a-z0-9_]+)/gi;
/** A waiting process asks for the lock again after 50 ms, doubling up to once a second. */
const WAIT_FIRST_MS = 50;
const WAIT_MAX_MS = 1_000;

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

type Query = (statement: string) => Promise<Record<string, unknown>[]>;

/**
 * Applies pending migrations; returns the names applied now (empty when up to date, or when another
 * process applied them while this one waited for the lock).
 */
export async function migrate(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  return database.inSession(async (query, exec) => {
    await takeMigrationLock(query);
    try {
      await exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
        name text PRIMARY KEY,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const done = new Set((await query("SELECT name FROM schema_migrations")).map((r) => String(r.name)));
      const now: string[] = [];
      for (const name of listMigrations(dir)) {
        if (done.has(name)) continue;
        await apply(readMigration(dir, name), query, exec);
        now.push(name);
      }
      return now;
    } finally {
      await query(`SELECT pg_advisory_unlock(${LOCK_KEY})`);
    }
  });
}

/**
 * Waits for the migration lock by asking for it (pg_try_advisory_lock), never by blocking in
 * pg_advisory_lock or inside a transaction: a waiting statement holds a snapshot, and CREATE INDEX
 * CONCURRENTLY in the lock holder's migration waits for every transaction whose snapshot is older than
 * its build, so a blocked waiter and the holder would wait on each other. Between two asks this
 * session has nothing open. PGlite is one session: the lock is always free there.
 */
async function takeMigrationLock(query: Query): Promise<void> {
  for (let wait = WAIT_FIRST_MS; ; wait = Math.min(wait * 2, WAIT_MAX_MS)) {
    const [row] = await query(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS locked`);
    if (row?.locked === true) return;
    await sleep(wait);
  }
}

async function apply(m: PlannedMigration, query: Query, exec: (script: string) => Promise<void>): Promise<void> {
  const record = `INSERT INTO schema_migrations (name) VALUES ('${m.name}')`; // names match NAME: no quoting needed
  try {
    if (m.transactional) {
      await exec(`BEGIN;\n${m.sql}\n;${record};\nCOMMIT;`);
      return;
    }
    for (const statement of splitStatements(m.sql)) await query(statement);
    await assertIndexesValid(m, query);
    await query(record);
  } catch (err) {
    if (m.transactional) await exec("ROLLBACK").catch(() => {});
    throw new Error(`Migration ${m.name} failed: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Refuses to record a no-transaction migration while an index it builds is INVALID: a concurrent build
 * that failed part-way leaves one behind, and the next run's IF NOT EXISTS would skip it for good.
 */
async function assertIndexesValid(m: PlannedMigration, query: Query): Promise<void> {
  const names = [...m.sql.matchAll(CONCURRENT_INDEX)].map((x) => `'${x[1]!.toLowerCase()}'`); // [a-z0-9_]: no quoting needed
  if (names.length === 0) return;
  const invalid = await query(`SELECT c.relname AS name FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE NOT i.indisvalid AND pg_table_is_visible(c.oid) AND c.relname IN (${names.join(", ")}) ORDER BY 1`);
  if (invalid.length === 0) return;
  const list = invalid.map((r) => String(r.name)).join(", ");
  throw new Error(`INVALID index ${list} (an earlier concurrent build failed part-way): drop it (DROP INDEX CONCURRENTLY <name>), then migrate again`);
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
