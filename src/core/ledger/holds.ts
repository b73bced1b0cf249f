// A pending transfer (hold) and what posting, voiding and expiring it do. Resolutions are final;
// repeating the same one is a no-op so callers can retry.
import { assertNever } from "../shared/assert-never.js";
import { IllegalTransitionError } from "../shared/errors.js";

export type HoldState = "pending" | "posted" | "voided" | "expired";
export type HoldAction = "post" | "void" | "expire";
type Resolution = Exclude<HoldState, "pending">;

type HoldDecision = { kind: "resolve"; to: Resolution } | { kind: "noop" };

const TARGET: Record<HoldAction, Resolution> = { post: "posted", void: "voided", expire: "expired" };

/**
 * pending → posted | voided | expired. Repeating the resolution already recorded is a no-op; voiding an
 * expired hold is too (the funds are already released). Anything else is an illegal transition.
 */
export function decideHold(state: HoldState, action: HoldAction): HoldDecision {
  switch (state) {
    case "pending":
      return { kind: "resolve", to: TARGET[action] };
    case "posted":
      if (action === "post") return { kind: "noop" };
      break;
    case "voided":
      if (action === "void") return { kind: "noop" };
      break;
    case "expired":
      if (action === "expire" || action === "void") return { kind: "noop" };
      break;
    default:
      return assertNever(state, "hold state");
  }
  throw new IllegalTransitionError({ entity: "ledger hold", action, currentStatus: state, message: `Cannot ${action} a ledger hold that is ${state}` });
}

/** A hold whose expiry has passed may no longer be posted, even before the worker records it. */
export function effectiveHoldState(state: HoldState, expiresAt: Date | null, now: Date): HoldState {
  return state === "pending" && expiresAt !== null && expiresAt.getTime() <= now.getTime() ? "expired" : state;
}
