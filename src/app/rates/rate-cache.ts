// Rates cached in memory with their fetch time. A cached rate is reused for `refreshSeconds`; when a
// refresh fails the cached one is used only while younger than `maxRateAgeSeconds`. Beyond that,
// quoting fails with rate_unavailable: a stale rate is never used, whatever the two settings are. A
// source's rate that is not a positive decimal counts as a failed fetch, so no quote divides by it.
import { parseDecimal } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import type { Clock, RateQuote, RateSource } from "../ports.js";

interface RateCacheOptions {
  refreshSeconds: number;
  maxRateAgeSeconds: number;
}

export function createRateCache(source: RateSource, clock: Clock, opts: RateCacheOptions): RateSource {
  const cache = new Map<string, RateQuote>();
  const inflight = new Map<string, Promise<RateQuote>>();
  const age = (q: RateQuote) => clock.now().getTime() - q.fetchedAt.getTime();
  const reuseMs = Math.min(opts.refreshSeconds, opts.maxRateAgeSeconds) * 1000;

  return {
    name: `cached(${source.name})`,
    fetchedAt: () => new Map([...cache].map(([pair, q]) => [pair, q.fetchedAt])),
    async getRate(fiat, crypto) {
      const key = `${fiat.toUpperCase()}/${crypto.toUpperCase()}`;
      const cached = cache.get(key);
      if (cached && age(cached) < reuseMs) return cached;
      let pending = inflight.get(key);
      if (!pending) {
        pending = source.getRate(fiat, crypto).finally(() => inflight.delete(key));
        inflight.set(key, pending);
      }
      try {
        const fresh = await pending;
        if (age(fresh) > opts.maxRateAgeSeconds * 1000) throw new Error("source returned a stale rate");
        if (parseDecimal(fresh.rate).coefficient <= 0n) throw new Error("source returned a non-positive rate");
        cache.set(key, fresh);
        return fresh;
      } catch (err) {
        if (cached && age(cached) <= opts.maxRateAgeSeconds * 1000) return cached;
        throw new AppError("rate_unavailable", { message: `No fresh ${key} rate is available right now.`, details: { reason: (err as Error).message } });
      }
    },
  };
}
