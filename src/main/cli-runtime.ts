// The CLI's runtime (cli/runtime.ts): the composition root's functions, each imported when a command
// first needs it, so `rampart <command> --help` loads none of them.
import fs from "node:fs";
import type { CliRuntime } from "../cli/runtime.js";
import { ConfigError, loadConfig } from "../config/config.js";

const rampartVersion = () => (JSON.parse(fs.readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;

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
  async backup(config, file, opts) {
    const [{ backupEmbedded }, { existingSecretKeys, secretSource }] = await Promise.all([import("../app/ops/embedded-backup.js"), import("./secret-key.js")]);
    const [secret] = existingSecretKeys(config);
    if (!secret) throw new ConfigError("RAMPART_SECRET_KEY", `is not set and ${config.dataDir} has no generated secret.key: the backup is encrypted with the server secret`);
    await backupEmbedded({
      dataDir: config.dataDir,
      file,
      secret,
      secretSource: secretSource(config),
      rampartVersion: rampartVersion(),
      overwrite: opts.force,
      now: new Date(),
      progress: opts.progress,
    });
  },
  async restore(config, file, opts) {
    const [{ restoreEmbedded }, { existingSecretKeys, secretSource }] = await Promise.all([import("../app/ops/embedded-backup.js"), import("./secret-key.js")]);
    const secrets = existingSecretKeys(config);
    if (secrets.length === 0) throw new ConfigError("RAMPART_SECRET_KEY", "must be the secret the backup was made with (the backup is encrypted with it)");
    await restoreEmbedded({ dataDir: config.dataDir, file, secrets, secretSource: secretSource(config), force: opts.force, progress: opts.progress });
  },
  async start(config, role) {
    const [{ buildDeps }, { startRampart }] = await Promise.all([import("./deps.js"), import("./server.js")]);
    return startRampart(await buildDeps(config), role);
  },
};
