// Integer division with an explicit rounding mode. Every call site names its mode, because the mode is
// a business decision: crypto owed to a user rounds down, fees round up (toward the house), the
// trading dialect's contract rounds amounts up, neutral conversions round half-even.

/**
 * - `half_even`: neutral conversions (no party should gain on average from repeated rounding).
 * - `floor` / `down`: what the house owes, e.g. crypto owed to the user; toward −∞ / toward zero.
 * - `ceil` / `up`: what the house charges, e.g. fees and the fiat needed for a crypto amount, and the
 *   trading dialect's amounts; toward +∞ / away from zero.
 * For positive amounts floor = down and ceil = up; they differ on negatives (refunds, reversals).
 */
export type RoundingMode = "half_even" | "floor" | "ceil" | "down" | "up";

/** n / d rounded with `mode`. d must not be zero. */
export function divRound(n: bigint, d: bigint, mode: RoundingMode): bigint {
  if (d === 0n) throw new RangeError("division by zero");
  const q = n / d; // truncates toward zero
  const r = n % d;
  if (r === 0n) return q;
  const negative = n < 0n !== d < 0n;
  const away = negative ? q - 1n : q + 1n;
  switch (mode) {
    case "down":
      return q;
    case "up":
      return away;
    case "floor":
      return negative ? away : q;
    case "ceil":
      return negative ? q : away;
    case "half_even": {
      const twice = 2n * (r < 0n ? -r : r);
      const abs = d < 0n ? -d : d;
      if (twice > abs) return away;
      if (twice < abs) return q;
      return q % 2n === 0n ? q : away;
    }
  }
}

/** a × b / c with one rounding at the end (exact intermediate). */
export function mulDiv(a: bigint, b: bigint, c: bigint, mode: RoundingMode): bigint {
  return divRound(a * b, c, mode);
}

/** ⌈a / b⌉ for the trading dialect's rule. */
export function ceilDiv(a: bigint, b: bigint): bigint {
  return divRound(a, b, "ceil");
}

export function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}
