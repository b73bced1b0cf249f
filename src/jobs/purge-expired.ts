// Housekeeping: deletes expired idempotency keys and jobs finished more than a week ago, in bounded
// batches (the worker calls again at once while there is more).
import { deleteExpiredIdempotencyKeys } from "../db/idempotency/idempotency-keys.js";
import { deleteFinishedJobsBefore } from "../db/outbox/jobs.js";
import type { WorkerTask } from "./worker-task.js";

const BATCH = 1000;
const KEEP_DONE_JOBS_MS = 7 * 24 * 3600_000;

export const purgeExpiredTask: WorkerTask = {
  name: "purge-expired",
  async runOnce(deps) {
    const now = deps.clock.now();
    const keys = await deleteExpiredIdempotencyKeys(deps.database.db, now, BATCH);
    const jobs = await deleteFinishedJobsBefore(deps.database.db, new Date(now.getTime() - KEEP_DONE_JOBS_MS), BATCH);
    return keys + jobs;
  },
};
