// One dispatcher pass over due jobs: claim (short transaction, committed before any work), run each
// handler after commit, record each outcome in its own short transaction guarded by the lease.
import { MAX_JOB_ATTEMPTS, JOB_LEASE_MS, jobBackoffMs } from "../../core/jobs/job-retry.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { claimDueJobGroups, claimDueJobs, isGroupClaimBusy, finishJob, finishJobsDone, releaseJob, type ClaimedJobRow } from "../../db/outbox/jobs.js";
import type { Deps } from "../deps.js";
import type { JobBatchHandler, JobHandler, JobHandlerTable, JobOutcome } from "./outbox.js";
import { WORKER_ID } from "./worker-id.js";

const JOB_BATCH = 20;

/**
 * Runs the due jobs with `handlers` (src/main/job-handlers.ts in the worker; a test's own table in tests),
 * but none of `exceptKinds` (kinds a sweep of their own runs in batches).
 * Once `stopping()` says so (SIGTERM), the job running finishes and the rest of the batch is released
 * to the next worker at once instead of waiting out its lease.
 */
export async function runDueJobs<M>(
  deps: Deps,
  handlers: JobHandlerTable<M>,
  workerId = WORKER_ID,
  stopping: () => boolean = () => false,
  exceptKinds: readonly string[] = [],
): Promise<number> {
  const now = deps.clock.now();
  const claimed = await deps.database.db
    .transaction()
    .execute((trx) => claimDueJobs(trx, { now, leaseUntil: new Date(now.getTime() + JOB_LEASE_MS), workerId, limit: JOB_BATCH, exceptKinds }));
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
  let outcome: JobOutcome;
  if (!handler) {
    outcome = { kind: "retry", at: new Date(deps.clock.now().getTime() + jobBackoffMs(job.attempts)), error: `no handler for job kind ${job.kind}` };
  } else {
    try {
      outcome = await handler(deps, { id: job.id, key: job.key, payload: job.payload, attempts: job.attempts });
    } catch (err) {
      logOf(deps, job).error({ err }, "job handler threw");
      outcome = { kind: "retry", at: new Date(deps.clock.now().getTime() + jobBackoffMs(job.attempts)), error: errorText(err) };
    }
  }
  await recordOutcome(deps, job, outcome, workerId);
}

const logOf = (deps: Deps, job: ClaimedJobRow) => deps.logger.child({ jobId: job.id, jobKind: job.kind, attempt: job.attempts });

/**
 * A handler whose job must not be given up: a payout in flight, whose funds stay held until it ends. A
 * throw (a node down for hours) is retried with the capped backoff (at most every 10 minutes), past
 * MAX_JOB_ATTEMPTS too.
 */
export function retriedForever<P>(handler: JobHandler<P>): JobHandler<P> {
  return async (deps, job) => {
    try {
      return await handler(deps, job);
    } catch (err) {
      deps.logger.warn({ err, jobId: job.id, attempt: job.attempts }, "job failed; it is retried until it succeeds");
      return { kind: "retry", at: new Date(deps.clock.now().getTime() + jobBackoffMs(job.attempts)), error: errorText(err), forever: true };
    }
  };
}

/** Records one job's outcome under its lease; a retry past the last attempt becomes failed (unless retried forever). */
async function recordOutcome(deps: Deps, job: ClaimedJobRow, handled: JobOutcome, workerId: string): Promise<void> {
  const outcome: JobOutcome =
    handled.kind === "retry" && !handled.forever && job.attempts >= MAX_JOB_ATTEMPTS
      ? { kind: "failed", error: `gave up after ${job.attempts} attempts: ${handled.error}` }
      : handled;
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
      logOf(deps, job).error({ error: outcome.error }, "job failed");
      recorded = await finishJob(deps.database.db, { ...base, status: "failed", error: outcome.error });
      break;
    default:
      assertNever(outcome, "job outcome");
  }
  if (!recorded) logOf(deps, job).warn("job lease lost before its outcome was recorded; the newer claim owns it");
  else deps.metrics.jobAttempted(job.kind, outcome.kind === "failed" ? "dead" : outcome.kind);
}

/** Jobs a sweep claims at once: one transaction of its set-based handler per batch. */
const SWEEP_BATCH = 500;

/**
 * A sweep over the due jobs of one kind, SWEEP_BATCH at a time (`limit`), through a set-based handler
 * (a backlog of 100,000 expiries cleared in seconds instead of one transaction each, issue 16). The
 * single handler stays the kind's handler in the dispatcher's table; here it runs a batch's jobs one
 * by one should the batch throw, so one bad job holds back only itself. A batch takes whole groups
 * that no other worker's batch holds (claimDueJobGroups: the expiry's traders, so two workers' batches
 * share no counter or balance row).
 */
export async function runDueJobBatch<P>(
  deps: Deps,
  kind: string,
  handlers: { batch: JobBatchHandler<P>; single: JobHandler<P> },
  { workerId = WORKER_ID, limit = SWEEP_BATCH }: { workerId?: string; limit?: number } = {},
): Promise<number> {
  let claimed: ClaimedJobRow[];
  try {
    claimed = await deps.database.db
      .transaction()
      .execute((trx) => claimDueJobGroups(trx, { clock: () => deps.clock.now(), leaseMs: JOB_LEASE_MS, workerId, limit, kind }));
  } catch (err) {
    if (!isGroupClaimBusy(err)) throw err;
    deps.logger.warn({ jobKind: kind }, "another worker's claim held the sweep's claim lock too long: nothing claimed this round");
    return 0;
  }
  if (claimed.length === 0) return 0;
  deps.metrics.jobsClaimed(claimed.map((j) => j.kind));
  let outcomes: Map<string, JobOutcome>;
  try {
    outcomes = await handlers.batch(deps, claimed.map((j) => ({ id: j.id, key: j.key, payload: j.payload as P, attempts: j.attempts })));
  } catch (err) {
    deps.logger.warn({ err, jobKind: kind, jobs: claimed.length }, "job batch failed: running its jobs one by one");
    for (const job of claimed) await runOne(deps, handlers.single as JobHandler<unknown>, job, workerId);
    return claimed.length;
  }
  const done = claimed.filter((j) => outcomes.get(j.id)?.kind === "done");
  const recorded = await finishJobsDone(deps.database.db, { jobs: done, workerId, now: deps.clock.now() });
  for (const job of done) {
    if (recorded.has(job.id)) deps.metrics.jobAttempted(job.kind, "done");
    else logOf(deps, job).warn("job lease lost before its outcome was recorded; the newer claim owns it");
  }
  for (const job of claimed) {
    const outcome = outcomes.get(job.id);
    if (outcome?.kind === "done") continue;
    await recordOutcome(deps, job, outcome ?? { kind: "retry", at: deps.clock.now(), error: "the batch handler gave no outcome" }, workerId);
  }
  return claimed.length;
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).slice(0, 2000);
}
