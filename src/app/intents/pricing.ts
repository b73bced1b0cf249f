// Prices an intent with the shared pricing core: the pair's terms, the cached rate, and the pure
// quote (fiat wins when both amounts are given). Fees are all included in the crypto owed.
import { parseDecimal } from "../../core/money/decimal.js";
import { type Quote, quote } from "../../core/pricing/quote.js";
import type { Deps } from "../deps.js";
import { intentPairTerms } from "./pair-terms.js";

export const INTENT_QUOTE_TTL_SECONDS = 60;

export interface IntentPriceRequest {
  fiat: string;
  crypto: string;
  network: string;
  paymentMethod: string;
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
}

export async function priceIntent(deps: Deps, r: IntentPriceRequest): Promise<Quote> {
  const terms = intentPairTerms(r);
  const rate = await deps.ports.rates.getRate(r.fiat, terms.crypto);
  return quote(
    terms,
    { rate: parseDecimal(rate.rate), source: rate.source, fetchedAt: rate.fetchedAt },
    {
      ...(r.fiatMinor !== undefined ? { fiatMinor: r.fiatMinor } : {}),
      ...(r.cryptoMinor !== undefined ? { cryptoMinor: r.cryptoMinor } : {}),
      now: deps.clock.now(),
      maxRateAgeSeconds: deps.config.rates.maxRateAgeSeconds,
      ttlSeconds: INTENT_QUOTE_TTL_SECONDS,
    },
  );
}
