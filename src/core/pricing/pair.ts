// A fiat→crypto pair as the operator defines it: limits per payment method, spread, fee schedule,
// network fee. `termsFor` narrows it to one method for the pure quote; `parsePairSpec` reads the
// human form (major-unit decimal strings) used by the sandbox seed and RAMPART_PAIRS_FILE.
import { parseAmount } from "../money/decimal.js";
import { AppError } from "../shared/errors.js";
import type { FeeSchedule } from "./fees.js";
import type { PairTerms } from "./quote.js";

export interface PairDefinition {
  id: string;
  fiat: string;
  crypto: string;
  network: string;
  /** Fiat minor units per payment method. */
  limits: Record<string, { minMinor: bigint; maxMinor: bigint }>;
  spreadBps: number;
  fees: FeeSchedule;
  /** Crypto minor units. */
  networkFeeMinor: bigint;
  enabled: boolean;
}

export const pairId = (fiat: string, crypto: string, network: string): string => `${fiat.toUpperCase()}-${crypto.toUpperCase()}-${network.toLowerCase()}`;

/** The terms the pure quote needs, for one payment method; pair_unavailable when it is not offered. */
export function termsFor(pair: PairDefinition, method: string, scales: { fiatScale: number; cryptoDecimals: number }): PairTerms {
  const limits = Object.hasOwn(pair.limits, method) ? pair.limits[method] : undefined;
  if (!limits) throw new AppError("pair_unavailable", { field: "method", message: `${method} is not offered for ${pair.fiat}→${pair.crypto} (${pair.network}).` });
  return {
    fiat: pair.fiat,
    fiatScale: scales.fiatScale,
    crypto: pair.crypto,
    network: pair.network,
    cryptoDecimals: scales.cryptoDecimals,
    spreadBps: pair.spreadBps,
    fees: pair.fees,
    networkFeeMinor: pair.networkFeeMinor,
    limits: { minFiatMinor: limits.minMinor, maxFiatMinor: limits.maxMinor },
    enabled: pair.enabled,
  };
}

/** Human form: amounts are major-unit decimal strings ("10.00" EUR, "1" USDT). */
export interface PairSpec {
  fiat: string;
  crypto: string;
  network: string;
  methods: Record<string, { min: string; max: string }>;
  spreadBps: number;
  fee: { percentBps: number; fixed?: string; tiers?: { from: string; percentBps: number; fixed?: string }[] };
  networkFee: string;
  enabled?: boolean;
}

const bps = (v: unknown, field: string, max: number): number => {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > max) throw new AppError("validation_failed", { field, message: `${field} must be an integer 0..${max}` });
  return v;
};

export function parsePairSpec(spec: PairSpec, scales: { fiatScale: number; cryptoDecimals: number }): PairDefinition {
  const fiatAmt = (v: unknown, field: string) => parseAmount(v, scales.fiatScale, { field });
  const methods = Object.entries(spec.methods ?? {});
  if (methods.length === 0) throw new AppError("validation_failed", { field: "methods", message: "A pair needs at least one payment method." });
  const limits: PairDefinition["limits"] = {};
  for (const [method, l] of methods) {
    if (!/^[a-z0-9_]{2,32}$/.test(method)) throw new AppError("validation_failed", { field: "methods", message: `Bad method name ${method}` });
    const minMinor = fiatAmt(l.min, `methods.${method}.min`);
    const maxMinor = fiatAmt(l.max, `methods.${method}.max`);
    if (minMinor <= 0n || maxMinor < minMinor) throw new AppError("validation_failed", { field: `methods.${method}`, message: "Need 0 < min ≤ max." });
    limits[method] = { minMinor, maxMinor };
  }
  const fees: FeeSchedule = {
    percentBps: bps(spec.fee?.percentBps, "fee.percentBps", 10_000),
    fixedMinor: spec.fee?.fixed === undefined ? 0n : fiatAmt(spec.fee.fixed, "fee.fixed"),
  };
  if (spec.fee?.tiers) {
    fees.tiers = spec.fee.tiers.map((t, i) => ({
      fromMinor: fiatAmt(t.from, `fee.tiers.${i}.from`),
      percentBps: bps(t.percentBps, `fee.tiers.${i}.percentBps`, 10_000),
      fixedMinor: t.fixed === undefined ? 0n : fiatAmt(t.fixed, `fee.tiers.${i}.fixed`),
    }));
  }
  return {
    id: pairId(spec.fiat, spec.crypto, spec.network),
    fiat: spec.fiat.toUpperCase(),
    crypto: spec.crypto.toUpperCase(),
    network: spec.network.toLowerCase(),
    limits,
    spreadBps: bps(spec.spreadBps, "spreadBps", 5000),
    fees,
    networkFeeMinor: parseAmount(spec.networkFee, scales.cryptoDecimals, { field: "networkFee" }),
    enabled: spec.enabled ?? true,
  };
}
