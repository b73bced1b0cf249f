// Job: resolve a card payment whose acquirer answer is unknown (provider error or lost answer).
import { syncPaymentStatus } from "../app/card/card-status-sync.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";

export const cardStatusSyncJob: JobHandler<JobPayloads["card.payment_status_sync"]> = async (deps, job) => {
  const r = await syncPaymentStatus(deps, job.payload.paymentId);
  return "done" in r ? { kind: "done" } : { kind: "retry", at: r.retryAt, error: r.reason };
};
