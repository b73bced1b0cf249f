// `rampart bank import <file>`: imports a bank statement from the command line (the same use case as
// POST /admin/v1/bank-statements), printing progress for large files and the import's report.
// `rampart bank export-refunds`: writes the pending fiat refunds as a pain.001 file (POST /admin/v1/refund-exports).
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { importBankStatement } from "../app/bank-statements/import-statement.js";
import { exportRefunds } from "../app/bank-statements/refund-export.js";
import type { StatementReport } from "../app/bank-statements/statement-report.js";
import type { Deps } from "../app/deps.js";
import { AppError } from "../core/shared/errors.js";
import type { CommandRun } from "./command.js";
import { runCliAction } from "../app/audit/cli-action.js";

/** `rampart bank` once its arguments are parsed (its spec is in commands.ts). */
export const run: CommandRun = async (values, positionals, runtime) => {
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  if (positionals[0] === "export-refunds" && positionals.length === 1) return runtime.withDeps((deps) => writeRefunds(deps, str("out")));
  if (positionals[0] !== "import" || positionals.length !== 2) return fail("Usage: rampart bank import <file> [--account <id>] ... | rampart bank export-refunds [--out <file>] (see --help)");
  const file = positionals[1]!;
  let mapping: unknown;
  const mappingFile = str("mapping");
  if (mappingFile !== undefined) {
    try {
      mapping = JSON.parse(await readFile(mappingFile, "utf8")) as unknown;
    } catch (err) {
      return fail(`--mapping ${mappingFile}: ${(err as Error).message}`);
    }
  }
  let size: number;
  try {
    size = (await stat(file)).size;
  } catch (err) {
    return fail(`${file}: ${(err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message}`);
  }
  return runtime.withDeps(async (deps) => {
    if (size > deps.config.statementMaxBytes) {
      process.stderr.write(`rampart bank import: ${file} has ${size} bytes; the limit is ${deps.config.statementMaxBytes} (RAMPART_STATEMENT_MAX_BYTES)\n`);
      return 1;
    }
    process.stdout.write(`reading ${file} (${size} bytes)\n`);
    try {
      const content = await readFile(file);
      // Named as the operator API's import (POST /admin/v1/bank-statements), so the audit log's filter finds both.
      const audited = { action: "bank-statements", subject: "", details: { file: path.basename(file), account: str("account") ?? null } };
      const report = await runCliAction(deps, audited, () => importBankStatement(deps, {
        file: content,
        fileName: path.basename(file),
        account: str("account") ?? null,
        csvMapping: mapping,
        skipRejected: values["skip-rejected"] === true,
        source: "cli",
        onProgress: (done, total) => process.stdout.write(done === 0 ? `read ${total} entries; receiving them\n` : `received ${done}/${total} entries\n`),
      }));
      process.stdout.write(formatReport(report));
      return 0;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      process.stderr.write(`rampart bank import: ${err.message}\n`);
      const rejected = err.details?.rejected;
      if (Array.isArray(rejected)) for (const r of rejected as { reason: string }[]) process.stderr.write(`  rejected ${r.reason}\n`);
      return 1;
    }
  });
};

async function writeRefunds(deps: Deps, out: string | undefined): Promise<number> {
  const r = await runCliAction(deps, { action: "refund-exports", subject: "", details: {} }, () => exportRefunds(deps));
  if (r.exportId !== null) {
    const file = out ?? `pain001-${r.exportId}.xml`;
    await writeFile(file, r.pain001!);
    process.stdout.write(`wrote ${file}: ${r.exported.length} refund(s) in pain.001.001.03 (MsgId ${r.exportId}); upload it to the bank\n`);
    for (const o of r.exported) process.stdout.write(`  ${o.id}  ${o.amount} ${o.currency}  ${o.creditorName ?? ""}  ${o.creditorIban}\n`);
  } else {
    process.stdout.write("no refund is pending export\n");
  }
  for (const o of r.waiting) process.stdout.write(`  waiting ${o.id}  ${o.amount} ${o.currency}  ${o.reason}\n`);
  return 0;
}

function formatReport(r: StatementReport): string {
  const head =
    `import ${r.importId}: ${r.format} of account ${r.account}${r.requisiteId ? ` (requisite ${r.requisiteId})` : ""}\n` +
    `${r.entriesRead} entries read: ${r.matched} matched, ${r.duplicates} duplicates, ${r.unmatched} unmatched, ${r.ignored} ignored, ${r.rejected} rejected\n`;
  // Matched and duplicate lines need nothing from the operator; the rest are listed.
  const listed = r.lines.filter((l) => l.outcome === "unmatched" || l.outcome === "rejected");
  const rows = listed.map((l) =>
    [`  line ${l.line}`, l.outcome, l.bankRef, l.amount && `${l.amount} ${l.currency}`, l.payerName, l.payerIban, l.reason].filter((x) => x !== null && x !== undefined).join("  "),
  );
  return head + rows.map((x) => `${x}\n`).join("");
}

function fail(message: string): number {
  process.stderr.write(`${message}\n`);
  return 2;
}
