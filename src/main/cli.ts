// `rampart <command>`: the CLI entry point. Commands live in src/cli/ (their table in cli/commands.ts);
// each command's modules load only when it runs, so `--help` answers without loading the gateway.
import { runCommand } from "../cli/command.js";
import { commands } from "../cli/commands.js";
import { ConfigError } from "../config/config.js";
import { cliRuntime } from "./cli-runtime.js";

/**
 * Errors an operator fixes from one line (configuration, the database, the secret, a refused action).
 * Imported after a command failed: those modules are loaded by then, and `--help` never loads them.
 */
async function isOneLine(err: unknown): Promise<boolean> {
  const [{ SecretKeyMismatchError }, { AppError }, { DataDirLockedError }, { DatabaseUnavailableError }, { BackupError }] = await Promise.all([
    import("../app/secret/key-check.js"),
    import("../core/shared/errors.js"),
    import("../db/lock-file.js"),
    import("../db/unavailable.js"),
    import("../core/crypto/backup-format.js"),
  ]);
  return [ConfigError, DataDirLockedError, AppError, SecretKeyMismatchError, DatabaseUnavailableError, BackupError].some((kind) => err instanceof kind);
}

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
    return await runCommand(cmd, rest, cliRuntime);
  } catch (err) {
    if (await isOneLine(err)) {
      process.stderr.write(`rampart ${name}: ${(err as Error).message}\n`);
      return 1;
    }
    throw err;
  }
}

process.exitCode = await main(process.argv.slice(2));
