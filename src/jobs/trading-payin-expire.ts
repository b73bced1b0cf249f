// Due-time job: at the end of a pay-in's payment window, cancel it if still active (hold voided,
// webhook enqueued). Idempotent: the use case locks the rows and re-checks their status. The expiry
// sweep (tradingExpirySweepTask) runs them in batches, and the dispatcher leaves them to it (tasks.ts);
// the single handler runs a batch's jobs one by one should the batch throw.
import type { Deps } from "../app/deps.js";
import { expireTradingPayins } from "../app/trading/payin-lifecycle.js";
import type { JobBatchHandler, JobHandler, JobOutcome, JobPayloads } from "../app/outbox/outbox.js";
import { runDueJobBatch } from "../app/outbox/run-jobs.js";
import type { WorkerTask } from "./worker-task.js";

export const TRADING_EXPIRE_KIND = "trading.payin_expire";
type Payload = JobPayloads[typeof TRADING_EXPIRE_KIND];

function outcomeOf(r: "expired" | "not_active" | { notYet: Date }): JobOutcome {
  return typeof r === "object" ? { kind: "retry", at: r.notYet, error: "payment window not over yet" } : { kind: "done" };
}

export const tradingPayinExpireJob: JobHandler<Payload> = async (deps, job) =>
  outcomeOf((await expireTradingPayins(deps, [job.payload.payinId])).get(job.payload.payinId)!);

const expireBatch: JobBatchHandler<Payload> = async (deps, jobs) => {
  const results = await expireTradingPayins(deps, jobs.map((j) => j.payload.payinId));
  return new Map(jobs.map((j) => [j.id, outcomeOf(results.get(j.payload.payinId)!)]));
};

/** One pass of the sweep: a batch of due expiry jobs claimed (as `workerId`, up to `limit`) and expired in one transaction. */
export const sweepTradingExpiries = (deps: Deps, o?: { workerId?: string; limit?: number }) =>
  runDueJobBatch(deps, TRADING_EXPIRE_KIND, { batch: expireBatch, single: tradingPayinExpireJob }, o);

export const tradingExpirySweepTask: WorkerTask = {
  name: "trading.expiry_sweep",
  runOnce: (deps) => sweepTradingExpiries(deps),
};
