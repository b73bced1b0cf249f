// Background work of withdrawals: the payout of an approved withdrawal and its confirmation polls.
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";
import { pollWithdrawalPayout, runWithdrawalPayout } from "../app/withdrawals/withdrawal-payout.js";

export const withdrawalPayoutJob: JobHandler<JobPayloads["withdrawal.payout"]> = async (deps, job) => {
  await runWithdrawalPayout(deps, job.payload.withdrawalId);
  return { kind: "done" };
};

export const withdrawalPayoutPollJob: JobHandler<JobPayloads["withdrawal.payout_poll"]> = async (deps, job) => {
  await pollWithdrawalPayout(deps, job.payload.withdrawalId);
  return { kind: "done" };
};
