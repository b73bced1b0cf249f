// Shared setup for commands that need the database: config and deps (migrated and checked against the secret).
import type { Deps } from "../app/deps.js";
import { loadConfig } from "../config/config.js";
import { buildDeps } from "../main/deps.js";
import { createLogger } from "../main/logger.js";

/** Builds deps for a one-shot command (quiet logs). */
export async function withDeps<T>(fn: (deps: Deps) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const deps = await buildDeps(config, createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never));
  try {
    return await fn(deps);
  } finally {
    await deps.database.close();
  }
}
