// When to try a webhook again. The first attempt is immediate; after each failure the next waits
// 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h, 48 h (±10 % jitter so a recovering receiver is not
// hit by every message at once). After the 10th failed attempt the message is failed: it stays
// visible and can be redelivered by an operator.

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;

/** Wait before attempt n+2, after attempt n+1 failed. */
const RETRY_DELAYS_MS: readonly number[] = [5 * S, MIN, 5 * MIN, 30 * MIN, 2 * H, 5 * H, 10 * H, 24 * H, 48 * H];
export const MAX_WEBHOOK_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
const JITTER = 0.1;
/** A receiver's Retry-After is honoured up to this long. */
const RETRY_AFTER_CAP_MS = 24 * H;

/**
 * Delay after `attemptsMade` failed attempts, or null when the message has used all its attempts.
 * `rand` returns [0, 1) and is injected so tests can pin the jitter.
 */
export function retryDelayMs(attemptsMade: number, rand: () => number): number | null {
  const base = RETRY_DELAYS_MS[attemptsMade - 1];
  if (base === undefined || attemptsMade < 1) return null;
  return Math.round(base * (1 + (rand() * 2 - 1) * JITTER));
}

/**
 * Retry-After as delta-seconds or an HTTP-date, in ms from `now`, capped; null when absent or
 * unreadable. A date in the past means "now" (0).
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  let ms: number;
  if (/^\d+$/.test(v)) ms = Number(v) * S;
  else {
    const at = Date.parse(v);
    if (Number.isNaN(at) || !/[a-z]/i.test(v)) return null;
    ms = Math.max(0, at - now.getTime());
  }
  return Math.min(ms, RETRY_AFTER_CAP_MS);
}

/**
 * What a response status means. Only 2xx is delivered; redirects are not followed and count as a
 * failure like any other status; 410 means the receiver is gone for good.
 */
type StatusClass = "delivered" | "gone" | "throttled" | "retry";

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return "delivered";
  if (status === 410) return "gone";
  if (status === 429 || status === 503) return "throttled";
  return "retry";
}

type AttemptResult = { kind: "response"; status: number; retryAfter?: string } | { kind: "error"; error: string };

type NextStep =
  | { kind: "delivered" }
  | { kind: "disable_endpoint"; error: string }
  | { kind: "retry"; at: Date; error: string }
  | { kind: "failed"; error: string };

/** The decision after attempt number `attemptsMade` (1-based) ended with `result`. */
export function nextStep(result: AttemptResult, attemptsMade: number, now: Date, rand: () => number): NextStep {
  let error: string;
  let wait: number | null = null;
  if (result.kind === "error") error = result.error;
  else {
    const cls = classifyStatus(result.status);
    if (cls === "delivered") return { kind: "delivered" };
    if (cls === "gone") return { kind: "disable_endpoint", error: "HTTP 410: endpoint gone" };
    error = result.status >= 300 && result.status < 400 ? `HTTP ${result.status}: redirect not followed` : `HTTP ${result.status}`;
    if (cls === "throttled") wait = parseRetryAfter(result.retryAfter, now);
  }
  const delay = retryDelayMs(attemptsMade, rand);
  if (delay === null) return { kind: "failed", error: `gave up after ${attemptsMade} attempts: ${error}` };
  // Retry-After only ever lengthens the wait: a receiver answering "Retry-After: 0" must not burn
  // all ten attempts in seconds, which would fail a message meant to be retried for days.
  return { kind: "retry", at: new Date(now.getTime() + Math.max(wait ?? 0, delay)), error };
}
