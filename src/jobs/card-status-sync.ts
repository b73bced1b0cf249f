// Job: resolve a card payment whose acquirer answer is unknown (provider error or lost answer).
import { STATUS_SYNC_JOB } from "../app/card/card-payments.js";
import { syncPaymentStatus } from "../app/card/card-status-sync.js";
import { registerJobHandler } from "../app/outbox/outbox.js";

registerJobHandler(STATUS_SYNC_JOB, async (deps, job) => {
  const { paymentId } = job.payload as { paymentId: string };
  const r = await syncPaymentStatus(deps, paymentId);
  return "done" in r ? { kind: "done" } : { kind: "retry", at: r.retryAt, error: r.reason };
});
