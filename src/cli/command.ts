// A CLI command: its own flags, its own --help, and a run function that returns an exit code.
import { parseArgs, type ParseArgsConfig } from "node:util";

export interface Command {
  name: string;
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Lines describing each option, shown by --help. */
  help: string[];
  allowPositionals?: boolean;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

export function helpText(cmd: Command): string {
  return [`Usage: ${cmd.usage}`, "", cmd.summary, "", "Options:", ...cmd.help, "  -h, --help   show this help"].join("\n");
}

export async function runCommand(cmd: Command, argv: string[]): Promise<number> {
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
  return cmd.run(parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
}
