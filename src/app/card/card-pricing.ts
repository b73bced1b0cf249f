// Pricing for the card dialect: pair terms from config, rates through the rate port (already cached),
// quotes through the money core's pure quote(). Crypto owed rounds down to the wire scale.
import { convertFiat, truncateToWireScale } from "../../core/card/card-amounts.js";
import { AssetRegistry, type CryptoAsset } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { parseAmount, parseDecimal } from "../../core/money/decimal.js";
import { type PairTerms, type Quote, quote, type RateInput } from "../../core/pricing/quote.js";
import { AppError } from "../../core/shared/errors.js";
import type { Deps } from "../deps.js";

/** Fiat is bridged to other fiats through this asset's rates (every fiat has a USDT rate). */
export const BRIDGE_ASSET = "USDT";

const assets = new AssetRegistry();

export interface CardPair {
  terms: PairTerms;
  asset: CryptoAsset;
}

/** The crypto asset a symbol settles in for custodial wallets: its first listed network. */
export function walletAsset(symbol: string, field = "toCurrency"): CryptoAsset {
  const a = assets.networksOf(symbol)[0];
  if (!a) throw new AppError("unknown_currency", { field, message: `Unknown crypto currency ${symbol}.` });
  return a;
}

export function cardPair(deps: Deps, fiatInput: string, cryptoInput: string): CardPair {
  const c = deps.config.card;
  const fiat = fiatInput.trim().toUpperCase();
  const crypto = cryptoInput.trim().toUpperCase();
  if (!c.fiats.includes(fiat)) throw new AppError("pair_unavailable", { field: "fromCurrency", message: `${fiat} is not offered; use one of ${c.fiats.join(", ")}.` });
  if (!c.cryptos.includes(crypto)) throw new AppError("pair_unavailable", { field: "toCurrency", message: `${crypto} is not offered; use one of ${c.cryptos.join(", ")}.` });
  const asset = walletAsset(crypto);
  const scale = fiatScale(fiat, "fromCurrency");
  return {
    asset,
    terms: {
      fiat,
      fiatScale: scale,
      crypto,
      network: asset.network,
      cryptoDecimals: asset.decimals,
      spreadBps: 0,
      fees: { percentBps: c.feeBps, fixedMinor: parseAmount(c.fixedFee, scale) },
      networkFeeMinor: 0n, // credited to a custodial wallet: nothing goes on chain
      limits: { minFiatMinor: parseAmount(c.minAmount, scale), maxFiatMinor: parseAmount(c.maxAmount, scale) },
      enabled: true,
    },
  };
}

export async function currentRate(deps: Deps, fiat: string, crypto: string): Promise<RateInput> {
  const r = await deps.ports.rates.getRate(fiat, crypto);
  return { rate: parseDecimal(r.rate), source: r.source, fetchedAt: r.fetchedAt };
}

const FIELD_NAMES: Record<string, string> = { fiatAmount: "amount", cryptoAmount: "toAmount" };

/** quote() in the dialect's words: fields named amount/toAmount, crypto rounded down to 8 decimals. */
export function cardQuote(deps: Deps, pair: CardPair, rate: RateInput, amount: { fiatMinor?: bigint; cryptoMinor?: bigint }): Quote {
  let q: Quote;
  try {
    q = quote(pair.terms, rate, {
      ...amount,
      now: deps.clock.now(),
      maxRateAgeSeconds: deps.config.rates.maxRateAgeSeconds,
      ttlSeconds: deps.config.card.offerTtlSeconds,
    });
  } catch (err) {
    if (err instanceof AppError && err.field !== undefined && FIELD_NAMES[err.field]) {
      throw new AppError(err.code, { field: FIELD_NAMES[err.field]!, message: err.message, ...(err.details ? { details: err.details } : {}) });
    }
    throw err;
  }
  const cryptoMinor = truncateToWireScale(q.cryptoMinor, pair.asset.decimals);
  if (cryptoMinor <= 0n) throw new AppError("amount_below_minimum", { field: "amount", message: "Nothing is left after fees." });
  return { ...q, cryptoMinor };
}

/** An amount in the KYC limit currency (rounded up), bridged through the USDT rates when needed. */
export async function inLimitCurrency(deps: Deps, fiat: string, fiatMinor: bigint): Promise<bigint> {
  const limitCurrency = deps.config.card.limitCurrency;
  if (fiat === limitCurrency) return fiatMinor;
  const [from, to] = await Promise.all([currentRate(deps, fiat, BRIDGE_ASSET), currentRate(deps, limitCurrency, BRIDGE_ASSET)]);
  return convertFiat(fiatMinor, fiatScale(fiat), fiatScale(limitCurrency), from.rate, to.rate);
}

