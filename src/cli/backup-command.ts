// `rampart backup <file>` and `rampart restore <file>`: the embedded database with the data dir's files
// (app/ops/embedded-backup.ts). PostgreSQL has its own tools; the commands say so and point to the docs.
import { loadConfig } from "../config/config.js";
import type { CommandRun } from "./command.js";

const POSTGRES =
  "DATABASE_URL is set: back PostgreSQL up with pg_dump (or pg_basebackup with WAL archiving), and copy the data dir's " +
  "files/ and keep RAMPART_SECRET_KEY beside it: see docs/operations.md#backups-and-restore\n";

const progress = (line: string) => process.stdout.write(`${line}\n`);

function oneFile(name: string, positionals: string[]): string | null {
  if (positionals.length === 1 && positionals[0]) return positionals[0];
  process.stderr.write(`Usage: rampart ${name} <file> [--force]\n`);
  return null;
}

/** `rampart backup` once its arguments are parsed (its spec is in commands.ts). */
export const runBackup: CommandRun = async (values, positionals, runtime) => {
  const file = oneFile("backup", positionals);
  if (!file) return 2;
  const config = loadConfig();
  if (config.databaseUrl) {
    process.stderr.write(`rampart backup: ${POSTGRES}`);
    return 1;
  }
  await runtime.backup(config, file, { force: values.force === true, progress });
  return 0;
};

/** `rampart restore` once its arguments are parsed (its spec is in commands.ts). */
export const runRestore: CommandRun = async (values, positionals, runtime) => {
  const file = oneFile("restore", positionals);
  if (!file) return 2;
  const config = loadConfig();
  if (config.databaseUrl) {
    process.stderr.write(`rampart restore: ${POSTGRES}`);
    return 1;
  }
  await runtime.restore(config, file, { force: values.force === true, progress });
  return 0;
};
