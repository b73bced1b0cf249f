// Checks the audit log's hash chain (core/audit/audit-chain.ts) from the first entry to the head row:
// every seq present once and in order, every entry's prev_hash the hash of the one before, every hash
// the hash of the entry's content as it reads now, and the head naming the last entry. The first entry
// that fails is reported: an entry edited behind the append-only trigger's back fails its own hash; a
// removed one breaks the link of the next (or the head, when it was the last).
import { auditEntryHash, GENESIS_HASH } from "../../core/audit/audit-chain.js";
import { auditChainHead, auditChainPage, type AuditRow } from "../../db/audit/audit-log.js";
import type { Deps } from "../deps.js";

/** Entries read per query: verification holds one page in memory whatever the log's length. */
const PAGE = 1000;

type Problem = "content_changed" | "link_broken" | "entry_missing" | "head_mismatch";

export interface AuditChainReport {
  ok: boolean;
  /** Chained entries checked. */
  entries: number;
  /** Entries written before the chain began (migration 0044_a), not covered by it. */
  unchained: number;
  head: { seq: string; hash: string };
  /** The first entry that failed, with why (null when the chain is intact). */
  broken: { seq: string; id: string | null; problem: Problem } | null;
}

const PROBLEM_TEXT: Record<Problem, string> = {
  content_changed: "its content no longer matches its hash (edited)",
  link_broken: "its previous-hash does not match the entry before it (an entry before it was changed or removed)",
  entry_missing: "the entry with this seq is missing (removed)",
  head_mismatch: "the chain head does not name the last entry (the last entries were removed or the head edited)",
};

function checkEntry(row: AuditRow, expectedSeq: bigint, prevHash: string): Problem | null {
  if (BigInt(row.seq!) !== expectedSeq) return "entry_missing";
  if (row.prev_hash !== prevHash) return "link_broken";
  const content = { seq: row.seq!, actor: row.actor, actorName: row.actor_name, action: row.action, subject: row.subject, details: row.details, ip: row.ip, at: row.created_at };
  return auditEntryHash(prevHash, content) === row.hash ? null : "content_changed";
}

export async function verifyAuditChain(deps: Deps): Promise<AuditChainReport> {
  const db = deps.database.db;
  const head = await auditChainHead(db);
  const report = (entries: number, broken: AuditChainReport["broken"]): AuditChainReport => ({
    ok: broken === null,
    entries,
    unchained: head.unchained,
    head: { seq: head.seq, hash: head.hash },
    broken,
  });
  // Up to the head as it was read: entries appended meanwhile are the next run's to check.
  let prevHash = GENESIS_HASH;
  let expected = 1n;
  let entries = 0;
  for (;;) {
    const rows = await auditChainPage(db, (expected - 1n).toString(), head.seq, PAGE);
    for (const row of rows) {
      const problem = checkEntry(row, expected, prevHash);
      if (problem === "entry_missing") return report(entries, { seq: expected.toString(), id: null, problem });
      if (problem) return report(entries, { seq: row.seq!, id: row.id, problem });
      prevHash = row.hash!;
      expected++;
      entries++;
    }
    if (rows.length < PAGE) break;
  }
  if (expected - 1n < BigInt(head.seq)) return report(entries, { seq: expected.toString(), id: null, problem: "entry_missing" });
  if (prevHash !== head.hash) return report(entries, { seq: head.seq, id: null, problem: "head_mismatch" });
  return report(entries, null);
}

export function formatAuditChainReport(r: AuditChainReport): string {
  const lines = [`Audit log: ${r.entries} chained entries checked; head seq ${r.head.seq}, hash ${r.head.hash}.`];
  if (r.unchained > 0) lines.push(`${r.unchained} entries were written before the chain began (migration 0044_a) and are not covered by it.`);
  lines.push(r.broken ? `BROKEN at seq ${r.broken.seq}${r.broken.id ? ` (entry id ${r.broken.id})` : ""}: ${PROBLEM_TEXT[r.broken.problem]}.` : "The chain is intact.");
  return lines.join("\n");
}
