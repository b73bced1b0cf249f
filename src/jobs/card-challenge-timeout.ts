// Job: a 3-D Secure challenge not completed by its deadline (15 minutes by default) fails.
import { expireChallenge } from "../app/card/card-challenge.js";
import type { JobHandler, JobPayloads } from "../app/outbox/outbox.js";

export const cardChallengeTimeoutJob: JobHandler<JobPayloads["card.challenge_timeout"]> = async (deps, job) => {
  const r = await expireChallenge(deps, job.payload.paymentId);
  return "done" in r ? { kind: "done" } : { kind: "retry", at: r.retryAt, error: "challenge not due yet" };
};
