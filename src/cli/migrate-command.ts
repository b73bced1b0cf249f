import type { Command } from "./command.js";
import { loadConfig } from "../config/config.js";
import { applyMigrations, migrationsOnDisk } from "../app/ops/migrations.js";
import { connectDatabase } from "../main/deps.js";

export const migrateCommand: Command = {
  name: "migrate",
  summary: "Apply pending database migrations and exit. `rampart start` also applies them.",
  usage: "rampart migrate",
  options: {},
  help: [],
  async run() {
    const config = loadConfig();
    const database = await connectDatabase(config);
    try {
      const total = migrationsOnDisk();
      process.stdout.write(`Applying migrations (${total} on disk) to ${config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`}\n`);
      const applied = await applyMigrations(database);
      applied.forEach((name, i) => process.stdout.write(`  [${i + 1}/${applied.length}] ${name}\n`));
      process.stdout.write(applied.length ? `Applied ${applied.length} migration(s).\n` : "Already up to date.\n");
      return 0;
    } finally {
      await database.close();
    }
  },
};
