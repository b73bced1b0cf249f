// The worker's job-handler table: one handler per job kind, wired here and nowhere else. Its type
// (JobHandlers, from JobPayloads) makes a kind without a handler, or a handler reading another
// kind's payload, a compile error.
import type { JobHandlers } from "../app/outbox/outbox.js";
import { cardChallengeTimeoutJob } from "../jobs/card-challenge-timeout.js";
import { cardStatusSyncJob } from "../jobs/card-status-sync.js";
import { deleteFilesJob } from "../jobs/delete-files.js";
import { intentPayoutJob, intentPayoutPollJob, intentTimeoutJob, kycVendorCheckJob } from "../jobs/intent-jobs.js";
import { tradingDisputeAutoResolveJob } from "../jobs/trading-dispute-auto-resolve.js";
import { tradingPayinExpireJob } from "../jobs/trading-payin-expire.js";
import { tradingSettleRecalculatedJob } from "../jobs/trading-settle-recalculated.js";
import { withdrawalPayoutJob, withdrawalPayoutCancelJob, withdrawalPayoutPollJob } from "../jobs/withdrawal-jobs.js";

export const jobHandlers: JobHandlers = {
  "intent.timeout": intentTimeoutJob,
  "intent.payout": intentPayoutJob,
  "intent.payout_poll": intentPayoutPollJob,
  "kyc.vendor_check": kycVendorCheckJob,
  "card.payment_status_sync": cardStatusSyncJob,
  "card.challenge_timeout": cardChallengeTimeoutJob,
  "trading.payin_expire": tradingPayinExpireJob,
  "trading.dispute_auto_resolve": tradingDisputeAutoResolveJob,
  "trading.settle_recalculated": tradingSettleRecalculatedJob,
  "files.delete": deleteFilesJob,
  "withdrawal.payout": withdrawalPayoutJob,
  "withdrawal.payout_poll": withdrawalPayoutPollJob,
  "withdrawal.payout_cancel": withdrawalPayoutCancelJob,
};
