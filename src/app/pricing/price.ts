// Pricing an amount: load the pair, read the rate through the cache (deps.ports.rates), price with the
// pure core quote. Runs outside any transaction. Nothing is stored: the object priced (an intent, a
// card offer) keeps the figures it needs.
import { parseDecimal } from "../../core/money/decimal.js";
import { type Quote, quote } from "../../core/pricing/quote.js";
import type { Deps } from "../deps.js";
import { loadPair, type PairKey, pairTerms } from "./pairs.js";

interface QuoteInput extends PairKey {
  method: string;
  /** Fiat given (wins when both are), or crypto given; minor units. */
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
}

export interface PricedQuote extends Quote {
  pairId: string;
  method: string;
}

/**
 * Prices an amount. Throws AppError pair_unavailable, rate_unavailable (no rate younger than
 * maxRateAgeSeconds), amount_below_minimum / amount_above_maximum (per-method limits), invalid_amount.
 */
export async function quoteFor(deps: Deps, input: QuoteInput): Promise<PricedQuote> {
  const loaded = await loadPair(deps, input);
  const terms = pairTerms(loaded, input.method);
  const rq = await deps.ports.rates.getRate(terms.fiat, terms.crypto);
  const q = quote(
    terms,
    { rate: parseDecimal(rq.rate, "rate"), source: rq.source, fetchedAt: rq.fetchedAt },
    {
      ...(input.fiatMinor !== undefined ? { fiatMinor: input.fiatMinor } : {}),
      ...(input.cryptoMinor !== undefined ? { cryptoMinor: input.cryptoMinor } : {}),
      now: deps.clock.now(),
      maxRateAgeSeconds: deps.config.rates.maxRateAgeSeconds,
    },
  );
  return { ...q, pairId: loaded.pair.id, method: input.method };
}
