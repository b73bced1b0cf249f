// A refund's bank payment order: created when the money to return is known, waiting while no IBAN is
// known for the payer, exported in a pain.001 file, closed when its debit shows in a statement.
import { defineMachine } from "../shared/state-machine.js";

export const REFUND_ORDER_MACHINE = defineMachine({
  entity: "refund-order",
  noun: "a refund order",
  statuses: ["waiting", "pending", "exported", "closed"],
  statusWords: { waiting: "waiting for the payer's IBAN", pending: "pending export", exported: "exported to the bank", closed: "closed" },
  transitions: {
    // The operator enters (or corrects, before export) the payer's IBAN and name.
    set_beneficiary: { from: ["waiting", "pending"], to: "pending", verb: "set the beneficiary of" },
    export: { from: ["pending"], to: "exported", verb: "export" },
    close: { from: ["exported"], to: "closed", verb: "close" },
  },
});

export type RefundOrderStatus = (typeof REFUND_ORDER_MACHINE.statuses)[number];
