// The audit log as tests read it: the newest entry, and how many there are (an action refused or failed
// must leave the count as it was).
import { sql } from "kysely";
import type { Deps } from "../../src/app/deps.js";

export const lastAuditEntry = async (deps: Deps) =>
  (await sql<{ actor: string; action: string; subject: string; details: Record<string, any> }>`SELECT actor, action, subject, details FROM audit_log ORDER BY id DESC LIMIT 1`.execute(deps.database.db))
    .rows[0]!;

export const auditEntryCount = async (deps: Deps) => Number((await sql<{ n: string }>`SELECT count(*) AS n FROM audit_log`.execute(deps.database.db)).rows[0]!.n);
