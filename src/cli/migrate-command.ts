import type { CommandRun } from "./command.js";
import { loadConfig } from "../config/config.js";
import { migrationsOnDisk } from "../app/ops/migrations.js";
import { recordCliAction } from "../app/audit/cli-action.js";

/** `rampart migrate [--dry-run]` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, _positionals, runtime) => {
  const config = loadConfig();
  const total = migrationsOnDisk();
  const where = config.databaseUrl ? "PostgreSQL" : `embedded database in ${config.dataDir}`;
  if (values["dry-run"]) {
    const plan = await runtime.planMigrations(config);
    process.stdout.write(`Dry run: ${plan.length} of ${total} migration(s) on disk would apply to ${where}; nothing is changed.\n`);
    plan.forEach((m, i) => {
      process.stdout.write(`\n-- [${i + 1}/${plan.length}] ${m.name} (${m.transactional ? "in one transaction" : "outside a transaction, statement by statement"})\n`);
      process.stdout.write(`${m.sql.trimEnd()}\n`);
    });
    if (plan.length === 0) process.stdout.write("Already up to date.\n");
    return 0;
  }
  process.stdout.write(`Applying migrations (${total} on disk) to ${where}\n`);
  const applied = await runtime.migrate(config);
  applied.forEach((name, i) => process.stdout.write(`  [${i + 1}/${applied.length}] ${name}\n`));
  process.stdout.write(applied.length ? `Applied ${applied.length} migration(s).\n` : "Already up to date.\n");
  // The files applied through the migrator's own connection; the audit log (a table they made) then says who did it.
  if (applied.length > 0) await runtime.withDeps((deps) => recordCliAction(deps, { action: "migrate", subject: "", details: { applied } }));
  return 0;
};
