// The watched inbox folder (RAMPART_BANK_INBOX_DIR) for banks that drop statement files by SFTP. Each
// poll takes the new files in the folder, oldest name first, a bounded batch. A file is claimed by
// renaming it into .claimed/<name>~<host>~<pid> (rename is atomic: when two workers watch the same
// folder, one rename succeeds and the other finds the file gone), imported through the same use case
// as the CLI and the API, and moved to processed/ with its report, or to failed/ with the error,
// beside a <name>.report.json. A file's content is imported once: the worker claims its SHA-256 in
// the database first (bank_inbox_files, primary key), so two copies picked up at once by two workers
// are imported once; entries are also received once per bank reference whatever the file.
//
// A worker that dies between claim and move leaves the file in .claimed/. Each poll recovers such a
// file when its claimer is a dead process on this host, or when the claim is older than
// CLAIM_STALE_MS whoever holds it (another host, or a recycled pid): it re-claims the file by rename
// (one recoverer wins), drops the content claim the dead import left unsettled and imports it again.
// Whatever the dead import had committed is received again as duplicates (entry references), so the
// second import changes nothing that the first one wrote.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rename, stat, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import { AppError } from "../../core/shared/errors.js";
import { claimInboxFile, findInboxFile, releaseUnsettledInboxFile, settleInboxFile } from "../../db/bank-statements/bank-statements.js";
import { processAlive } from "../../db/lock-file.js";
import type { Deps } from "../deps.js";
import { importBankStatement } from "./import-statement.js";

const BATCH = 20;
/**
 * A claim older than this is taken over whoever holds it: longer than any import of a file within
 * RAMPART_STATEMENT_MAX_BYTES takes, so a live worker is not raced, short enough that a file is not
 * forgotten for a day.
 */
export const CLAIM_STALE_MS = 30 * 60_000;
/** Names the bank may be writing still (SFTP clients upload to a temporary name) or that are ours. */
const skipped = (name: string) => name.startsWith(".") || name.endsWith(".part") || name.endsWith(".tmp") || name.endsWith(".filepart");

/** This process as a claimer; `~` cannot occur in a host name or a pid, so the name parses from the end. */
const claimer = () => `${hostname()}~${process.pid}`;

function parseClaim(claimedName: string): { name: string; host: string; pid: number } | null {
  const parts = claimedName.split("~");
  if (parts.length < 3) return null;
  const pid = Number(parts.pop());
  const host = parts.pop()!;
  return Number.isSafeInteger(pid) && pid > 0 ? { name: parts.join("~"), host, pid } : null;
}

/** Renames `from` to this process's claim of `name`; the claim's mtime is the claim time (on deps.clock). */
async function claimAs(deps: Deps, dir: string, from: string, name: string): Promise<string | null> {
  const claimed = path.join(dir, ".claimed", `${name}~${claimer()}`);
  try {
    await rename(from, claimed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null; // another worker took it
    throw err;
  }
  const now = deps.clock.now();
  await utimes(claimed, now, now);
  return claimed;
}

/** Claims left by a dead claimer on this host, or older than CLAIM_STALE_MS: re-claimed for this process. */
async function recoverStaleClaims(deps: Deps, dir: string): Promise<{ claimed: string; name: string }[]> {
  const recovered: { claimed: string; name: string }[] = [];
  const staleBefore = deps.clock.now().getTime() - CLAIM_STALE_MS;
  for (const entry of await readdir(path.join(dir, ".claimed"), { withFileTypes: true })) {
    if (!entry.isFile() || recovered.length >= BATCH) continue;
    // A claim without a claimer in its name (left by an older Rampart) is recovered by its age alone.
    const claim = parseClaim(entry.name) ?? { name: entry.name, host: "", pid: 0 };
    const from = path.join(dir, ".claimed", entry.name);
    const dead = claim.pid > 0 && claim.host === hostname() && !processAlive(claim.pid);
    if (!dead) {
      const mtime = await stat(from).then((s) => s.mtimeMs, () => null);
      if (mtime === null || mtime >= staleBefore) continue;
    }
    const claimed = await claimAs(deps, dir, from, claim.name);
    if (claimed === null) continue;
    // A file over the limit never had its content claimed (the poll refuses it before reading it), and
    // reading it here would be unbounded: one over 2 GiB made every poll throw and stalled the inbox.
    if ((await stat(claimed)).size <= deps.config.statementMaxBytes) {
      const sha256 = createHash("sha256").update(await readFile(claimed)).digest("hex");
      await releaseUnsettledInboxFile(deps.database.db, { sha256, name: claim.name });
    }
    deps.logger.warn({ file: claim.name, claimer: `${claim.host}:${claim.pid}`, reason: dead ? "claimer died" : "claim too old" }, "bank inbox: recovering a claimed file");
    recovered.push({ claimed, name: claim.name });
  }
  return recovered;
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
  const work = await recoverStaleClaims(deps, dir);
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && !skipped(e.name)).map((e) => e.name).sort().slice(0, BATCH);
  for (const name of names) {
    const claimed = await claimAs(deps, dir, path.join(dir, name), name);
    if (claimed !== null) work.push({ claimed, name });
  }
  for (const { claimed, name } of work) {
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
  return work.length;
}
