// One dispatcher pass over due jobs: claim (short transaction, committed before any work), run each
// handler after commit, record each outcome in its own short transaction guarded by the lease.
import { MAX_JOB_ATTEMPTS, JOB_LEASE_MS, jobBackoffMs } from "../../core/jobs/job-retry.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { claimDueJobs, finishJob, releaseJob, type ClaimedJobRow } from "../../db/outbox/jobs.js";
import type { Deps } from "../deps.js";
import type { JobHandler, JobHandlerTable, JobOutcome } from "./outbox.js";
import { WORKER_ID } from "./worker-id.js";

const JOB_BATCH = 20;

/**
 * Runs the due jobs with `handlers` (src/main/job-handlers.ts in the worker; a test's own table in tests).
 * Once `stopping()` says so (SIGTERM), the job running finishes and the rest of the batch is released
 * to the next worker at once instead of waiting out its lease.
 */
export async function runDueJobs<M>(deps: Deps, handlers: JobHandlerTable<M>, workerId = WORKER_ID, stopping: () => boolean = () => false): Promise<number> {
  const now = deps.clock.now();
  const claimed = await deps.database.db
    .transaction()
    .execute((trx) => claimDueJobs(trx, { now, leaseUntil: new Date(now.getTime() + JOB_LEASE_MS), workerId, limit: JOB_BATCH }));
  deps.metrics.jobsClaimed(claimed.map((j) => j.kind));
  let ran = 0;
  for (const job of claimed) {
    if (stopping()) {
      await releaseJob(deps.database.db, { id: job.id, workerId, attempts: job.attempts, now: deps.clock.now() });
      continue;
    }
    await runOne(deps, handlerOf(handlers, job.kind), job, workerId);
    ran++;
  }
  return ran;
}

/**
 * The handler for a stored row's kind. enqueueJob typed the kind and its payload together, so the
 * row's JSON payload is the handler's type. A kind this table lacks (a row written by another
 * version) gets none and is retried, not lost.
 */
function handlerOf<M>(handlers: JobHandlerTable<M>, kind: string): JobHandler<unknown> | undefined {
  return Object.hasOwn(handlers, kind) ? (handlers[kind as keyof M] as JobHandler<unknown>) : undefined;
}

async function runOne(deps: Deps, handler: JobHandler<unknown> | undefined, job: ClaimedJobRow, workerId: string): Promise<void> {
  const log = deps.logger.child({ jobId: job.id, jobKind: job.kind, attempt: job.attempts });
  let outcome: JobOutcome;
  if (!handler) {
    outcome = { kind: "retry", at: new Date(deps.clock.now().getTime() + jobBackoffMs(job.attempts)), error: `no handler for job kind ${job.kind}` };
  } else {
    try {
      outcome = await handler(deps, { id: job.id, key: job.key, payload: job.payload, attempts: job.attempts });
    } catch (err) {
      log.error({ err }, "job handler threw");
      outcome = { kind: "retry", at: new Date(deps.clock.now().getTime() + jobBackoffMs(job.attempts)), error: errorText(err) };
    }
  }
  if (outcome.kind === "retry" && job.attempts >= MAX_JOB_ATTEMPTS) {
    outcome = { kind: "failed", error: `gave up after ${job.attempts} attempts: ${outcome.error}` };
  }
  const base = { id: job.id, workerId, attempts: job.attempts, now: deps.clock.now() };
  let recorded: boolean;
  switch (outcome.kind) {
    case "done":
      recorded = await finishJob(deps.database.db, { ...base, status: "done" });
      break;
    case "retry":
      recorded = await finishJob(deps.database.db, { ...base, status: "pending", dueAt: outcome.at, error: outcome.error });
      break;
    case "failed":
      log.error({ error: outcome.error }, "job failed");
      recorded = await finishJob(deps.database.db, { ...base, status: "failed", error: outcome.error });
      break;
    default:
      assertNever(outcome, "job outcome");
  }
  if (!recorded) log.warn("job lease lost before its outcome was recorded; the newer claim owns it");
  else deps.metrics.jobAttempted(job.kind, outcome.kind === "failed" ? "dead" : outcome.kind);
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 2000);
}
