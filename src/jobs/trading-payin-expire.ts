// Due-time job: at the end of a pay-in's payment window, cancel it if still active (hold voided,
// webhook enqueued). Idempotent: the use case locks the row and re-checks its status.
import { expireTradingPayin } from "../app/trading/payin-lifecycle.js";
import { EXPIRE_JOB } from "../app/trading/effects.js";
import { registerJobHandler } from "../app/outbox/outbox.js";

registerJobHandler(EXPIRE_JOB, async (deps, job) => {
  const { payinId } = job.payload as { payinId: string };
  const r = await expireTradingPayin(deps, payinId);
  if (typeof r === "object") return { kind: "retry", at: r.notYet, error: "payment window not over yet" };
  return { kind: "done" };
});
