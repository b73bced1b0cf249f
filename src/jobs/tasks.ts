// Every background task the worker runs. Each area adds its task here.
import { expireHoldsTask } from "./expire-holds.js";
import type { WorkerTask } from "./worker-task.js";

export const workerTasks: WorkerTask[] = [expireHoldsTask];
