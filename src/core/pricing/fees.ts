// Fee schedules: a percentage in basis points plus a fixed amount, optionally tiered by the fiat
// amount. Fees round up, toward the house.
import { divRound } from "../money/rounding.js";

interface FeeTier {
  /** The tier applies from this fiat amount (minor units, inclusive). */
  fromMinor: bigint;
  percentBps: number;
  fixedMinor: bigint;
}

export interface FeeSchedule {
  percentBps: number;
  fixedMinor: bigint;
  /** Optional: the tier with the highest `fromMinor` not above the amount replaces the base. */
  tiers?: FeeTier[];
}

export function tierFor(schedule: FeeSchedule, amountMinor: bigint): { percentBps: number; fixedMinor: bigint } {
  let chosen: { percentBps: number; fixedMinor: bigint } = schedule;
  let from = -1n;
  for (const t of schedule.tiers ?? []) {
    if (t.fromMinor <= amountMinor && t.fromMinor > from) {
      chosen = t;
      from = t.fromMinor;
    }
  }
  return chosen;
}

/**
 * The amounts (ascending, above zero) where the fee rule changes. Between two of them the fee grows by
 * at most one minor unit per minor unit of amount (percentBps ≤ 10000), so the net amount is monotone
 * there; across a boundary it may drop, when an operator sets a dearer tier above a cheaper one.
 */
export function tierBoundaries(schedule: FeeSchedule): bigint[] {
  const from = new Set((schedule.tiers ?? []).map((t) => t.fromMinor).filter((f) => f > 0n));
  return [...from].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The fee on a fiat amount, in the same minor units. */
export function feeFor(schedule: FeeSchedule, amountMinor: bigint): bigint {
  const { percentBps, fixedMinor } = tierFor(schedule, amountMinor);
  return divRound(amountMinor * BigInt(percentBps), 10_000n, "ceil") + fixedMinor;
}
