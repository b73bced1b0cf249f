// Retry policy for jobs whose handler threw or that have no handler in this process: exponential
// backoff, bounded attempts. (A handler's own { kind: "retry", at } is honoured as given.)

/** After this many claims a job is marked failed, whatever the handler says. */
export const MAX_JOB_ATTEMPTS = 25;

/** How long a claimed job stays leased to its worker; an expired lease makes it claimable again. */
export const JOB_LEASE_MS = 60_000;

/** 1 s, 2 s, 4 s, ... capped at 10 min; `attempts` counts the run that just failed (≥ 1). */
export function jobBackoffMs(attempts: number): number {
  return Math.min(1000 * 2 ** Math.max(0, attempts - 1), 10 * 60_000);
}
