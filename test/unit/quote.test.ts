import assert from "node:assert/strict";
import { test } from "node:test";
import Big from "big.js";
import { parseDecimal } from "../../src/core/money/decimal.js";
import { type FeeSchedule, feeFor, tierBoundaries } from "../../src/core/pricing/fees.js";
import { type PairTerms, cryptoForFiat, fiatForCrypto, quote } from "../../src/core/pricing/quote.js";
import { AppError } from "../../src/core/shared/errors.js";

const now = new Date("2026-01-15T10:00:00Z");
const terms: PairTerms = {
  fiat: "EUR",
  fiatScale: 2,
  crypto: "USDT",
  network: "trc20",
  cryptoDecimals: 6,
  spreadBps: 50,
  fees: { percentBps: 150, fixedMinor: 25n, tiers: [{ fromMinor: 100_000n, percentBps: 100, fixedMinor: 0n }] },
  networkFeeMinor: 1_000_000n,
  limits: { minFiatMinor: 1_000n, maxFiatMinor: 1_000_000n },
  enabled: true,
};
const rate = { rate: parseDecimal("0.93"), source: "fixed", fetchedAt: now };
const req = { now, maxRateAgeSeconds: 60 };
const codeOf = (f: () => unknown) => {
  try {
    f();
    return "none";
  } catch (e) {
    return (e as AppError).code;
  }
};

test("fee schedule: percent + fixed rounds up; tiers by amount", () => {
  assert.equal(feeFor(terms.fees, 10_000n), 175n); // 1.5% of 100.00 = 1.50 + 0.25
  assert.equal(feeFor(terms.fees, 10_001n), 176n); // 150.015 → up to 151 + 25
  assert.equal(feeFor(terms.fees, 99_999n), 1_525n); // 1499.985 → 1500 + 25
  assert.equal(feeFor(terms.fees, 100_000n), 1_000n, "the 1% tier from 1000.00 without the fixed part");
});

test("tier boundaries are the distinct positive tier starts, ascending", () => {
  const fees: FeeSchedule = {
    percentBps: 0,
    fixedMinor: 0n,
    tiers: [
      { fromMinor: 50_000n, percentBps: 1, fixedMinor: 0n },
      { fromMinor: 0n, percentBps: 2, fixedMinor: 0n },
      { fromMinor: 10_000n, percentBps: 3, fixedMinor: 0n },
      { fromMinor: 50_000n, percentBps: 4, fixedMinor: 0n },
    ],
  };
  assert.deepEqual(tierBoundaries(fees), [10_000n, 50_000n]);
  assert.deepEqual(tierBoundaries({ percentBps: 0, fixedMinor: 0n }), []);
});

test("a crypto quote below a dearer tier is not pushed into it", () => {
  // From 100.00 EUR a 5.00 fixed fee applies, so 99 USDT costs 99.00 EUR, not 104.00.
  const dearer: PairTerms = {
    ...terms,
    spreadBps: 0,
    networkFeeMinor: 0n,
    fees: { percentBps: 0, fixedMinor: 0n, tiers: [{ fromMinor: 10_000n, percentBps: 0, fixedMinor: 500n }] },
  };
  const one = parseDecimal("1");
  assert.equal(fiatForCrypto(dearer, one, 99_000_000n), 9_900n);
  assert.equal(fiatForCrypto(dearer, one, 99_990_000n), 9_999n);
  assert.equal(fiatForCrypto(dearer, one, 100_000_000n), 10_500n, "past the boundary only the dearer tier buys it");
});

test("a fiat quote: every fee line, crypto rounded down", () => {
  const q = quote(terms, rate, { ...req, fiatMinor: 10_000n });
  assert.equal(q.fiatMinor, 10_000n);
  // net 98.25 EUR / (0.93 × 1.005) = 105.1199... USDT, minus 1 USDT network fee
  const expected = new Big("98.25").div(new Big("0.93").times("1.005")).times(1e6).round(0, Big.roundDown).minus(1_000_000);
  assert.equal(q.cryptoMinor.toString(), expected.toFixed(0));
  assert.deepEqual(q.fees, [
    { name: "processing", currency: "EUR", amountMinor: 175n },
    { name: "network", currency: "USDT", amountMinor: 1_000_000n },
  ]);
  assert.equal(q.effectiveRate, "0.93465");
  assert.equal(q.rateSource, "fixed");
});

test("a crypto quote finds the smallest fiat that buys at least that much; both given: fiat wins", () => {
  const q = quote(terms, rate, { ...req, cryptoMinor: 50_000_000n });
  assert.ok(q.cryptoMinor >= 50_000_000n);
  assert.ok(cryptoForFiat(terms, rate.rate, q.fiatMinor - 1n).cryptoMinor < 50_000_000n, "one cent less is not enough");
  const both = quote(terms, rate, { ...req, fiatMinor: 10_000n, cryptoMinor: 50_000_000n });
  assert.equal(both.fiatMinor, 10_000n);
  assert.equal(both.cryptoMinor, quote(terms, rate, { ...req, fiatMinor: 10_000n }).cryptoMinor);
});

