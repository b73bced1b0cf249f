import { type CommandRun, merchantIdOption } from "./command.js";
import { createMerchantKey } from "../app/keys/create-keys.js";
import { runCliAction } from "../app/audit/cli-action.js";

/** `rampart keys` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "create" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart keys create --merchant <merchant-id>\n");
    return 2;
  }
  const merchant = merchantIdOption(values);
  if (merchant === null) return 2;
  return runtime.withDeps(async (deps) => {
    const label = typeof values.label === "string" ? values.label : "";
    const key = await runCliAction(deps, { action: "keys.create", subject: merchant, details: { label } }, () => createMerchantKey(deps, merchant, label));
    process.stdout.write(`${key}\n`);
    return 0;
  });
};
