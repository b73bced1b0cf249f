// Housekeeping: expired idempotency keys and jobs finished more than a week ago are deleted, and
// personal data past its retention is purged (retention.ts), in bounded batches (the worker calls
// again at once while there is more).
import { deleteExpiredIdempotencyKeys } from "../../db/idempotency/idempotency-keys.js";
import { deleteFinishedJobsBefore } from "../../db/outbox/jobs.js";
import type { Deps } from "../deps.js";
import { purgeRetention } from "./retention.js";

const KEEP_DONE_JOBS_MS = 7 * 24 * 3600_000;

/** Deletes at most `batch` keys, `batch` jobs and `batch` rows of each retention class; returns how many rows went. */
export async function purgeExpired(deps: Deps, batch: number): Promise<number> {
  const now = deps.clock.now();
  const keys = await deleteExpiredIdempotencyKeys(deps.database.db, now, batch);
  const jobs = await deleteFinishedJobsBefore(deps.database.db, new Date(now.getTime() - KEEP_DONE_JOBS_MS), batch);
  const retained = await purgeRetention(deps, batch);
  return keys + jobs + Object.values(retained).reduce((a, b) => a + b, 0);
}
