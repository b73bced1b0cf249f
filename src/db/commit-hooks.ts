// Work to do once a transaction has committed (counting a payment that was paid, say): a counter moved
// inside the transaction would count a rollback too. Every Kysely instance connect.ts builds is a
// CommitHookedKysely, whose transactions run their hooks after COMMIT and drop them on rollback. Its
// transactions are also where an operator action's audit entry is appended (db/audit/audit-scope.ts).
import { Kysely, type Transaction, type TransactionBuilder } from "kysely";
import { appendScopedAudit } from "./audit/audit-log.js";
import { beginAuditedTransaction } from "./audit/audit-scope.js";
import type { Db } from "./schema.js";

type Hook = () => void;

/** Hooks of each open transaction, by its Transaction object. */
const pending = new WeakMap<object, Hook[]>();

function hooked<DB>(builder: TransactionBuilder<DB>): TransactionBuilder<DB> {
  return new Proxy(builder, {
    get(target, prop, receiver) {
      if (prop === "execute") {
        return async <T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> => {
          const hooks: Hook[] = [];
          const result = await target.execute(async (trx) => {
            pending.set(trx, hooks);
            // An operator action's transaction carries its audit entry (db/audit/audit-scope.ts).
            const audited = beginAuditedTransaction(trx);
            const out = await fn(trx);
            if (audited && (await appendScopedAudit(trx as unknown as Db, audited))) hooks.push(() => (audited.scope.written = true));
            return out;
          });
          for (const hook of hooks) hook();
          return result;
        };
      }
      if (prop === "setAccessMode" || prop === "setIsolationLevel") {
        return (arg: never) => hooked(target[prop](arg));
      }
      return Reflect.get(target, prop, receiver);
    },
  });
}

export class CommitHookedKysely<DB> extends Kysely<DB> {
  override transaction(): TransactionBuilder<DB> {
    return hooked(super.transaction());
  }
}

/**
 * Runs `hook` after `db`'s transaction commits (never if it rolls back). Outside a transaction the
 * statement has already committed, so it runs at once. A hook must not throw: it only counts.
 */
export function afterCommit(db: object, hook: Hook): void {
  const hooks = pending.get(db);
  if (hooks) hooks.push(hook);
  else hook();
}
