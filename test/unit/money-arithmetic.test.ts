import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { depositToLedgerMinor } from "../../src/core/chain/evm-deposit.js";
import Big from "big.js";
import { formatMinor, formatMinorTrimmed, numberToDecimalText, parseAmount, parseDecimal } from "../../src/core/money/decimal.js";
import { type RoundingMode, ceilDiv, divRound, mulDiv } from "../../src/core/money/rounding.js";
import { fiatScale } from "../../src/core/money/currencies.js";
import { tradingAmounts, tradingCryptoAmount, tradingMerchantFee } from "../../src/core/pricing/trading-amounts.js";
import { AppError } from "../../src/core/shared/errors.js";

test("every rounding mode, both signs, ties and non-ties", () => {
  const cases: [bigint, bigint, Record<string, bigint>][] = [
    [7n, 2n, { half_even: 4n, floor: 3n, ceil: 4n, down: 3n, up: 4n }], // 3.5
    [5n, 2n, { half_even: 2n, floor: 2n, ceil: 3n, down: 2n, up: 3n }], // 2.5
    [-7n, 2n, { half_even: -4n, floor: -4n, ceil: -3n, down: -3n, up: -4n }],
    [-5n, 2n, { half_even: -2n, floor: -3n, ceil: -2n, down: -2n, up: -3n }],
    [10n, 3n, { half_even: 3n, floor: 3n, ceil: 4n, down: 3n, up: 4n }], // 3.33
    [11n, 3n, { half_even: 4n, floor: 3n, ceil: 4n, down: 3n, up: 4n }], // 3.67
    [-11n, 3n, { half_even: -4n, floor: -4n, ceil: -3n, down: -3n, up: -4n }],
    [9n, 3n, { half_even: 3n, floor: 3n, ceil: 3n, down: 3n, up: 3n }],
    [7n, -2n, { half_even: -4n, floor: -4n, ceil: -3n, down: -3n, up: -4n }],
  ];
  for (const [n, d, expected] of cases) {
    for (const [mode, value] of Object.entries(expected)) {
      assert.equal(divRound(n, d, mode as never), value, `${n}/${d} ${mode}`);
    }
  }
  assert.equal(mulDiv(3n, 5n, 2n, "half_even"), 8n); // 7.5 → 8
  assert.equal(mulDiv(-3n, 5n, 2n, "half_even"), -8n); // -7.5 → -8
  assert.equal(mulDiv(0n, 5n, -3n, "up"), 0n);
  assert.equal(ceilDiv(7n, 2n), 4n);
  assert.equal(ceilDiv(-7n, 2n), -3n);
  assert.equal(ceilDiv(6n, 3n), 2n);
  assert.throws(() => divRound(1n, 0n, "floor"), RangeError);
});

test("the trading dialect's check vector: 6030 RUB at 99.12 with 8.5% fee", () => {
  const a = tradingAmounts(parseAmount(6030, 2), 2, parseDecimal("99.12"), 6, parseDecimal("0.085"));
  assert.equal(a.cryptoMinor.toString(), "60835352");
  assert.equal(a.merchantFeeMinor.toString(), "5171005");
  assert.equal(a.merchantNetMinor, 60835352n - 5171005n);
});

test("decimal parsing is exact for strings and JSON numbers", () => {
  assert.equal(parseAmount("6030", 2), 603000n);
  assert.equal(parseAmount(6030.5, 2), 603050n);
  assert.equal(parseAmount(0.1, 2), 10n);
  assert.equal(parseAmount("0.10000", 2), 10n, "trailing zeros beyond the scale are fine");
  assert.equal(parseAmount(1e-7, 8), 10n);
  assert.equal(parseAmount(1.5e21, 0), 1_500_000_000_000_000_000_000n);
  assert.equal(parseAmount("0.00000001", 8), 1n);
  assert.equal(numberToDecimalText(1.23e-5), "0.0000123");
  assert.equal(numberToDecimalText(2.5e+25), "25000000000000000000000000");
  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return (e as AppError).code;
    }
    return "none";
  };
  assert.equal(code(() => parseAmount("1.001", 2, { field: "amount" })), "amount_scale_exceeded");
  assert.equal(code(() => parseAmount("-1", 2)), "invalid_amount");
  assert.equal(code(() => parseAmount("1e5", 2)), "invalid_amount", "exponent text is not a decimal amount");
  assert.equal(code(() => parseAmount(Number.NaN, 2)), "invalid_amount");
  assert.equal(code(() => parseAmount(Infinity, 2)), "invalid_amount");
  assert.equal(code(() => parseAmount({}, 2)), "invalid_amount");
  assert.equal(code(() => parseAmount(" 12 ", 2)), "none");
  assert.equal(parseAmount("-1.5", 2, { allowNegative: true }), -150n);
});

