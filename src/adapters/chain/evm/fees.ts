// EIP-1559 fees for the hot wallet's transactions, never above the configured cap.
//  - a first send offers the configured tip and 2 x the next block's base fee + tip (room for six
//    full blocks of base-fee rises);
//  - a replacement must beat the version it replaces by at least 10 % on both fields (what nodes
//    require to accept a same-nonce replacement); we bump by 12.5 % or to the market, whichever is more;
//  - an operator's cancel (a 21,000-gas self-transfer) must outbid a payout that may already sit at the
//    cap, so it may pay up to twice the cap; still bounded.

export interface Fees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

interface FeePolicy {
  capWei: bigint;
  priorityFeeWei: bigint;
}

const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
/** x * 1.125, rounded up, plus one wei. */
const bump = (x: bigint) => (x * 9n + 7n) / 8n + 1n;

export function initialFees(baseFeeWei: bigint, policy: FeePolicy): Fees {
  const maxFeePerGas = min(policy.capWei, 2n * baseFeeWei + policy.priorityFeeWei);
  return { maxFeePerGas, maxPriorityFeePerGas: min(policy.priorityFeeWei, maxFeePerGas) };
}

/**
 * The fees of a replacement for `old` at today's base fee, or null when the cap leaves no room for a
 * replacement a node would accept (the payout then waits at its current price).
 */
export function replacementFees(old: Fees, baseFeeWei: bigint, policy: FeePolicy): Fees | null {
  const maxPriorityFeePerGas = max(bump(old.maxPriorityFeePerGas), policy.priorityFeeWei);
  const maxFeePerGas = min(policy.capWei, max(bump(old.maxFeePerGas), 2n * baseFeeWei + maxPriorityFeePerGas));
  if (maxFeePerGas < bump(old.maxFeePerGas) || maxPriorityFeePerGas > maxFeePerGas) return null;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** A version is stuck when the next block's base fee is above what it may pay, or it waited too long. */
export function isStuck(fees: Fees, baseFeeWei: bigint, ageMs: number, replaceAfterMs: number): boolean {
  return fees.maxFeePerGas < baseFeeWei || ageMs >= replaceAfterMs;
}

/** The fees of a cancel replacing `old` (or of a bumped cancel): as a replacement, within twice the cap. */
export function cancelFees(old: Fees, baseFeeWei: bigint, policy: FeePolicy): Fees | null {
  return replacementFees(old, baseFeeWei, { ...policy, capWei: 2n * policy.capWei });
}
