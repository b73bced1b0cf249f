// Job: a 3-D Secure challenge not completed by its deadline (15 minutes by default) fails.
import { expireChallenge } from "../app/card/card-challenge.js";
import { CHALLENGE_TIMEOUT_JOB } from "../app/card/card-payments.js";
import { registerJobHandler } from "../app/outbox/outbox.js";

registerJobHandler(CHALLENGE_TIMEOUT_JOB, async (deps, job) => {
  const { paymentId } = job.payload as { paymentId: string };
  const r = await expireChallenge(deps, paymentId);
  return "done" in r ? { kind: "done" } : { kind: "retry", at: r.retryAt, error: "challenge not due yet" };
});
