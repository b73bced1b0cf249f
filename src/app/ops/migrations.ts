// Schema migrations for the CLI (`rampart migrate`, and every command that needs a current schema).
import type { Database } from "../../db/connect.js";
import { listMigrations, migrate } from "../../db/migrate.js";

/** How many migrations ship with this build. */
export function migrationsOnDisk(): number {
  return listMigrations().length;
}

/** Applies the pending migrations in order; returns the names applied (none when up to date). */
export function applyMigrations(database: Database): Promise<string[]> {
  return migrate(database);
}
