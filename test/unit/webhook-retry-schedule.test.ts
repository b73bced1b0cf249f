import assert from "node:assert/strict";
import { test } from "node:test";
import { classifyStatus, MAX_WEBHOOK_ATTEMPTS, nextStep, parseRetryAfter, retryDelayMs } from "../../src/core/webhooks/retry-schedule.js";

const mid = () => 0.5; // no jitter
const S = 1000;

test("schedule: immediately, then 5 s, 1 min, 5 min, 30 min, 2 h, 5 h, 10 h, 24 h, 48 h, then failed", () => {
  const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => retryDelayMs(n, mid));
  assert.deepEqual(delays, [5 * S, 60 * S, 300 * S, 1800 * S, 7200 * S, 18000 * S, 36000 * S, 86400 * S, 172800 * S, null]);
  assert.equal(MAX_WEBHOOK_ATTEMPTS, 10);
});

test("jitter stays within ±10 %", () => {
  assert.equal(retryDelayMs(2, () => 0), 54 * S);
  assert.equal(retryDelayMs(2, () => 0.999999), 66 * S);
});

test("classification: 2xx delivered, 410 gone, 429/503 throttled, everything else (3xx too) retried", () => {
  assert.equal(classifyStatus(200), "delivered");
  assert.equal(classifyStatus(204), "delivered");
  assert.equal(classifyStatus(410), "gone");
  assert.equal(classifyStatus(429), "throttled");
  assert.equal(classifyStatus(503), "throttled");
  for (const s of [100, 301, 302, 304, 400, 404, 500, 502]) assert.equal(classifyStatus(s), "retry", String(s));
});

test("Retry-After: delta-seconds or HTTP-date, capped at 24 h", () => {
  const now = new Date("2026-01-15T10:00:00Z");
  assert.equal(parseRetryAfter("120", now), 120 * S);
  assert.equal(parseRetryAfter("Thu, 15 Jan 2026 10:02:00 GMT", now), 120 * S);
  assert.equal(parseRetryAfter("Thu, 15 Jan 2026 09:00:00 GMT", now), 0);
  assert.equal(parseRetryAfter("999999999", now), 24 * 3600 * S);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter("-5", now), null);
  assert.equal(parseRetryAfter(undefined, now), null);
});

test("nextStep", () => {
  const now = new Date("2026-01-15T10:00:00Z");
  assert.deepEqual(nextStep({ kind: "response", status: 200 }, 1, now, mid), { kind: "delivered" });
  assert.equal(nextStep({ kind: "response", status: 410 }, 1, now, mid).kind, "disable_endpoint");
  assert.deepEqual(nextStep({ kind: "response", status: 500 }, 1, now, mid), { kind: "retry", at: new Date(now.getTime() + 5 * S), error: "HTTP 500" });
  assert.deepEqual(nextStep({ kind: "response", status: 301 }, 2, now, mid), {
    kind: "retry",
    at: new Date(now.getTime() + 60 * S),
    error: "HTTP 301: redirect not followed",
  });
  assert.deepEqual(nextStep({ kind: "response", status: 429, retryAfter: "120" }, 1, now, mid), {
    kind: "retry",
    at: new Date(now.getTime() + 120 * S),
    error: "HTTP 429",
  });
  assert.deepEqual(nextStep({ kind: "response", status: 503 }, 1, now, mid).kind, "retry");
  const soon = (retryAfter: string, attemptsMade: number) => {
    const step = nextStep({ kind: "response", status: 429, retryAfter }, attemptsMade, now, mid);
    return step.kind === "retry" ? step.at.getTime() - now.getTime() : null;
  };
  assert.equal(soon("0", 1), 5 * S, "Retry-After shorter than the schedule does not shorten it");
  assert.equal(soon("1", 3), 300 * S);
  assert.equal(soon("Thu, 15 Jan 2026 09:00:00 GMT", 2), 60 * S, "a date in the past neither");
  assert.deepEqual(nextStep({ kind: "error", error: "timeout" }, 10, now, mid), { kind: "failed", error: "gave up after 10 attempts: timeout" });
});
