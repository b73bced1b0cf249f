// Schema migrations for every process and command (`rampart migrate`, `start`, and every command that
// needs a current schema), guarded by the server secret's key check.
import type { Database } from "../../db/connect.js";
import { listMigrations, migrate, type PlannedMigration, plannedMigrations } from "../../db/migrate.js";
import { recordSecretKey, type SecretSource, verifySecretKey } from "../secret/key-check.js";
import type { SecretConfig } from "../secret/secret-boxes.js";

/** How many migrations ship with this build. */
export function migrationsOnDisk(): number {
  return listMigrations().length;
}

/**
 * Opens the key check with the secret before anything is written, applies the pending migrations in
 * order and, on a new database, records the key check. Returns the names applied (none when up to date).
 */
export async function prepareDatabase(database: Database, secrets: SecretConfig, source: SecretSource): Promise<string[]> {
  await verifySecretKey(database.db, secrets, source);
  const applied = await migrate(database);
  await recordSecretKey(database.db, secrets, source);
  return applied;
}

/** What `prepareDatabase` would apply, in order, without applying or recording anything. */
export function migrationPlan(database: Database): Promise<PlannedMigration[]> {
  return plannedMigrations(database);
}
