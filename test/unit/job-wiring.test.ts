// The job wiring is checked by the compiler: `npm run typecheck` (CI runs it before the suite) fails
// if any @ts-expect-error below stops being an error, that is, if a missing handler, a handler of
// another kind's payload, a wrong payload or an unknown kind ever compiles again. The runtime part
// checks that the table built in src/main/ holds a function for every kind and nothing else.
import assert from "node:assert/strict";
import { test } from "node:test";
import { enqueueJob, type JobHandlers, type JobKind } from "../../src/app/outbox/outbox.js";
import type { Db } from "../../src/db/schema.js";
import { cardStatusSyncJob } from "../../src/jobs/card-status-sync.js";
import { jobHandlers } from "../../src/main/job-handlers.js";

const KINDS: Record<JobKind, true> = {
  "intent.timeout": true,
  "intent.payout": true,
  "intent.payout_poll": true,
  "kyc.vendor_check": true,
  "card.payment_status_sync": true,
  "card.challenge_timeout": true,
  "trading.payin_expire": true,
  "trading.dispute_auto_resolve": true,
  "trading.settle_recalculated": true,
  "files.delete": true,
  "withdrawal.payout": true,
  "withdrawal.payout_poll": true,
  "withdrawal.payout_cancel": true,
};

test("the worker's job-handler table has one handler per job kind", () => {
  assert.deepEqual(Object.keys(jobHandlers).sort(), Object.keys(KINDS).sort());
  for (const h of Object.values(jobHandlers)) assert.equal(typeof h, "function");
});

test("a missing handler, a mismatched handler, a wrong payload or an unknown kind does not compile", () => {
  const { "intent.timeout": _timeout, ...withoutTimeout } = jobHandlers;
  // @ts-expect-error a table without the "intent.timeout" handler
  const missing: JobHandlers = withoutTimeout;
  // @ts-expect-error a card payment handler ({ paymentId }) for an intent job ({ intentId })
  const mismatched: JobHandlers = { ...jobHandlers, "intent.timeout": cardStatusSyncJob };
  async function neverCalled(db: Db) {
    // @ts-expect-error the payload of another kind
    await enqueueJob(db, "intent.timeout", { paymentId: "p" }, { key: "k" });
    // @ts-expect-error a kind JobPayloads does not name
    await enqueueJob(db, "intent.unknown", { intentId: "i" }, { key: "k" });
  }
  assert.ok(missing && mismatched && neverCalled);
});
