import type { Command } from "./command.js";
import { loadConfig } from "../config/config.js";
import { migrationsOnDisk } from "../app/ops/migrations.js";
import { openDatabase } from "../main/deps.js";
import { resolveSecretKey } from "../main/secret-key.js";

export const migrateCommand: Command = {
  name: "migrate",
  summary:
    "Apply pending database migrations and exit. `rampart start` also applies them. A new database records " +
    "which secret it belongs to; every later command and process must use the same one.",
  usage: "rampart migrate",
  options: {},
  help: [],
  async run() {
    const config = loadConfig();
    const total = migrationsOnDisk();
    process.stdout.write(`Applying migrations (${total} on disk) to ${config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`}\n`);
    const { database, applied } = await openDatabase(config, resolveSecretKey(config));
    try {
      applied.forEach((name, i) => process.stdout.write(`  [${i + 1}/${applied.length}] ${name}\n`));
      process.stdout.write(applied.length ? `Applied ${applied.length} migration(s).\n` : "Already up to date.\n");
      return 0;
    } finally {
      await database.close();
    }
  },
};
