// Pure decisions for allocating a (requisite, fiat amount) slot. The database arbitrates the race
// (unique partial index over active pay-ins); these helpers only decide what to try.

export type AmountRequest = { kind: "exact"; amountMinor: bigint } | { kind: "range"; minMinor: bigint; maxMinor: bigint };

/** The grid points of [min, max] at `step` granularity; null when the range holds none. */
export function rangeGrid(minMinor: bigint, maxMinor: bigint, stepMinor: bigint): { first: bigint; last: bigint; count: bigint } | null {
  if (stepMinor <= 0n) throw new Error("step must be positive");
  const first = ((minMinor + stepMinor - 1n) / stepMinor) * stepMinor;
  const last = (maxMinor / stepMinor) * stepMinor;
  if (first > last || first <= 0n) return null;
  return { first, last, count: (last - first) / stepMinor + 1n };
}

/**
 * The free amount in the request closest to its midpoint (ties: the lower amount), given the
 * amounts already taken on one requisite; null when every slot is taken. Walks outward from the
 * midpoint, so it looks at no more than taken.size + 1 points whatever the range's width.
 */
export function closestFreeAmount(req: AmountRequest, stepMinor: bigint, taken: ReadonlySet<bigint>): bigint | null {
  if (req.kind === "exact") return taken.has(req.amountMinor) ? null : req.amountMinor;
  const grid = rangeGrid(req.minMinor, req.maxMinor, stepMinor);
  if (!grid) return null;
  // Doubling avoids halving a step: twice the distance compares exactly.
  const mid2 = req.minMinor + req.maxMinor;
  const below = grid.first + ((mid2 / 2n - grid.first) / stepMinor) * stepMinor;
  let lo = below < grid.first ? grid.first : below > grid.last ? grid.last : below;
  let hi = lo + stepMinor;
  for (let seen = 0; seen <= taken.size + 1 && (lo >= grid.first || hi <= grid.last); seen++) {
    const loOk = lo >= grid.first;
    const hiOk = hi <= grid.last;
    const pickLo = loOk && (!hiOk || mid2 - 2n * lo <= 2n * hi - mid2);
    const candidate = pickLo ? lo : hi;
    if (!taken.has(candidate)) return candidate;
    if (pickLo) lo -= stepMinor;
    else hi += stepMinor;
  }
  return null;
}

/** Amount limits of the merchant: the refusal names the bound in whole or 2-decimal units. */
export function amountLimitBreach(
  req: AmountRequest,
  limits: { minMinor: bigint; maxMinor: bigint },
): { kind: "min" | "max"; boundMinor: bigint } | null {
  const lo = req.kind === "exact" ? req.amountMinor : req.minMinor;
  const hi = req.kind === "exact" ? req.amountMinor : req.maxMinor;
  if (lo < limits.minMinor) return { kind: "min", boundMinor: limits.minMinor };
  if (hi > limits.maxMinor) return { kind: "max", boundMinor: limits.maxMinor };
  return null;
}
