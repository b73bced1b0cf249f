// Every background task the worker runs. Each area adds its task here.
import { deliverWebhooksTask } from "./deliver-webhooks.js";
import { dispatchJobsTask } from "./dispatch-jobs.js";
import "./handlers.js";
import type { WorkerTask } from "./worker-task.js";

export const workerTasks: WorkerTask[] = [dispatchJobsTask, deliverWebhooksTask];
