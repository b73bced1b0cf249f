// The audit log's CSV download, shared by GET /admin/v1/audit.csv and the console's export button:
// streamed one batch at a time (csv-cells.ts says why).
import type { FastifyReply } from "fastify";
import { type AuditEntryView, type AuditQuery, exportAuditEntries } from "../../app/audit/audit-entries.js";
import type { Deps } from "../../app/deps.js";
import { csvLine, sendCsvStream } from "./csv-cells.js";

const HEADER = ["id", "seq", "at", "actor", "actor_name", "ip", "action", "subject", "details", "hash"];

const row = (e: AuditEntryView) => csvLine([e.id, e.seq, e.at.toISOString(), e.actor, e.actorName, e.ip, e.action, e.subject, JSON.stringify(e.details), e.hash]);

export function sendAuditCsv(reply: FastifyReply, deps: Deps, query: Omit<AuditQuery, "cursor" | "limit">) {
  const batches = exportAuditEntries(deps, query); // a bad filter throws here: a 400, not a broken download
  return sendCsvStream(reply, "audit-log.csv", HEADER, batches, row);
}
