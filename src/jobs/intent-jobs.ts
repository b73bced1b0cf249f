// Background work of the payment-intent dialect and KYC: timeouts, payouts, vendor checks.
import { kycVendorOf, recordVendorDecision } from "../app/kyc/kyc-cases.js";
import { timeOutIntent } from "../app/intents/intent-lifecycle.js";
import { pollPayout, runPayout } from "../app/intents/payout.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";
import { retriedForever } from "../app/outbox/run-jobs.js";

export const intentTimeoutJob: JobHandler<JobPayloads["intent.timeout"]> = async (deps, job) => {
  await timeOutIntent(deps, job.payload.intentId);
  return { kind: "done" };
};

// A payout is never given up (its crypto stays held until it ends): its jobs are retried forever.
export const intentPayoutJob: JobHandler<JobPayloads["intent.payout"]> = retriedForever(async (deps, job) => {
  await runPayout(deps, job.payload.intentId);
  return { kind: "done" };
});

export const intentPayoutPollJob: JobHandler<JobPayloads["intent.payout_poll"]> = retriedForever(async (deps, job) => {
  await pollPayout(deps, job.payload.intentId);
  return { kind: "done" };
});

export const kycVendorCheckJob: JobHandler<JobPayloads["kyc.vendor_check"]> = async (deps, job) => {
  const { caseId } = job.payload;
  await recordVendorDecision(deps, caseId, await (await kycVendorOf(deps, caseId)).check(caseId));
  return { kind: "done" };
};
