// Job: settles a pay-in left in re_calculation by a dispute decision (ledger booked at the new
// amount, then closed). Idempotent: it acts only while the pay-in is still in re_calculation.
import { settleRecalculation } from "../app/trading/recalculation.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";

export const tradingSettleRecalculatedJob: JobHandler<JobPayloads["trading.settle_recalculated"]> = async (deps, job) => {
  const r = await settleRecalculation(deps, job.payload);
  if (typeof r === "object") return { kind: "retry", at: r.retryAt, error: "the trader's deposit does not cover the recalculated amount" };
  return { kind: "done" };
};
