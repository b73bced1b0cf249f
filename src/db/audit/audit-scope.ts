// The choke point that makes every operator action write one audit entry in the transaction of its
// change. The operator API and the console enter an audit scope for each state-changing request
// (src/http/plugins/audit-scope.ts) after authentication and the role check; every transaction the
// request's use case opens (CommitHookedKysely, commit-hooks.ts) then appends the scope's entry just
// before its COMMIT when it wrote something. So an action that rolls back leaves no entry, and one that
// commits cannot lack one, without each use case having to remember to write it.
//
// A request's use case may commit several transactions: the first one that writes carries the entry
// (the scope is marked written after that commit); one that rolled back leaves the scope unwritten, so
// the next writing transaction carries it. A use case that writes its own entry (appendAudit, e.g.
// customer erasure with its keyed subject) stands for the scope's in that transaction.
import { AsyncLocalStorage } from "node:async_hooks";

export interface AuditScope {
  /** 'staff:<account id>' (console), 'operator:<key id>' (operator API) or 'cli:<OS user>' (a CLI command). */
  actor: string;
  /** The person's e-mail or the key's name as it is now. */
  actorName: string;
  /** The client's address; null for a CLI command. */
  ip: string | null;
  /** Dotted, from the route: e.g. kyc.cases.approve. */
  action: string;
  /** The route's path parameters, joined with / (empty when it has none). */
  subject: string;
  /** api or console, the route, and what the request asked for (path parameters and form or JSON fields, secrets left out). */
  details: Record<string, unknown>;
  /** The entry's time (deps.clock, so tests and the sandbox clock move it). */
  now: () => Date;
  /** Set once a transaction carrying the entry committed. */
  written: boolean;
  /** Set when the response has gone: work the request started in the background is not its action. */
  closed: boolean;
}

/** One status a change moved something from and to (a flow's event writers note it, e.g. insertKycEvent). */
interface AuditChange {
  subject: string;
  before: unknown;
  after: unknown;
}

export interface OpenTransaction {
  scope: AuditScope;
  changes: AuditChange[];
  /** The use case wrote its own entry in this transaction. */
  explicit: boolean;
}

const current = new AsyncLocalStorage<AuditScope>();
const open = new WeakMap<object, OpenTransaction>();

/** Runs `fn` (and everything it starts) as one audited operator action. */
export function runInAuditScope<T>(scope: AuditScope, fn: () => T): T {
  return current.run(scope, fn);
}

/**
 * Runs `fn` outside any audited action: work a request does before its action (the step-up's TOTP
 * check, which writes the code's time step and counts failures) is not the action and must not carry
 * its entry, nor leave one when the action is then refused.
 */
export function outsideAuditScope<T>(fn: () => T): T {
  return current.exit(fn);
}

/** Whether the caller is inside an audited action (its transactions carry the action's entry). */
export function inAuditScope(): boolean {
  return current.getStore() !== undefined;
}

/** Called as a transaction starts: whether it belongs to an audited action that has no entry yet. */
export function beginAuditedTransaction(trx: object): OpenTransaction | undefined {
  const scope = current.getStore();
  if (!scope || scope.written || scope.closed) return undefined;
  const t: OpenTransaction = { scope, changes: [], explicit: false };
  open.set(trx, t);
  return t;
}

/** Records a status change in the open audited transaction `db` (nothing outside one). */
export function noteAuditChange(db: object, change: AuditChange): void {
  const t = open.get(db);
  if (t && t.changes.length < MAX_CHANGES) t.changes.push(change);
}

/** A use case wrote its own entry in `db`'s transaction: it is the action's entry. */
export function markExplicitAudit(db: object): void {
  const t = open.get(db);
  if (t) t.explicit = true;
}

/** Bounded: a bulk action (redeliver every failed message) notes its first changes only. */
const MAX_CHANGES = 50;