test("formatting minor units", () => {
  assert.equal(formatMinor(603000n, 2), "6030.00");
  assert.equal(formatMinor(5n, 2), "0.05");
  assert.equal(formatMinor(-5n, 2), "-0.05");
  assert.equal(formatMinor(42n, 0), "42");
  assert.equal(formatMinorTrimmed(150000n, 6), "0.15");
  assert.equal(formatMinorTrimmed(1000000n, 6), "1");
});

test("fiat minor units come from ISO 4217, not Intl", () => {
  assert.equal(fiatScale("EUR"), 2);
  assert.equal(fiatScale("jpy"), 0);
  assert.equal(fiatScale("KWD"), 3);
  assert.equal(fiatScale("IQD"), 0, "override table (ISO says 3)");
  assert.equal(fiatScale("IRR"), 0, "override table (ISO says 2)");
  assert.equal(fiatScale("CLF"), 4);
  assert.throws(() => fiatScale("EU"), (e: unknown) => e instanceof AppError && e.code === "unknown_currency" && e.field === "currency");
  assert.throws(() => fiatScale("XYZ"), (e: unknown) => e instanceof AppError && e.code === "unknown_currency");
  // Listed by ISO 4217 but no money a payer sends; the X-codes that are currencies stay.
  for (const code of ["XXX", "XTS", "XAU", "XDR"]) assert.throws(() => fiatScale(code), (e: unknown) => e instanceof AppError && e.code === "unknown_currency", code);
  assert.deepEqual(["XOF", "XAF", "XPF", "XCD"].map((c) => fiatScale(c)), [0, 0, 0, 2]);
});

test("property: parse → format round-trips and matches big.js", () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < 2000; i++) {
    const scale = Math.floor(rand() * 9);
    const int = Math.floor(rand() * 1e9);
    const frac = scale ? String(Math.floor(rand() * 10 ** scale)).padStart(scale, "0") : "";
    const text = scale ? `${int}.${frac}` : String(int);
    const minor = parseAmount(text, scale);
    assert.equal(formatMinor(minor, scale), text);
    assert.equal(new Big(text).times(new Big(10).pow(scale)).toFixed(0), minor.toString());
  }
});

