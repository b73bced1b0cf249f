// A CLI command: its own flags, its own --help, and the run function that returns an exit code, loaded
// only when the command runs.
import { parseArgs, type ParseArgsConfig } from "node:util";
import { isUuid } from "../core/shared/uuid.js";
import type { CliRuntime } from "./runtime.js";

export type CommandRun = (values: Record<string, string | boolean | undefined>, positionals: string[], runtime: CliRuntime) => Promise<number>;

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Lines describing each option, shown by --help. */
  help: string[];
  allowPositionals?: boolean;
  /** Imports the command's module (and through it the gateway) and returns its run function. */
  load(): Promise<CommandRun>;
}

function helpText(cmd: Command): string {
  return [`Usage: ${cmd.usage}`, "", cmd.summary, "", "Options:", ...cmd.help, "  -h, --help   show this help"].join("\n");
}

export async function runCommand(cmd: Command, argv: string[], runtime: CliRuntime): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...cmd.options, help: { type: "boolean", short: "h" } },
      allowPositionals: cmd.allowPositionals ?? false,
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${helpText(cmd)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(`${helpText(cmd)}\n`);
    return 0;
  }
  const run = await cmd.load();
  return run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals, runtime);
}

/** The --merchant option as a lower-case uuid, or null once it has said why it is refused (exit 2). */
export function merchantIdOption(values: Record<string, string | boolean | undefined>): string | null {
  const merchant = values.merchant;
  if (typeof merchant !== "string" || !isUuid(merchant)) {
    process.stderr.write("--merchant must be a merchant uuid\n");
    return null;
  }
  return merchant.toLowerCase();
}
