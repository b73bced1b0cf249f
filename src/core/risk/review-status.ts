// A payment held for review waits for an operator: release lets it be paid (and its crypto leave),
// reject cancels it. The machine is the only way a review's status moves (409 naming the status).
import { defineMachine } from "../shared/state-machine.js";

export const RISK_REVIEW = defineMachine({
  entity: "risk review",
  noun: "a risk review",
  statuses: ["pending", "released", "rejected"],
  statusWords: { pending: "pending", released: "released", rejected: "rejected" },
  transitions: {
    release: { from: ["pending"], to: "released", verb: "release" },
    reject: { from: ["pending"], to: "rejected", verb: "reject" },
  },
});

export type RiskReviewAction = keyof typeof RISK_REVIEW.transitions;