test("no float ever appears in the money core", () => {
  for (const dir of ["src/core/money", "src/core/pricing"]) {
    // Recursive, so a subfolder added later is checked too.
    for (const f of fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"))) {
      const text = fs.readFileSync(path.join(dir, f), "utf8");
      assert.doesNotMatch(text, /parseFloat|\bNumber\(|Math\.(round|floor|ceil)\(|toFixed\(/, `${dir}/${f}`);
    }
  }
});

/** A seeded PRNG (LCG) so every property run sees the same cases. */
function prng(seed: number) {
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const digits = (max: number) => {
    let out = String(1 + Math.floor(next() * 9));
    const n = Math.floor(next() * max);
    for (let i = 0; i < n; i++) out += String(Math.floor(next() * 10));
    return out;
  };
  return { next, digits };
}

// big.js as the reference: enough places that no quotient here is rounded before its final rounding.
const RefBig = Big();
RefBig.DP = 80;
const refRound = (n: Big, mode: RoundingMode): string => {
  const negative = n.lt(0);
  const bigMode = {
    down: Big.roundDown,
    up: Big.roundUp,
    half_even: Big.roundHalfEven,
    floor: negative ? Big.roundUp : Big.roundDown,
    ceil: negative ? Big.roundDown : Big.roundUp,
  }[mode];
  return n.round(0, bigMode).toFixed(0);
};

test("property: mulDiv in every mode, any signs, matches big.js", () => {
  const r = prng(2024);
  const modes: RoundingMode[] = ["half_even", "floor", "ceil", "down", "up"];
  for (let i = 0; i < 2000; i++) {
    const sign = () => (r.next() < 0.5 ? "-" : "");
    const a = `${sign()}${r.digits(20)}`;
    const b = `${sign()}${r.digits(12)}`;
    // Small divisors make exact ties (x.5) common, so half-even is exercised on both sides.
    const c = `${sign()}${r.next() < 0.3 ? String(1 + Math.floor(r.next() * 4)) : r.digits(12)}`;
    const exact = new RefBig(a).times(b).div(c);
    for (const mode of modes) {
      assert.equal(mulDiv(BigInt(a), BigInt(b), BigInt(c), mode).toString(), refRound(exact, mode), `${a}×${b}/${c} ${mode}`);
    }
  }
});

test("property: the trading dialect's ceil rule matches big.js", () => {
  const r = prng(99);
  for (let i = 0; i < 2000; i++) {
    const fiatMinor = BigInt(r.digits(9));
    const rate = parseDecimal(`${r.digits(5)}.${r.digits(4)}`);
    const feeRate = parseDecimal(`0.${String(Math.floor(r.next() * 1000)).padStart(3, "0")}`);
    const cryptoMinor = tradingCryptoAmount(fiatMinor, 2, rate, 6);
    const rateText = `${rate.coefficient}e-${rate.scale}`;
    const expected = new RefBig(fiatMinor.toString()).div(100).div(rateText).times(1e6);
    assert.equal(cryptoMinor.toString(), refRound(expected, "ceil"), `${fiatMinor} at ${rateText}`);
    const fee = new RefBig(cryptoMinor.toString()).times(`${feeRate.coefficient}e-${feeRate.scale}`);
    assert.equal(tradingMerchantFee(cryptoMinor, feeRate).toString(), refRound(fee, "ceil"));
  }
});

test("property: JSON numbers of every magnitude read as their shortest decimal text, like big.js", () => {
  const r = prng(5);
  for (let i = 0; i < 2000; i++) {
    const n = (r.next() < 0.5 ? -1 : 1) * Number(`${r.digits(16)}e${Math.floor(r.next() * 60) - 30}`);
    const text = numberToDecimalText(n);
    assert.match(text, /^-?\d+(\.\d+)?$/, String(n));
    assert.equal(text, new Big(String(n)).toFixed(), String(n));
    const places = text.includes(".") ? text.split(".")[1]!.length : 0;
    assert.equal(parseAmount(n, places, { allowNegative: true }).toString(), new Big(text).times(new Big(10).pow(places)).toFixed(0));
  }
});

test("an on-chain deposit converts to the ledger's minor units exactly or is refused, never rounded", () => {
  const MAX = 10n ** 15n;
  // 6-decimal USDT into a 6-decimal ledger: as is.
  assert.deepEqual(depositToLedgerMinor(25_000_000n, 6, 6, MAX), { kind: "exact", minor: 25_000_000n });
  // An 18-decimal token (USDT on some chains): the twelve digits below the ledger's scale must be zero.
  assert.deepEqual(depositToLedgerMinor(1_500_000_000_000_000_000n, 18, 6, MAX), { kind: "exact", minor: 1_500_000n });
  assert.equal(depositToLedgerMinor(1_500_000_000_000_000_001n, 18, 6, MAX).kind, "refused");
  // Fewer decimals than the ledger: scaled up.
  assert.deepEqual(depositToLedgerMinor(7n, 2, 6, MAX), { kind: "exact", minor: 70_000n });
  // Above the automatic ceiling: refused, not truncated.
  assert.equal(depositToLedgerMinor(MAX + 1n, 6, 6, MAX).kind, "refused");
  assert.deepEqual(depositToLedgerMinor(MAX, 6, 6, MAX), { kind: "exact", minor: MAX });
});
