// Runs due jobs (payment windows, expiries, timeouts, retries) through the handler table it is given
// (src/main/job-handlers.ts).
import type { JobHandlerTable } from "../app/outbox/outbox.js";
import { runDueJobs } from "../app/outbox/run-jobs.js";
import type { WorkerTask } from "./worker-task.js";

export function dispatchJobsTask<M>(handlers: JobHandlerTable<M>): WorkerTask {
  return { name: "dispatch-jobs", runOnce: (deps, stopping) => runDueJobs(deps, handlers, undefined, stopping) };
}
