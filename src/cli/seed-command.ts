import type { CommandRun } from "./command.js";
import { seedSandbox } from "../app/sandbox/seed.js";
import { printCredentials } from "./print-credentials.js";
import { runCliAction } from "../app/audit/cli-action.js";

/** `rampart seed` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, _positionals, runtime) => {
  if (!values.sandbox) {
    process.stderr.write("Nothing to do: pass --sandbox to seed the sandbox data set.\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const creds = await runCliAction(deps, { action: "seed", subject: "", details: { sandbox: true } }, () => seedSandbox(deps, (line) => process.stdout.write(`${line}\n`)));
    printCredentials(creds);
    return 0;
  });
};
