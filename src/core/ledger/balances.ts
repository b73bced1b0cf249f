// How an entry moves an account's balance row at each stage of its transfer's life.
import { assertNever } from "../shared/assert-never.js";

export interface BalanceDelta {
  posted: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

/** "post": a plain transfer; "hold": a pending one; "settle"/"release": a hold posted / voided or expired. */
type BalanceStage = "post" | "hold" | "settle" | "release";

export function balanceDelta(amount: bigint, stage: BalanceStage): BalanceDelta {
  const debit = amount < 0n ? -amount : 0n;
  const credit = amount > 0n ? amount : 0n;
  switch (stage) {
    case "post":
      return { posted: amount, pendingDebits: 0n, pendingCredits: 0n };
    case "hold":
      return { posted: 0n, pendingDebits: debit, pendingCredits: credit };
    case "settle":
      return { posted: amount, pendingDebits: -debit, pendingCredits: -credit };
    case "release":
      return { posted: 0n, pendingDebits: -debit, pendingCredits: -credit };
    default:
      return assertNever(stage, "balance stage");
  }
}

export interface Balance {
  posted: bigint;
  pendingDebits: bigint;
  pendingCredits: bigint;
}

/** What the owner may spend: posted money less what holds have already promised away. */
export const available = (b: Balance): bigint => b.posted - b.pendingDebits;

export const applyDelta = (b: Balance, d: BalanceDelta): Balance => ({
  posted: b.posted + d.posted,
  pendingDebits: b.pendingDebits + d.pendingDebits,
  pendingCredits: b.pendingCredits + d.pendingCredits,
});
