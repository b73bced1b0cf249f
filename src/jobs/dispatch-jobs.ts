// Runs due jobs (payment windows, expiries, timeouts, retries) through their registered handlers.
import { runDueJobs } from "../app/outbox/run-jobs.js";
import type { WorkerTask } from "./worker-task.js";

export const dispatchJobsTask: WorkerTask = {
  name: "dispatch-jobs",
  runOnce: (deps) => runDueJobs(deps),
};
