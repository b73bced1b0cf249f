import { formatLedgerReport, verifyLedgerAndRecord } from "../app/ledger/verify-ledger.js";
import type { CommandRun } from "./command.js";

/** `rampart ledger` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (_values, positionals, runtime) => {
  if (positionals[0] !== "verify" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart ledger verify\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const report = await verifyLedgerAndRecord(deps);
    (report.ok ? process.stdout : process.stderr).write(`${formatLedgerReport(report)}\n`);
    return report.ok ? 0 : 1;
  });
};
