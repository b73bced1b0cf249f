import type { CommandRun } from "./command.js";
import { createOperatorKey } from "../app/keys/create-keys.js";

/** `rampart operator` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "create" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart operator create --name <name>\n");
    return 2;
  }
  const name = typeof values.name === "string" ? values.name.trim() : "";
  if (name === "") {
    process.stderr.write("--name is required: who or what the key is for (shown with the key in logs and lists)\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const key = await createOperatorKey(deps, name);
    process.stdout.write(`${key}\n`);
    process.stderr.write("This operator key is shown only now: only its hash is stored.\n");
    return 0;
  });
};
