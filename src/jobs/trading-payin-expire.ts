// Due-time job: at the end of a pay-in's payment window, cancel it if still active (hold voided,
// webhook enqueued). Idempotent: the use case locks the row and re-checks its status.
import { expireTradingPayin } from "../app/trading/payin-lifecycle.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";

export const tradingPayinExpireJob: JobHandler<JobPayloads["trading.payin_expire"]> = async (deps, job) => {
  const r = await expireTradingPayin(deps, job.payload.payinId);
  if (typeof r === "object") return { kind: "retry", at: r.notYet, error: "payment window not over yet" };
  return { kind: "done" };
};
