// Where an incoming bank transfer stands for the operator. A transfer the inbound path matched is
// `matched`; one that matched nothing is `open` in the unmatched queue until the operator closes it,
// exactly once: `assigned` to an intent or trading pay-in (matched through the same inbound path) or
// `refunded` to its payer (a refund order). The status is derived from the transfer's outcome and
// resolution (migration 0022_a); actions go through this table.
import type { BankTransferOutcome } from "./outcome.js";
import { defineMachine } from "../shared/state-machine.js";

export const UNMATCHED_TRANSFER_MACHINE = defineMachine({
  entity: "unmatched-transfer",
  noun: "a bank transfer",
  statuses: ["open", "matched", "assigned", "refunded"],
  statusWords: {
    open: "unmatched and open",
    matched: "matched automatically",
    assigned: "already assigned by an operator",
    refunded: "already refunded by an operator",
  },
  transitions: {
    assign: { from: ["open"], to: "assigned", verb: "assign" },
    refund: { from: ["open"], to: "refunded", verb: "refund" },
  },
});

type UnmatchedTransferStatus = (typeof UNMATCHED_TRANSFER_MACHINE.statuses)[number];
export type BankTransferResolution = "assigned" | "refunded";

export function unmatchedTransferStatus(t: { outcome: BankTransferOutcome; resolution: BankTransferResolution | null }): UnmatchedTransferStatus {
  if (t.resolution !== null) return t.resolution;
  return t.outcome === "unmatched" ? "open" : "matched";
}
