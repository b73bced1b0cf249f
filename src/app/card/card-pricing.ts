// Pricing for the card dialect on top of the pricing area: pairs (table or RAMPART_PAIRS_FILE) that
// offer the "card" method, rates through the rate port (already cached), quotes through the money
// core's pure quote(). The crypto is credited to a custodial wallet, so no network fee applies; the
// crypto owed rounds down to the wire scale (8 decimals).
import { convertFiat, truncateToWireScale } from "../../core/card/card-amounts.js";
import type { CryptoAsset } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parseDecimal } from "../../core/money/decimal.js";
import { type PairTerms, type Quote, quote, type RateInput } from "../../core/pricing/quote.js";
import { AppError } from "../../core/shared/errors.js";
import { listPairs } from "../../db/pricing/pricing-store.js";
import type { Deps } from "../deps.js";
import { loadPair, pairTerms } from "../pricing/pairs.js";

const CARD_METHOD = "card";
/** Fiat is bridged to other fiats through this asset's rates. */
export const BRIDGE_ASSET = "USDT";

export interface CardPair {
  terms: PairTerms;
  asset: CryptoAsset;
}

/** Pairs change by operator action; each process re-reads them at most this often. */
const PAIRS_CACHE_MS = 5_000;
const pairsCache = new WeakMap<Deps, { at: number; pairs: Promise<CardPair[]> }>();

/**
 * Every (fiat, crypto) the card method is offered for. The wire names a crypto without a network;
 * when a crypto is offered on several networks the first pair by id is the one used. Cached briefly
 * per process: an offer is a hot path and pairs are configuration.
 */
export function cardPairs(deps: Deps): Promise<CardPair[]> {
  const now = deps.clock.now().getTime();
  const hit = pairsCache.get(deps);
  if (hit && now - hit.at >= 0 && now - hit.at < PAIRS_CACHE_MS) return hit.pairs;
  const pairs = readCardPairs(deps);
  pairsCache.set(deps, { at: now, pairs });
  pairs.catch(() => pairsCache.delete(deps));
  return pairs;
}

async function readCardPairs(deps: Deps): Promise<CardPair[]> {
  const seen = new Set<string>();
  const out: CardPair[] = [];
  for (const p of await listPairs(deps.database.db)) {
    const key = `${p.fiat}/${p.crypto}`;
    if (seen.has(key) || !p.enabled || !Object.hasOwn(p.limits, CARD_METHOD)) continue;
    seen.add(key);
    out.push(await loadCardPair(deps, p.fiat, p.crypto, p.network));
  }
  return out;
}

async function loadCardPair(deps: Deps, fiat: string, crypto: string, network: string): Promise<CardPair> {
  const loaded = await loadPair(deps, { fiat, crypto, network });
  return { asset: loaded.asset, terms: { ...pairTerms(loaded, CARD_METHOD), networkFeeMinor: 0n } };
}

export async function cardPair(deps: Deps, fiatInput: string, cryptoInput: string): Promise<CardPair> {
  const fiat = fiatInput.trim().toUpperCase();
  const crypto = cryptoInput.trim().toUpperCase();
  const all = await cardPairs(deps);
  const found = all.find((p) => p.terms.fiat === fiat && p.terms.crypto === crypto);
  if (!found) {
    const fiatOffered = all.some((p) => p.terms.fiat === fiat);
    throw new AppError("pair_unavailable", { field: fiatOffered ? "toCurrency" : "fromCurrency", message: `${fiat}→${crypto} is not offered for card payments.` });
  }
  return found;
}

export async function currentRate(deps: Deps, fiat: string, crypto: string): Promise<RateInput> {
  const r = await deps.ports.rates.getRate(fiat, crypto);
  return { rate: parseDecimal(r.rate), source: r.source, fetchedAt: r.fetchedAt };
}

const FIELD_NAMES: Record<string, string> = { fiatAmount: "amount", cryptoAmount: "toAmount" };

/** quote() in the dialect's words: fields named amount/toAmount, crypto rounded down to 8 decimals. */
/** A card quote is valid for the offer's ttl (RAMPART_CARD_OFFER_TTL_SECONDS). */
export interface CardQuote extends Quote {
  expiresAt: Date;
}

export function cardQuote(deps: Deps, pair: CardPair, rate: RateInput, amount: { fiatMinor?: bigint; cryptoMinor?: bigint }): CardQuote {
  const now = deps.clock.now();
  let q: Quote;
  try {
    q = quote(pair.terms, rate, {
      ...amount,
      now,
      maxRateAgeSeconds: deps.config.rates.maxRateAgeSeconds,
    });
  } catch (err) {
    if (err instanceof AppError && err.field !== undefined && FIELD_NAMES[err.field]) {
      throw new AppError(err.code, { field: FIELD_NAMES[err.field]!, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    throw err;
  }
  const cryptoMinor = truncateToWireScale(q.cryptoMinor, pair.asset.decimals);
  if (cryptoMinor <= 0n) throw new AppError("amount_below_minimum", { field: "amount", message: "Nothing is left after fees." });
  return { ...q, cryptoMinor, expiresAt: new Date(now.getTime() + deps.config.card.offerTtlSeconds * 1000) };
}

/** An amount in the KYC limit currency (rounded up), bridged through the USDT rates when needed. */
export async function inLimitCurrency(deps: Deps, fiat: string, fiatMinor: bigint): Promise<bigint> {
  const limitCurrency = deps.config.card.limitCurrency;
  if (fiat === limitCurrency) return fiatMinor;
  const [from, to] = await Promise.all([currentRate(deps, fiat, BRIDGE_ASSET), currentRate(deps, limitCurrency, BRIDGE_ASSET)]);
  return convertFiat(fiatMinor, fiatScale(fiat), fiatScale(limitCurrency), from.rate, to.rate);
}
