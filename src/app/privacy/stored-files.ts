// Deleting stored files (KYC documents, receipts) whose rows an erasure or the retention purge has
// changed. The keys are written as a files.delete job in the same transaction, so a crash after the
// commit still deletes them; the caller may also delete at once after the commit (deleting twice is
// a no-op), which is what the operator's erasure does so the files are gone when it answers.
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { enqueueJob } from "../outbox/outbox.js";

/** A files.delete job carries at most this many keys (a bigger set is split). */
const KEYS_PER_JOB = 200;

/** Writes files.delete jobs for `keys` in the caller's transaction; `keyPrefix` makes the job keys unique. */
export async function enqueueFileDeletion(deps: Deps, trx: Transaction<DB>, keys: readonly string[], keyPrefix: string): Promise<void> {
  for (let i = 0; i < keys.length; i += KEYS_PER_JOB) {
    await enqueueJob(trx, "files.delete", { keys: keys.slice(i, i + KEYS_PER_JOB) }, { key: `${keyPrefix}:${deps.ids.uuid()}` });
  }
}

/** Deletes the files now; returns how many keys were handled. */
export async function deleteStoredFiles(deps: Deps, keys: readonly string[]): Promise<number> {
  for (const key of keys) await deps.ports.files.delete(key);
  return keys.length;
}
