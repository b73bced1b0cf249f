// Housekeeping: deletes expired idempotency keys and long-finished jobs (app/ops/purge-expired.ts).
import { purgeExpired } from "../app/ops/purge-expired.js";
import type { WorkerTask } from "./worker-task.js";

const BATCH = 1000;

export const purgeExpiredTask: WorkerTask = {
  name: "purge-expired",
  runOnce: (deps) => purgeExpired(deps, BATCH),
};
