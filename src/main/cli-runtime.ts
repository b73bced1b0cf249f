// The CLI's runtime (cli/runtime.ts): the composition root's functions, each imported when a command
// first needs it, so `rampart <command> --help` loads none of them.
import type { CliRuntime } from "../cli/runtime.js";
import { loadConfig } from "../config/config.js";

export const cliRuntime: CliRuntime = {
  async withDeps(fn) {
    const [{ buildDeps }, { createLogger }] = await Promise.all([import("./deps.js"), import("./logger.js")]);
    const deps = await buildDeps(loadConfig(), createLogger(process.env.LOG_LEVEL ?? "warn", process.stderr as never));
    try {
      return await fn(deps);
    } finally {
      await deps.database.close();
    }
  },
  async migrate(config) {
    const [{ openDatabase }, { resolveSecretKey }] = await Promise.all([import("./deps.js"), import("./secret-key.js")]);
    const { database, applied } = await openDatabase(config, resolveSecretKey(config));
    await database.close();
    return applied;
  },
  async planMigrations(config) {
    const [{ connectDatabase }, { migrationPlan }] = await Promise.all([import("./deps.js"), import("../app/ops/migrations.js")]);
    const database = await connectDatabase(config);
    try {
      return await migrationPlan(database);
    } finally {
      await database.close();
    }
  },
  async start(config, role) {
    const [{ buildDeps }, { startRampart }] = await Promise.all([import("./deps.js"), import("./server.js")]);
    return startRampart(await buildDeps(config), role);
  },
};
