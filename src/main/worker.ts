// The background worker: polls every task, never overlapping runs of one task in this process.
// Several worker processes may share one PostgreSQL; tasks arbitrate through the database.
import type { Deps } from "../app/deps.js";
import { workerTasks } from "../jobs/tasks.js";
import { jobHandlers } from "./job-handlers.js";
import type { WorkerTask } from "../jobs/worker-task.js";

export interface RunningWorker {
  stop(): Promise<void>;
}

export function startWorker(deps: Deps, tasks: WorkerTask[] = workerTasks(jobHandlers)): RunningWorker {
  let stopping = false;
  // Idle waits end early on stop, so stopping never waits out a poll interval.
  const sleepers = new Set<() => void>();
  const idle = () =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, deps.config.pollIntervalMs);
      sleepers.add(done);
    });
  const loops = tasks.map(async (task) => {
    while (!stopping) {
      let handled = 0;
      try {
        handled = await task.runOnce(deps, () => stopping);
      } catch (err) {
        deps.logger.error({ err, task: task.name }, "worker task failed");
      }
      if (handled === 0 && !stopping) await idle();
    }
  });
  return {
    async stop() {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      await Promise.all(loops);
      await Promise.all(tasks.map((t) => t.drain?.(deps)));
    },
  };
}
