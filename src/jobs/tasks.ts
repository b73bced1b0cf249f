// Every background task the worker runs. Each area adds its task here.
import { deliverWebhooksTask } from "./deliver-webhooks.js";
import { dispatchJobsTask } from "./dispatch-jobs.js";
import { expireHoldsTask } from "./expire-holds.js";
import "./handlers.js";
import { purgeExpiredTask } from "./purge-expired.js";
import type { WorkerTask } from "./worker-task.js";

export const workerTasks: WorkerTask[] = [dispatchJobsTask, deliverWebhooksTask, purgeExpiredTask, expireHoldsTask];
