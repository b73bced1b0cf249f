// The audit log's CSV download, shared by GET /admin/v1/audit.csv and the console's export button:
// streamed one batch at a time (payments-csv.ts says why).
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";
import { type AuditEntryView, type AuditQuery, exportAuditEntries } from "../../app/audit/audit-entries.js";
import type { Deps } from "../../app/deps.js";
import { csvLine } from "./csv-cells.js";

const HEADER = ["id", "seq", "at", "actor", "actor_name", "ip", "action", "subject", "details", "hash"];

const row = (e: AuditEntryView) => csvLine([e.id, e.seq, e.at.toISOString(), e.actor, e.actorName, e.ip, e.action, e.subject, JSON.stringify(e.details), e.hash]);

export function sendAuditCsv(reply: FastifyReply, deps: Deps, query: Omit<AuditQuery, "cursor" | "limit">) {
  const batches = exportAuditEntries(deps, query); // a bad filter throws here: a 400, not a broken download
  async function* lines() {
    yield csvLine(HEADER);
    for await (const batch of batches) yield batch.map(row).join("");
  }
  return reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", 'attachment; filename="audit-log.csv"')
    .header("cache-control", "no-store")
    .send(Readable.from(lines(), { objectMode: false }));
}
