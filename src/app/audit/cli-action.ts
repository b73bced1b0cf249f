// A CLI command that changes state (`rampart operator create`, `rampart keys create`) runs as one audited
// action, like an operator API request: the actor is `cli:<OS user>`, with no address, and the entry
// lands in the first transaction the command's use case commits (db/audit/audit-scope.ts), so a
// command that fails writes none.
import os from "node:os";
import { runInAuditScope } from "../../db/audit/audit-scope.js";
import type { Deps } from "../deps.js";

export async function runCliAction<T>(deps: Deps, a: { action: string; subject: string; details: Record<string, unknown> }, fn: () => Promise<T>): Promise<T> {
  const user = os.userInfo().username;
  const scope = {
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
  try {
    return await runInAuditScope(scope, fn);
  } finally {
    scope.closed = true;
  }
}
