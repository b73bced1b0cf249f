// Due-time job: a dispute nobody reviewed within disputeAutoResolveMinutes closes in the merchant's
// favour. Idempotent: only the dispute it was scheduled for, and only while still in `dispute`.
import { autoResolveDispute } from "../app/trading/disputes.js";
import { AUTO_RESOLVE_JOB } from "../app/trading/effects.js";
import { registerJobHandler } from "../app/outbox/outbox.js";

registerJobHandler(AUTO_RESOLVE_JOB, async (deps, job) => {
  const { payinId, disputeOpenedAt } = job.payload as { payinId: string; disputeOpenedAt: string };
  await autoResolveDispute(deps, payinId, new Date(disputeOpenedAt));
  return { kind: "done" };
});
