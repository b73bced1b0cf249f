// Dispute-rate holds on trading allocation (docs/risk.md): a requisite or trader whose pay-ins go to
// dispute too often is held (out of allocation) until an operator releases it. The rate test is pure;
// the hold moves only through this machine (a second release is 409 naming the status).
import { defineMachine } from "../shared/state-machine.js";

export const ALLOCATION_HOLD = defineMachine({
  entity: "allocation hold",
  noun: "an allocation hold",
  statuses: ["allocating", "held"],
  statusWords: { allocating: "allocating", held: "held" },
  transitions: {
    hold: { from: ["allocating"], to: "held", verb: "hold" },
    release: { from: ["held"], to: "allocating", verb: "release" },
  },
});

interface DisputeRateLimit {
  /** Percent of pay-ins that went to dispute above which the subject is held; null: never. */
  ratePercent: number | null;
  /** The rate is not judged before this many pay-ins (one early dispute is not a rate). */
  minPayins: number;
}

/** Whether `disputes` out of `payins` is over the limit; integers only, no rounding. */
export function overDisputeRate(payins: number, disputes: number, limit: DisputeRateLimit): boolean {
  if (limit.ratePercent === null || payins < limit.minPayins) return false;
  return disputes * 100 > limit.ratePercent * payins;
}