test("limits, disabled pairs and stale rates are refused with their codes", () => {
  assert.equal(codeOf(() => quote(terms, rate, { ...req, fiatMinor: 999n })), "amount_below_minimum");
  assert.equal(codeOf(() => quote(terms, rate, { ...req, fiatMinor: 1_000_001n })), "amount_above_maximum");
  assert.equal(codeOf(() => quote({ ...terms, enabled: false }, rate, { ...req, fiatMinor: 10_000n })), "pair_unavailable");
  const stale = { ...rate, fetchedAt: new Date(now.getTime() - 61_000) };
  assert.equal(codeOf(() => quote(terms, stale, { ...req, fiatMinor: 10_000n })), "rate_unavailable");
  assert.equal(codeOf(() => quote(terms, { ...rate, fetchedAt: new Date(now.getTime() - 60_000) }, { ...req, fiatMinor: 10_000n })), "none");
  assert.equal(codeOf(() => quote(terms, { ...rate, rate: parseDecimal("0") }, { ...req, fiatMinor: 10_000n })), "rate_unavailable");
  assert.equal(codeOf(() => quote(terms, rate, { ...req, fiatMinor: 0n })), "invalid_amount");
  assert.equal(codeOf(() => quote(terms, rate, { ...req, fiatMinor: -5n })), "invalid_amount");
  assert.equal(codeOf(() => quote(terms, rate, { ...req, cryptoMinor: 0n })), "invalid_amount");
  assert.equal(codeOf(() => quote(terms, rate, req)), "validation_failed", "neither amount given");
});

test("a limit error names the limit and the field that broke it", () => {
  for (const [input, field, limit] of [
    [{ fiatMinor: 999n }, "fiatAmount", "10"],
    [{ cryptoMinor: 50_000_000_000n }, "cryptoAmount", "10000"],
  ] as const) {
    try {
      quote(terms, rate, { ...req, ...input });
      assert.fail("expected a limit error");
    } catch (e) {
      assert.ok(e instanceof AppError);
      assert.equal(e.field, field);
      assert.deepEqual(e.details, { limit });
    }
  }
});

test("property: fiat → crypto → fiat round-trips within one minor unit, and matches big.js", () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const flat = { ...terms, fees: { percentBps: 120, fixedMinor: 10n }, networkFeeMinor: 0n };
  for (let i = 0; i < 2000; i++) {
    const fiatMinor = 1_000n + BigInt(Math.floor(rand() * 999_000));
    const r = { ...rate, rate: parseDecimal((0.5 + rand()).toFixed(4)) };
    const there = quote(flat, r, { ...req, fiatMinor });
    const back = quote(flat, r, { ...req, cryptoMinor: there.cryptoMinor });
    assert.ok(back.fiatMinor <= fiatMinor && fiatMinor - back.fiatMinor <= 1n, `${fiatMinor} → ${there.cryptoMinor} → ${back.fiatMinor}`);
    const fee = new Big(fiatMinor.toString()).times(120).div(10_000).round(0, Big.roundUp).plus(10);
    const reference = new Big(fiatMinor.toString())
      .minus(fee)
      .div(100)
      .div(new Big(r.rate.coefficient.toString()).div(new Big(10).pow(r.rate.scale)).times("1.005"))
      .times(1e6)
      .round(0, Big.roundDown);
    assert.equal(there.cryptoMinor.toString(), reference.toFixed(0));
  }
});

test("property: a crypto quote is the smallest fiat that buys at least that much, under any tiers", () => {
  let seed = 11;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  const int = (n: number) => Math.floor(rand() * n);
  const N = 3_000; // fiat minor units brute-forced per schedule
  for (let s = 0; s < 100; s++) {
    // Random tiers, cheaper or dearer than the base, so crypto can drop where a tier starts.
    const tiers = Array.from({ length: int(4) }, () => ({ fromMinor: BigInt(1 + int(N)), percentBps: int(2_000), fixedMinor: BigInt(int(300)) }));
    const t: PairTerms = {
      ...terms,
      spreadBps: int(300),
      networkFeeMinor: BigInt(int(3)),
      cryptoDecimals: 2,
      fees: { percentBps: int(2_000), fixedMinor: BigInt(int(300)), tiers },
    };
    const r = parseDecimal(`${1 + int(3)}.${int(100)}`);
    const crypto = Array.from({ length: N + 1 }, (_, f) => cryptoForFiat(t, r, BigInt(f)).cryptoMinor);
    const reachable = crypto.reduce((a, b) => (b > a ? b : a), 0n);
    for (let k = 0; k < 20; k++) {
      const want = 1n + BigInt(int(Number(reachable)));
      const expected = BigInt(crypto.findIndex((c) => c >= want));
      assert.equal(fiatForCrypto(t, r, want), expected, `schedule ${s}, want ${want}`);
    }
  }
});
