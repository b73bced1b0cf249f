// The append-only audit log (migration 0031_a): who did what to which subject, when. Rows are only
// ever inserted; the table's trigger refuses updates and deletes.
import { sql } from "kysely";
import type { Db } from "../schema.js";

interface AuditEntry {
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  ip: string | null;
  at: Date;
}

interface AuditRow {
  id: string;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  ip: string | null;
  created_at: Date;
}

export async function appendAudit(db: Db, e: AuditEntry): Promise<string> {
  const r = await sql<{ id: string }>`
    INSERT INTO audit_log (actor, action, subject, details, ip, created_at)
    VALUES (${e.actor}, ${e.action}, ${e.subject}, ${JSON.stringify(e.details)}::jsonb, ${e.ip}, ${e.at})
    RETURNING id::text AS id`.execute(db);
  return r.rows[0]!.id;
}

/** The entries for one subject and action, oldest first (bounded). */
export async function auditEntriesFor(db: Db, subject: string, action: string, limit = 100): Promise<AuditRow[]> {
  const r = await sql<AuditRow>`
    SELECT id::text AS id, actor, action, subject, details, ip, created_at FROM audit_log
    WHERE subject = ${subject} AND action = ${action} ORDER BY id LIMIT ${limit}`.execute(db);
  return r.rows;
}
