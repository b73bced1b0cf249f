// Background work of withdrawals: the payout of an approved withdrawal, its confirmation polls and an
// operator's cancel. None is ever given up (retriedForever): the withdrawal's funds stay held until its
// payout ends.
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";
import { retriedForever } from "../app/outbox/run-jobs.js";
import { cancelWithdrawalPayout, pollWithdrawalPayout, runWithdrawalPayout } from "../app/withdrawals/withdrawal-payout.js";

export const withdrawalPayoutJob: JobHandler<JobPayloads["withdrawal.payout"]> = retriedForever(async (deps, job) => {
  await runWithdrawalPayout(deps, job.payload.withdrawalId);
  return { kind: "done" };
});

export const withdrawalPayoutPollJob: JobHandler<JobPayloads["withdrawal.payout_poll"]> = retriedForever(async (deps, job) => {
  await pollWithdrawalPayout(deps, job.payload.withdrawalId);
  return { kind: "done" };
});

export const withdrawalPayoutCancelJob: JobHandler<JobPayloads["withdrawal.payout_cancel"]> = retriedForever(async (deps, job) => {
  await cancelWithdrawalPayout(deps, job.payload.withdrawalId);
  return { kind: "done" };
});
