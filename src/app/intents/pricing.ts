// Prices an intent with the shared pricing core: the pair's terms from the database, the cached
// rate, and the pure quote (fiat wins when both amounts are given).
import type { Kysely } from "kysely";
import { parseDecimal } from "../../core/money/decimal.js";
import { type Quote, quote } from "../../core/pricing/quote.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { loadPairTerms } from "../pricing/pairs.js";

export const INTENT_QUOTE_TTL_SECONDS = 60;

export interface IntentPriceRequest {
  fiat: string;
  crypto: string;
  network: string;
  paymentMethod: string;
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
}

export async function priceIntent(deps: Deps, db: Kysely<DB>, r: IntentPriceRequest): Promise<Quote> {
  const terms = await loadPairTerms(db, { fiat: r.fiat, crypto: r.crypto, network: r.network, paymentMethod: r.paymentMethod });
  const rate = await deps.ports.rates.getRate(r.fiat, r.crypto);
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
