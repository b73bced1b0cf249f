// Every background task the worker runs. Each area adds its task here.
import type { JobHandlers } from "../app/outbox/outbox.js";
import { deliverWebhooksTask } from "./deliver-webhooks.js";
import { dispatchJobsTask } from "./dispatch-jobs.js";
import { evmDepositWatchTask } from "./evm-deposit-watch.js";
import { expireHoldsTask } from "./expire-holds.js";
import { purgeExpiredTask } from "./purge-expired.js";
import { statementInboxTask } from "./statement-inbox.js";
import { TRADING_EXPIRE_KIND, tradingExpirySweepTask } from "./trading-payin-expire.js";
import type { WorkerTask } from "./worker-task.js";

export function workerTasks(handlers: JobHandlers): WorkerTask[] {
  return [dispatchJobsTask(handlers, [TRADING_EXPIRE_KIND]), tradingExpirySweepTask, deliverWebhooksTask, purgeExpiredTask, expireHoldsTask, statementInboxTask, evmDepositWatchTask];
}
