import type { CommandRun } from "./command.js";
import { loadConfig } from "../config/config.js";
import { migrationsOnDisk } from "../app/ops/migrations.js";

/** `rampart migrate` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (_values, _positionals, runtime) => {
  const config = loadConfig();
  const total = migrationsOnDisk();
  process.stdout.write(`Applying migrations (${total} on disk) to ${config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`}\n`);
  const applied = await runtime.migrate(config);
  applied.forEach((name, i) => process.stdout.write(`  [${i + 1}/${applied.length}] ${name}\n`));
  process.stdout.write(applied.length ? `Applied ${applied.length} migration(s).\n` : "Already up to date.\n");
  return 0;
};
