// Background work of the payment-intent dialect and KYC: timeouts, payouts, vendor checks.
import { registerJobHandler } from "../app/outbox/outbox.js";
import { KYC_CHECK_JOB, recordVendorDecision } from "../app/kyc/kyc-cases.js";
import { timeOutIntent } from "../app/intents/intent-lifecycle.js";
import { INTENT_PAYOUT_POLL_JOB, pollPayout, runPayout } from "../app/intents/payout.js";
import { INTENT_PAYOUT_JOB, INTENT_TIMEOUT_JOB } from "../app/intents/transition.js";
import "../app/intents/store-settings.js";

registerJobHandler(INTENT_TIMEOUT_JOB, async (deps, job) => {
  await timeOutIntent(deps, (job.payload as { intentId: string }).intentId);
  return { kind: "done" };
});

registerJobHandler(INTENT_PAYOUT_JOB, async (deps, job) => {
  await runPayout(deps, (job.payload as { intentId: string }).intentId);
  return { kind: "done" };
});

registerJobHandler(INTENT_PAYOUT_POLL_JOB, async (deps, job) => {
  await pollPayout(deps, (job.payload as { intentId: string }).intentId);
  return { kind: "done" };
});

registerJobHandler(KYC_CHECK_JOB, async (deps, job) => {
  const { caseId } = job.payload as { caseId: string };
  await recordVendorDecision(deps, caseId, await deps.ports.kyc.check(caseId));
  return { kind: "done" };
});
