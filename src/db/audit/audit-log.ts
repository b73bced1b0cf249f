// The append-only audit log (migrations 0031_a, 0044_a): who did what to which subject, when, from
// where; rows are only ever inserted (the table's trigger refuses updates and deletes) and each is a
// link of the hash chain (core/audit/audit-chain.ts). Appending locks the chain's head row until the
// transaction ends, so concurrent appends take consecutive seqs in commit order.
import { sql } from "kysely";
import { auditEntryHash } from "../../core/audit/audit-chain.js";
import type { Db } from "../schema.js";
import { markExplicitAudit, type OpenTransaction } from "./audit-scope.js";

interface AuditEntry {
  actor: string;
  actorName?: string | null;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  ip: string | null;
  at: Date;
}

export interface AuditRow {
  id: string;
  seq: string | null;
  actor: string;
  actor_name: string | null;
  action: string;
  subject: string;
  details: Record<string, unknown>;
  ip: string | null;
  created_at: Date;
  prev_hash: string | null;
  hash: string | null;
}

const COLUMNS = sql`id::text AS id, seq::text AS seq, actor, actor_name, action, subject, details, ip, created_at, prev_hash, hash`;

export async function appendAudit(db: Db, e: AuditEntry): Promise<string> {
  const head = await sql<{ seq: string; hash: string }>`SELECT seq::text AS seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE`.execute(db);
  const prev = head.rows[0]!;
  const seq = (BigInt(prev.seq) + 1n).toString();
  // The hash covers the details as they read back from jsonb (a JSON round trip drops undefined fields).
  const details = JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>;
  const actorName = e.actorName ?? null;
  const hash = auditEntryHash(prev.hash, { seq, actor: e.actor, actorName, action: e.action, subject: e.subject, details, ip: e.ip, at: e.at });
  const r = await sql<{ id: string }>`
    INSERT INTO audit_log (seq, actor, actor_name, action, subject, details, ip, created_at, prev_hash, hash)
    VALUES (${seq}::bigint, ${e.actor}, ${actorName}, ${e.action}, ${e.subject}, ${JSON.stringify(details)}::jsonb, ${e.ip}, ${e.at}, ${prev.hash}, ${hash})
    RETURNING id::text AS id`.execute(db);
  await sql`UPDATE audit_chain_head SET seq = ${seq}::bigint, hash = ${hash} WHERE id = 1`.execute(db);
  markExplicitAudit(db);
  return r.rows[0]!.id;
}

/**
 * The audited action's entry, just before its transaction commits; false when the transaction wrote
 * nothing (a form that only read, an idempotent no-op), so there is nothing to record.
 */
export async function appendScopedAudit(trx: Db, { scope, changes, explicit }: OpenTransaction): Promise<boolean> {
  if (explicit) return true;
  const wrote = await sql<{ xid: string | null }>`SELECT pg_current_xact_id_if_assigned()::text AS xid`.execute(trx);
  if (wrote.rows[0]!.xid === null) return false;
  const details = changes.length > 0 ? { ...scope.details, changes } : scope.details;
  await appendAudit(trx, { actor: scope.actor, actorName: scope.actorName, action: scope.action, subject: scope.subject, details, ip: scope.ip, at: scope.now() });
  return true;
}

/** The entries for one subject and action, oldest first (bounded). */
export async function auditEntriesFor(db: Db, subject: string, action: string, limit = 100): Promise<AuditRow[]> {
  const r = await sql<AuditRow>`SELECT ${COLUMNS} FROM audit_log WHERE subject = ${subject} AND action = ${action} ORDER BY audit_log.id LIMIT ${limit}`.execute(db);
  return r.rows;
}

export interface AuditFilter {
  /** Exact actor ('staff:…', 'operator:…') or part of the actor's name. */
  actor?: string;
  /** An action or the start of one: 'kyc' matches kyc.cases.approve. */
  action?: string;
  from?: Date;
  to?: Date;
  /** Entries with a smaller id (the previous page's last). */
  beforeId?: string;
  limit: number;
}

/** Newest first. */
export async function listAudit(db: Db, f: AuditFilter): Promise<AuditRow[]> {
  const actor = f.actor
    ? sql`AND (actor = ${f.actor} OR strpos(lower(coalesce(actor_name, '')), lower(${f.actor})) > 0)`
    : sql``;
  const action = f.action ? sql`AND (action = ${f.action} OR starts_with(action, ${`${f.action}.`}))` : sql``;
  const from = f.from ? sql`AND created_at >= ${f.from}` : sql``;
  const to = f.to ? sql`AND created_at < ${f.to}` : sql``;
  const before = f.beforeId ? sql`AND id < ${f.beforeId}::bigint` : sql``;
  const r = await sql<AuditRow>`SELECT ${COLUMNS} FROM audit_log WHERE true ${actor} ${action} ${from} ${to} ${before} ORDER BY audit_log.id DESC LIMIT ${f.limit}`.execute(db);
  return r.rows;
}

/** Chained entries after `afterSeq` up to `lastSeq`, in chain order (verification reads the chain page by page). */
export async function auditChainPage(db: Db, afterSeq: string, lastSeq: string, limit: number): Promise<AuditRow[]> {
  const r = await sql<AuditRow>`SELECT ${COLUMNS} FROM audit_log WHERE seq > ${afterSeq}::bigint AND seq <= ${lastSeq}::bigint ORDER BY audit_log.seq LIMIT ${limit}`.execute(db);
  return r.rows;
}

export async function auditChainHead(db: Db): Promise<{ seq: string; hash: string; unchained: number }> {
  const r = await sql<{ seq: string; hash: string; unchained: string }>`
    SELECT h.seq::text AS seq, h.hash, (SELECT count(*) FROM audit_log WHERE seq IS NULL)::text AS unchained
    FROM audit_chain_head h WHERE h.id = 1`.execute(db);
  const row = r.rows[0]!;
  return { seq: row.seq, hash: row.hash, unchained: Number(row.unchained) };
}
