import { formatLedgerReport, verifyLedger } from "../app/ledger/verify-ledger.js";
import type { Command } from "./command.js";
import { withDeps } from "./context.js";

export const ledgerCommand: Command = {
  name: "ledger",
  summary:
    "Check the ledger: every transfer balances per asset, every balance equals the sum of its entries, every asset sums to zero. Exits 1 on any drift.",
  usage: "rampart ledger verify",
  options: {},
  help: ["  verify       run the checks and print a summary"],
  allowPositionals: true,
  async run(_values, positionals) {
    if (positionals[0] !== "verify" || positionals.length !== 1) {
      process.stderr.write("Usage: rampart ledger verify\n");
      return 2;
    }
    return withDeps(async (deps) => {
      const report = await verifyLedger(deps.database.db);
      (report.ok ? process.stdout : process.stderr).write(`${formatLedgerReport(report)}\n`);
      return report.ok ? 0 : 1;
    });
  },
};
