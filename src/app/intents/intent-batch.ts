// Concurrent intent creates of this process share one transaction and one commit
// (app/batching/write-batcher.ts), each member's statements in turn. The commit is what the creates
// queued on: each announces its intent (intent_changed NOTIFY, migrations/0009), and PostgreSQL
// serialises the commits of notifying transactions, so one commit per batch instead of one per create.
// A member's statements still run one after another, so a few batches run at once (each on its own
// connection) to keep the round trips of a loaded server overlapping.
//
// A risk block is an everyday answer, not a fault: a member whose merchant has rules runs under a
// savepoint, and its block rolls back only its own work (its velocity counts). Anything else a member
// throws (an idempotency key taken over, a database error) fails the batch, whose members then run
// again one by one.
import { sql, type Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import { writeBatcher } from "../batching/write-batcher.js";
import { RiskBlockedError } from "../risk/assess-payment.js";

interface IntentWrite {
  write(trx: Transaction<DB>): Promise<unknown>;
  /** The merchant has risk rules: the member may be blocked, so it runs under a savepoint. */
  mayBeBlocked: boolean;
}

type Settled = { ok: true; value: unknown } | { ok: false; blocked: RiskBlockedError };

async function underSavepoint(trx: Transaction<DB>, m: IntentWrite): Promise<Settled> {
  await sql`SAVEPOINT intent_member`.execute(trx);
  try {
    const value = await m.write(trx);
    await sql`RELEASE SAVEPOINT intent_member`.execute(trx);
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof RiskBlockedError)) throw err;
    await sql`ROLLBACK TO SAVEPOINT intent_member`.execute(trx);
    return { ok: false, blocked: err };
  }
}

const writeSettled = writeBatcher<IntentWrite, Settled>(
  (database, members) =>
    database.db.transaction().execute(async (trx) => {
      const outs: Settled[] = [];
      for (const m of members) outs.push(m.mayBeBlocked ? await underSavepoint(trx, m) : { ok: true, value: await m.write(trx) });
      return outs;
    }),
  { maxBatch: 16, maxInFlight: 4 },
);

/** Runs `write` in a transaction shared with concurrent creates; throws what it threw (a risk block included). */
export async function writeIntentBatched<R>(database: Parameters<typeof writeSettled>[0], write: (trx: Transaction<DB>) => Promise<R>, mayBeBlocked: boolean): Promise<R> {
  const settled = await writeSettled(database, { write, mayBeBlocked });
  if (!settled.ok) throw settled.blocked;
  return settled.value as R;
}
