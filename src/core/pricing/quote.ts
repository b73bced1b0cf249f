// Pure quoting: a fiat amount or a crypto amount in, every figure out. When both are given fiat
// wins and crypto is recalculated. Rounding always favours the house: fees up, crypto owed down,
// the fiat needed for a crypto amount up.
import { AppError } from "../shared/errors.js";
import { type Decimal, formatDecimal, formatMinorTrimmed } from "../money/decimal.js";
import { divRound, pow10 } from "../money/rounding.js";
import { type FeeSchedule, feeFor, tierBoundaries } from "./fees.js";

export interface PairTerms {
  fiat: string;
  fiatScale: number;
  crypto: string;
  network: string;
  cryptoDecimals: number;
  /** Worsens the mid rate for the user: fiat per crypto × (1 + spread). */
  spreadBps: number;
  fees: FeeSchedule;
  /** Sent to the chain with the payout; deducted from the crypto owed. */
  networkFeeMinor: bigint;
  limits: { minFiatMinor: bigint; maxFiatMinor: bigint };
  enabled: boolean;
}

export interface RateInput {
  rate: Decimal; // fiat per 1 crypto (mid)
  source: string;
  fetchedAt: Date;
}

interface FeeLine {
  name: "processing" | "network";
  currency: string;
  amountMinor: bigint;
}

export interface Quote {
  fiat: string;
  crypto: string;
  network: string;
  fiatMinor: bigint;
  cryptoMinor: bigint;
  midRate: string;
  /** Fiat per crypto after the spread, to 8 decimals rounded up (what the user effectively pays). */
  effectiveRate: string;
  fees: FeeLine[];
  rateSource: string;
  rateFetchedAt: Date;
}

interface QuoteRequest {
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
  now: Date;
  maxRateAgeSeconds: number;
}

/** Crypto owed for a gross fiat amount (before limits): net of the processing and network fees. */
export function cryptoForFiat(terms: PairTerms, rate: Decimal, fiatMinor: bigint): { cryptoMinor: bigint; feeMinor: bigint } {
  const feeMinor = feeFor(terms.fees, fiatMinor);
  const net = fiatMinor - feeMinor;
  if (net <= 0n) return { cryptoMinor: 0n, feeMinor };
  // net/10^fs ÷ (coef/10^rs × (10000+spread)/10000) × 10^cd
  const gross = divRound(
    net * pow10(terms.cryptoDecimals + rate.scale) * 10_000n,
    pow10(terms.fiatScale) * rate.coefficient * BigInt(10_000 + terms.spreadBps),
    "floor",
  );
  const cryptoMinor = gross - terms.networkFeeMinor;
  return { cryptoMinor: cryptoMinor > 0n ? cryptoMinor : 0n, feeMinor };
}

// Far beyond any pair's limit: a search that reaches it means the crypto amount cannot be bought.
const SEARCH_CEILING = 10n ** 30n;

/**
 * The smallest fiat amount whose crypto is at least `cryptoMinor`, so the user never gets less than
 * asked and the house never under-charges. Crypto grows with fiat within one fee tier but can drop
 * where a dearer tier starts, so each tier's range is searched on its own, lowest range first.
 */
export function fiatForCrypto(terms: PairTerms, rate: Decimal, cryptoMinor: bigint): bigint {
  const enough = (fiat: bigint) => cryptoForFiat(terms, rate, fiat).cryptoMinor >= cryptoMinor;
  const starts = [0n, ...tierBoundaries(terms.fees)];
  for (let i = 0; i + 1 < starts.length; i++) {
    const end = starts[i + 1]! - 1n;
    if (enough(end)) return firstEnough(enough, starts[i]!, end);
  }
  // The last range is open: double until enough, then search below.
  const start = starts[starts.length - 1]!;
  let hi = start > 0n ? start : 1n;
  while (!enough(hi)) {
    hi *= 2n;
    if (hi > SEARCH_CEILING) throw new AppError("amount_above_maximum", { field: "cryptoAmount" });
  }
  return firstEnough(enough, start, hi);
}

/** Binary search for the first amount in [lo, hi] that is enough; `enough` is monotone there and true at hi. */
function firstEnough(enough: (fiat: bigint) => boolean, lo: bigint, hi: bigint): bigint {
  while (lo < hi) {
    const mid = (lo + hi) / 2n;
    if (enough(mid)) hi = mid;
    else lo = mid + 1n;
  }
  return lo;
}

export function quote(terms: PairTerms, rate: RateInput, req: QuoteRequest): Quote {
  if (!terms.enabled) throw new AppError("pair_unavailable");
  // A rate of zero would divide by zero; whatever produced it, there is no usable rate.
  if (rate.rate.coefficient <= 0n) throw new AppError("rate_unavailable", { message: `The ${terms.fiat}/${terms.crypto} rate is not positive.` });
  const ageMs = req.now.getTime() - rate.fetchedAt.getTime();
  if (ageMs > req.maxRateAgeSeconds * 1000) {
    throw new AppError("rate_unavailable", { message: `The ${terms.fiat}/${terms.crypto} rate is ${BigInt(ageMs) / 1000n} s old.` });
  }
  let fiatMinor: bigint;
  let field: string;
  if (req.fiatMinor !== undefined) {
    if (req.fiatMinor <= 0n) throw new AppError("invalid_amount", { field: "fiatAmount" });
    fiatMinor = req.fiatMinor;
    field = "fiatAmount";
  } else if (req.cryptoMinor !== undefined) {
    if (req.cryptoMinor <= 0n) throw new AppError("invalid_amount", { field: "cryptoAmount" });
    fiatMinor = fiatForCrypto(terms, rate.rate, req.cryptoMinor);
    field = "cryptoAmount";
  } else {
    throw new AppError("validation_failed", { field: "fiatAmount", message: "Give a fiat amount or a crypto amount." });
  }
  const { minFiatMinor, maxFiatMinor } = terms.limits;
  if (fiatMinor < minFiatMinor) {
    throw new AppError("amount_below_minimum", { field, message: `The minimum is ${formatMinorTrimmed(minFiatMinor, terms.fiatScale)} ${terms.fiat}.`, details: { limit: formatMinorTrimmed(minFiatMinor, terms.fiatScale) } });
  }
  if (fiatMinor > maxFiatMinor) {
    throw new AppError("amount_above_maximum", { field, message: `The maximum is ${formatMinorTrimmed(maxFiatMinor, terms.fiatScale)} ${terms.fiat}.`, details: { limit: formatMinorTrimmed(maxFiatMinor, terms.fiatScale) } });
  }
  const { cryptoMinor, feeMinor } = cryptoForFiat(terms, rate.rate, fiatMinor);
  if (cryptoMinor <= 0n) throw new AppError("amount_below_minimum", { field, message: "Nothing is left after fees." });
  const effective = divRound(rate.rate.coefficient * BigInt(10_000 + terms.spreadBps) * pow10(8), pow10(rate.rate.scale) * 10_000n, "ceil");
  return {
    fiat: terms.fiat,
    crypto: terms.crypto,
    network: terms.network,
    fiatMinor,
    cryptoMinor,
    midRate: formatDecimal(rate.rate),
    effectiveRate: formatMinorTrimmed(effective, 8),
    fees: [
      { name: "processing", currency: terms.fiat, amountMinor: feeMinor },
      { name: "network", currency: terms.crypto, amountMinor: terms.networkFeeMinor },
    ],
    rateSource: rate.source,
    rateFetchedAt: rate.fetchedAt,
  };
}
