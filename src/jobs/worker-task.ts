import type { Deps } from "../app/deps.js";

/**
 * A unit of background work polled by the worker. `runOnce` claims and does a bounded batch and
 * returns how many items it handled; the worker polls again at once while there is work, and every
 * poll interval otherwise. Tasks keep no timers in memory: due work lives in database rows.
 */
export interface WorkerTask {
  name: string;
  /** `stopping()` turns true when the worker stops: a task with a batch in hand finishes or releases it. */
  runOnce(deps: Deps, stopping?: () => boolean): Promise<number>;
  /** For a task whose work outlives runOnce (a pool of requests): resolves when that work is done. */
  drain?(deps: Deps): Promise<void>;
}
