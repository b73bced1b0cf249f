import { formatAuditChainReport, verifyAuditChain } from "../app/audit/verify-audit-chain.js";
import type { CommandRun } from "./command.js";

/** `rampart audit` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (_values, positionals, runtime) => {
  if (positionals[0] !== "verify" || positionals.length !== 1) {
    process.stderr.write("Usage: rampart audit verify\n");
    return 2;
  }
  return runtime.withDeps(async (deps) => {
    const report = await verifyAuditChain(deps);
    (report.ok ? process.stdout : process.stderr).write(`${formatAuditChainReport(report)}\n`);
    return report.ok ? 0 : 1;
  });
};
