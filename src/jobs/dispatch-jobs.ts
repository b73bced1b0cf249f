// Runs due jobs (payment windows, expiries, timeouts, retries) through the handler table it is given
// (src/main/job-handlers.ts).
import type { JobHandlerTable } from "../app/outbox/outbox.js";
import { runDueJobs } from "../app/outbox/run-jobs.js";
import type { WorkerTask } from "./worker-task.js";

/**
 * `sweptKinds`: kinds a sweep task of their own runs in batches (the trading expiry): left to it, since
 * taking them here one transaction each would only queue them behind the sweep's batches on the same
 * rows (bench/trading-expiry.ts, issue 16).
 */
export function dispatchJobsTask<M>(handlers: JobHandlerTable<M>, sweptKinds: readonly string[] = []): WorkerTask {
  return { name: "dispatch-jobs", runOnce: (deps, stopping) => runDueJobs(deps, handlers, undefined, stopping, sweptKinds) };
}
