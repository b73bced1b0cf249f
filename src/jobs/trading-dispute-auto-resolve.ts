// Due-time job: a dispute nobody reviewed within disputeAutoResolveMinutes closes in the merchant's
// favour. Idempotent: only the dispute it was scheduled for, and only while still in `dispute`.
import { autoResolveDispute } from "../app/trading/disputes.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";

export const tradingDisputeAutoResolveJob: JobHandler<JobPayloads["trading.dispute_auto_resolve"]> = async (deps, job) => {
  await autoResolveDispute(deps, job.payload.payinId, new Date(job.payload.disputeOpenedAt));
  return { kind: "done" };
};
