import type { Command } from "./command.js";
import { createMerchantKey } from "../app/keys/create-keys.js";
import { withDeps } from "./context.js";

export const keysCommand: Command = {
  name: "keys",
  summary: "Create a merchant API key. The key is printed once; only its hash is stored.",
  usage: "rampart keys create --merchant <merchant-id> [--label <text>]",
  options: { merchant: { type: "string" }, label: { type: "string" } },
  help: ["  --merchant   the merchant's uuid (required)", "  --label      a note to recognise the key by"],
  allowPositionals: true,
  async run(values, positionals) {
    if (positionals[0] !== "create" || positionals.length !== 1) {
      process.stderr.write("Usage: rampart keys create --merchant <merchant-id>\n");
      return 2;
    }
    const merchant = values.merchant;
    if (typeof merchant !== "string" || !/^[0-9a-f-]{36}$/i.test(merchant)) {
      process.stderr.write("--merchant must be a merchant uuid\n");
      return 2;
    }
    return withDeps(async (deps) => {
      const key = await createMerchantKey(deps, merchant.toLowerCase(), typeof values.label === "string" ? values.label : "");
      process.stdout.write(`${key}\n`);
      return 0;
    });
  },
};
