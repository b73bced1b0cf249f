// Sandbox: a deterministic random walk around a base rate, seeded per UTC day and pair, one step a
// minute. Demos see rates move; the same instant always gives the same rate, so tests reproduce.
import { createHash } from "node:crypto";
import type { Clock, RateSource } from "../../app/ports.js";
import { formatMinorTrimmed, parseAmount } from "../../core/money/decimal.js";

const SCALE = 8;
const STEP_PPM = 300n; // at most ±0.03% a minute
const BAND_PPM = 30_000n; // never more than ±3% from the base

const SANDBOX_BASE_RATES: Record<string, string> = {
  "EUR/USDT": "0.93",
  "EUR/USDC": "0.93",
  "EUR/BTC": "60000",
  "EUR/ETH": "3000",
  "USD/USDT": "1.00",
  "USD/USDC": "1.00",
  "USD/BTC": "65000",
  "USD/ETH": "3200",
  "RUB/USDT": "99.12",
  "KZT/USDT": "505",
};

/** Rate (scaled 10^8) at `at` for a pair: pure function of base, day and minute. */
export function walkRate(baseScaled: bigint, pair: string, at: Date): bigint {
  const day = at.toISOString().slice(0, 10);
  const minutes = at.getUTCHours() * 60 + at.getUTCMinutes();
  let seed = createHash("sha256").update(`${day}|${pair}`).digest();
  let value = baseScaled;
  const lo = (baseScaled * (1_000_000n - BAND_PPM)) / 1_000_000n;
  const hi = (baseScaled * (1_000_000n + BAND_PPM)) / 1_000_000n;
  for (let m = 0; m < minutes; m++) {
    if (m % 8 === 0 && m > 0) seed = createHash("sha256").update(seed).digest();
    const word = BigInt(seed.readUInt32BE((m % 8) * 4));
    const step = (word % (2n * STEP_PPM + 1n)) - STEP_PPM;
    value = (value * (1_000_000n + step)) / 1_000_000n;
    if (value < lo) value = lo;
    if (value > hi) value = hi;
  }
  return value;
}

export function createRandomWalkSource(clock: Clock, bases: Record<string, string> = SANDBOX_BASE_RATES): RateSource {
  return {
    name: "sandbox-random-walk",
    async getRate(fiat, crypto) {
      const pair = `${fiat.toUpperCase()}/${crypto.toUpperCase()}`;
      const base = bases[pair];
      if (!base) throw new Error(`no sandbox rate for ${pair}`);
      const now = clock.now();
      const rate = walkRate(parseAmount(base, SCALE), pair, now);
      return { fiat, crypto, rate: formatMinorTrimmed(rate, SCALE), source: "sandbox-random-walk", fetchedAt: now };
    },
  };
}
