import type { CommandRun } from "./command.js";
import { createMerchantKey } from "../app/keys/create-keys.js";
import { runCliAction } from "../app/audit/cli-action.js";

/** `rampart keys` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  if (positionals[0] !== "create" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart keys create --merchant <merchant-id>\n");
    return 2;
  }
  const merchant = values.merchant;
  if (typeof merchant !== "string" || !/^[0-9a-f-]{36}$/i.test(merchant)) {
    process.stderr.write("--merchant must be a merchant uuid\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const label = typeof values.label === "string" ? values.label : "";
    const key = await runCliAction(deps, { action: "keys.create", subject: merchant.toLowerCase(), details: { label } }, () => createMerchantKey(deps, merchant.toLowerCase(), label));
    process.stdout.write(`${key}\n`);
    return 0;
  });
};
