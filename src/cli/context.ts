// Shared setup for commands that need the database: config, deps, migrations.
import type { Deps } from "../app/deps.js";
import { loadConfig } from "../config/config.js";
import { applyMigrations } from "../app/ops/migrations.js";
import { buildDeps } from "../main/deps.js";
import { createLogger } from "../main/logger.js";

/** Builds deps for a one-shot command (quiet logs) and makes sure the schema is current. */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const deps = await buildDeps(config, createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never));
  try {
    await applyMigrations(deps.database);
    return await fn(deps);
  } finally {
    await deps.database.close();
  }
}
