import type { Command } from "./command.js";
import { seedSandbox } from "../app/sandbox/seed.js";
import { withDeps } from "./context.js";
import { printCredentials } from "./print-credentials.js";

export const seedCommand: Command = {
  name: "seed",
  summary: "Insert the sandbox data (merchant, store, keys, pairs, traders). Safe to run again.",
  usage: "rampart seed --sandbox",
  options: { sandbox: { type: "boolean" } },
  help: ["  --sandbox    seed the sandbox data set (required: it is the only data set)"],
  async run(values) {
    if (!values.sandbox) {
      process.stderr.write("Nothing to do: pass --sandbox to seed the sandbox data set.\n");
      return 2;
    }
    return withDeps(async (deps) => {
      const creds = await seedSandbox(deps, (line) => process.stdout.write(`${line}\n`));
      printCredentials(creds);
      return 0;
    });
  },
};
