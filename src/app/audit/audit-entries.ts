// The audit log as the console and the operator API read it: filters (actor, action, date range),
// keyset pages newest first, and the filtered set in batches for the CSV download.
import { AppError } from "../../core/shared/errors.js";
import { invalidCursor } from "../../core/shared/page-size.js";
import { type AuditFilter, type AuditRow, auditChainHead, listAudit } from "../../db/audit/audit-log.js";
import type { Deps } from "../deps.js";
import { dateParam } from "../payments/payment-explorer.js";

export const MAX_AUDIT_PAGE = 100;
const EXPORT_BATCH = 1000;

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  /** nextCursor of the previous page. */
  cursor?: string | undefined;
  limit?: number | undefined;
}

export interface AuditEntryView {
  id: string;
  seq: string | null;
  at: Date;
  actor: string;
  actorName: string | null;
  ip: string | null;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  hash: string | null;
}

const view = (r: AuditRow): AuditEntryView => ({
  id: r.id,
  seq: r.seq,
  at: r.created_at,
  actor: r.actor,
  actorName: r.actor_name,
  ip: r.ip,
  action: r.action,
  subject: r.subject,
  details: r.details,
  hash: r.hash,
});

const text = (field: string, v: string | undefined, max: number): string | undefined => {
  const t = v?.trim();
  if (!t) return undefined;
  if (t.length > max) throw new AppError("validation_failed", { field, message: `${field} is at most ${max} characters` });
  return t;
};

function filterOf(q: AuditQuery): Omit<AuditFilter, "limit" | "beforeId"> {
  const from = dateParam("from", q.from);
  const to = dateParam("to", q.to);
  const actor = text("actor", q.actor, 200);
  const action = text("action", q.action, 100);
  return { ...(actor ? { actor } : {}), ...(action ? { action } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

function cursorId(cursor: string | undefined): string | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  if (!/^[1-9][0-9]{0,17}$/.test(cursor)) throw invalidCursor();
  return cursor;
}

export async function auditEntriesPage(deps: Deps, q: AuditQuery): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const limit = Math.min(q.limit ?? 50, MAX_AUDIT_PAGE);
  const beforeId = cursorId(q.cursor);
  const rows = await listAudit(deps.database.db, { ...filterOf(q), ...(beforeId ? { beforeId } : {}), limit: limit + 1 });
  const items = rows.slice(0, limit).map(view);
  return { items, nextCursor: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** Every entry the filter matches, newest first, one batch at a time (a bad filter throws before the first batch is asked for). */
export function exportAuditEntries(deps: Deps, q: Omit<AuditQuery, "cursor" | "limit">): AsyncGenerator<AuditEntryView[]> {
  const filter = filterOf(q);
  return (async function* () {
    let beforeId: string | undefined;
    for (;;) {
      const rows = await listAudit(deps.database.db, { ...filter, ...(beforeId ? { beforeId } : {}), limit: EXPORT_BATCH });
      if (rows.length > 0) yield rows.map(view);
      if (rows.length < EXPORT_BATCH) return;
      beforeId = rows[rows.length - 1]!.id;
    }
  })();
}

/** The chain's head (its last entry's seq and hash) without verifying: the console shows it on every first page. */
export async function auditChainHeadNow(deps: Deps): Promise<{ seq: string; hash: string }> {
  const { seq, hash } = await auditChainHead(deps.database.db);
  return { seq, hash };
}
