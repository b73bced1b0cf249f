// A CLI command that changes state runs as one audited action, like an operator API request: the actor
// is `cli:<OS user>`, with no address. runCliAction is for a command whose change goes through the
// app's use cases (operator create, keys create, seed, secret rotate, webhooks redeliver, bank, risk
// simulate): the entry lands in the first transaction the use case commits (db/audit/audit-scope.ts),
// so a command that fails, or changes nothing, writes none. recordCliAction is for a change made
// outside them (migrate applies its files through its own connection): the entry is written after it.
import os from "node:os";
import { appendAudit } from "../../db/audit/audit-log.js";
import { type AuditScope, runInAuditScope } from "../../db/audit/audit-scope.js";
import type { Deps } from "../deps.js";

interface CliAction {
  /** Dotted like the operator API's action of the same use case (webhooks.messages.redeliver), else the command's words. */
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

function cliScope(deps: Deps, a: CliAction): AuditScope {
  const user = os.userInfo().username;
  return {
    actor: `cli:${user}`,
    actorName: user,
    ip: null,
    action: a.action,
    subject: a.subject,
    details: { via: "cli", ...a.details },
    now: () => deps.clock.now(),
    written: false,
    closed: false,
  };
}

export async function runCliAction<T>(deps: Deps, a: CliAction, fn: () => Promise<T>): Promise<T> {
  const scope = cliScope(deps, a);
  try {
    return await runInAuditScope(scope, fn);
  } finally {
    scope.closed = true;
  }
}

/** One entry for a change the command made outside the app's transactions, in a transaction of its own. */
export async function recordCliAction(deps: Deps, a: CliAction): Promise<void> {
  const s = cliScope(deps, a);
  await deps.database.db.transaction().execute((trx) => appendAudit(trx, { actor: s.actor, actorName: s.actorName, action: s.action, subject: s.subject, details: s.details, ip: s.ip, at: s.now() }));
}
