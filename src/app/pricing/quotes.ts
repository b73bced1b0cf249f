// Quotes: load the pair, read the rate through the cache (deps.ports.rates), price with the pure
// core quote, store it with its ttl. Pricing reads run outside any transaction; storeQuote takes the
// caller's transaction so a quote is stored with the object that uses it.
import type { Transaction } from "kysely";
import { parseDecimal } from "../../core/money/decimal.js";
import { type Quote, quote } from "../../core/pricing/quote.js";
import { findQuote, insertQuote, type StoredQuote } from "../../db/pricing/pricing-store.js";
import type { Db, DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { loadPair, type PairKey, pairTerms } from "./pairs.js";

export type { StoredQuote } from "../../db/pricing/pricing-store.js";

export interface QuoteInput extends PairKey {
  method: string;
  /** Fiat given (wins when both are), or crypto given; minor units. */
  fiatMinor?: bigint;
  cryptoMinor?: bigint;
  /** Defaults to RAMPART_QUOTE_TTL_SECONDS. */
  ttlSeconds?: number;
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
      ttlSeconds: input.ttlSeconds ?? deps.config.pricing.quoteTtlSeconds,
    },
  );
  return { ...q, pairId: loaded.pair.id, method: input.method };
}

/** Stores a priced quote in the caller's transaction; returns it with its id. */
export async function storeQuote(
  trx: Transaction<DB>,
  q: PricedQuote,
  meta: { id: string; merchantId: string | null; now: Date },
): Promise<StoredQuote> {
  const stored: StoredQuote = { ...q, id: meta.id, merchantId: meta.merchantId, createdAt: meta.now };
  await insertQuote(trx, stored);
  return stored;
}

/** quoteFor + storeQuote in a transaction of its own (a standalone quote endpoint). Id prefix "qt". */
export async function createQuote(deps: Deps, input: QuoteInput & { merchantId?: string | null }): Promise<StoredQuote> {
  const priced = await quoteFor(deps, input);
  return deps.database.db
    .transaction()
    .execute((trx) => storeQuote(trx, priced, { id: deps.ids.prefixed("qt"), merchantId: input.merchantId ?? null, now: deps.clock.now() }));
}

/** A stored quote, or null. The caller decides what an expired one means (compare expiresAt). */
export async function loadQuote(db: Db, id: string): Promise<StoredQuote | null> {
  return findQuote(db, id);
}
