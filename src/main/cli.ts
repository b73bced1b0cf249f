// `rampart <command>`: the CLI entry point. Commands live in src/cli/, one per file.
import { ConfigError } from "../config/config.js";
import { SecretKeyMismatchError } from "../app/secret/key-check.js";
import { AppError } from "../core/shared/errors.js";
import { DataDirLockedError } from "../db/lock-file.js";
import { DatabaseUnavailableError } from "../db/unavailable.js";
import { type Command, runCommand } from "../cli/command.js";
import { keysCommand } from "../cli/keys-command.js";
import { ledgerCommand } from "../cli/ledger-command.js";
import { migrateCommand } from "../cli/migrate-command.js";
import { secretCommand } from "../cli/secret-command.js";
import { seedCommand } from "../cli/seed-command.js";
import { startCommand } from "../cli/start-command.js";
import { webhooksCommand } from "../cli/webhooks-command.js";

export const commands: Command[] = [startCommand, migrateCommand, seedCommand, keysCommand, ledgerCommand, webhooksCommand, secretCommand];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: rampart <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary.split(". ")[0]}`),
    "",
    "Run `rampart <command> --help` for a command's options.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    process.stdout.write(`${usage()}\n`);
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    process.stderr.write(`Unknown command: ${name}\n\n${usage()}\n`);
    return 2;
  }
  try {
    return await runCommand(cmd, rest);
  } catch (err) {
    const oneLine = [ConfigError, DataDirLockedError, AppError, SecretKeyMismatchError, DatabaseUnavailableError];
    if (oneLine.some((kind) => err instanceof kind)) {
      process.stderr.write(`rampart ${name}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
