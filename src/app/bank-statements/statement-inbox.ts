// The watched inbox folder (RAMPART_BANK_INBOX_DIR) for banks that drop statement files by SFTP. Each
// poll takes the new files in the folder, oldest name first, a bounded batch. A file is claimed by
// renaming it into .claimed/ (rename is atomic: when two workers watch the same folder, one rename
// succeeds and the other finds the file gone), imported through the same use case as the CLI and the
// API, and moved to processed/ with its report, or to failed/ with the error, beside a
// <name>.report.json. A file's content is imported once: the worker claims its SHA-256 in the
// database first (bank_inbox_files, primary key), so two copies picked up at once by two workers are
// imported once; entries are also received once per bank reference whatever the file.
//
// A worker that dies between claim and move leaves the file in .claimed/: the operator moves it back
// into the folder, and importing it again changes nothing that was imported.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../core/shared/errors.js";
import { claimInboxFile, findInboxFile, settleInboxFile } from "../../db/bank-statements/bank-statements.js";
import type { Deps } from "../deps.js";
import { importBankStatement } from "./import-statement.js";

const BATCH = 20;
/** Names the bank may be writing still (SFTP clients upload to a temporary name) or that are ours. */
const skipped = (name: string) => name.startsWith(".") || name.endsWith(".part") || name.endsWith(".tmp") || name.endsWith(".filepart");

async function claim(dir: string, name: string): Promise<string | null> {
  const claimed = path.join(dir, ".claimed", name);
  try {
    await rename(path.join(dir, name), claimed);
    return claimed;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null; // another worker took it
    throw err;
  }
}

async function finish(dir: string, claimed: string, name: string, folder: "processed" | "failed", report: unknown): Promise<void> {
  await writeFile(path.join(dir, folder, `${name}.report.json`), `${JSON.stringify(report, null, 2)}\n`);
  await rename(claimed, path.join(dir, folder, name));
}

/** One poll: imports up to a batch of new files; returns how many it handled. */
export async function pollStatementInbox(deps: Deps): Promise<number> {
  const dir = deps.config.bankInboxDir;
  if (dir === null) return 0;
  for (const sub of [".claimed", "processed", "failed"]) await mkdir(path.join(dir, sub), { recursive: true });
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !skipped(e.name)).map((e) => e.name).sort().slice(0, BATCH);
  let handled = 0;
  for (const name of names) {
    const claimed = await claim(dir, name);
    if (claimed === null) continue;
    handled += 1;
    try {
      if ((await stat(claimed)).size > deps.config.statementMaxBytes) {
        throw new AppError("statement_too_large", { message: `The statement file is over the limit of ${deps.config.statementMaxBytes} bytes (RAMPART_STATEMENT_MAX_BYTES).` });
      }
      const file = await readFile(claimed);
      const sha256 = createHash("sha256").update(file).digest("hex");
      if (!(await claimInboxFile(deps.database.db, { sha256, name, at: deps.clock.now() }))) {
        const before = await findInboxFile(deps.database.db, sha256);
        await finish(dir, claimed, name, "processed", { duplicateOf: before?.file_name ?? null, importId: before?.import_id ?? null, note: "a file with this content was imported before: nothing changed" });
        deps.logger.info({ file: name, duplicateOf: before?.file_name }, "bank inbox: file imported before, skipped");
        continue;
      }
      let report;
      try {
        report = await importBankStatement(deps, { file, fileName: name, account: deps.config.bankInboxAccount, csvMapping: undefined, skipRejected: false, source: "inbox" });
      } catch (err) {
        // Nothing was imported: the content may come again (fixed mapping, a retry after an outage).
        await settleInboxFile(deps.database.db, sha256, null);
        throw err;
      }
      await settleInboxFile(deps.database.db, sha256, report.importId);
      await finish(dir, claimed, name, "processed", report);
      deps.logger.info({ file: name, importId: report.importId, matched: report.matched, unmatched: report.unmatched, duplicates: report.duplicates }, "bank inbox: statement imported");
    } catch (err) {
      const e = err instanceof AppError ? { error: err.code, message: err.message, ...(err.details ?? {}) } : { error: "internal_error", message: "The import failed; see the worker log" };
      await finish(dir, claimed, name, "failed", e);
      deps.logger.warn({ file: name, err }, "bank inbox: statement refused");
    }
  }
  return handled;
}
