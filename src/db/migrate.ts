// Forward-only migrations from migrations/NNNN_name.sql, each applied in its own transaction under
// an advisory lock, so several processes starting at once on one PostgreSQL apply each exactly once.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "./connect.js";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../migrations");
const NAME = /^\d{4}_[a-z0-9_]+\.sql$/;
const LOCK_KEY = 7_270_001;

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
    const body = fs.readFileSync(path.join(dir, name), "utf8");
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

/** Names of migrations on disk that the database has not applied. */
export async function pendingMigrations(database: Database, dir = MIGRATIONS_DIR): Promise<string[]> {
  const done = await applied(database);
  return listMigrations(dir).filter((n) => !done.has(n));
}
