// What the customer reads before an offer: fiat cross rates, and /data (saved cards, pairs with rates
// and scales, fees, limits). A pair whose rate is unavailable right now is left out, not an error.
import { cryptoPerFiatScaled, fiatCrossScaled } from "../../core/card/card-amounts.js";
import { fiatScale } from "../../core/money/currencies.js";
import { type Decimal, parseDecimal } from "../../core/money/decimal.js";
import { type CardRow, listCards } from "../../db/card/cards.js";
import type { Deps } from "../deps.js";
import { BRIDGE_ASSET, type CardPair, cardPairs } from "./card-pricing.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { type LimitState, limitState } from "./customer-profile.js";

export interface FiatRate {
  base: string;
  symbol: string;
  /** Units of `symbol` per 1 `base`, scaled 10^8. */
  rateScaled: bigint;
}

interface PairRate {
  pair: CardPair;
  /** Crypto per 1 fiat, scaled 10^8. */
  rateScaled: bigint;
}

async function tryRate(deps: Deps, fiat: string, crypto: string): Promise<Decimal | null> {
  try {
    return parseDecimal((await deps.ports.rates.getRate(fiat, crypto)).rate);
  } catch {
    return null;
  }
}

/** Each configured fiat's price of one bridge unit (USDT); fiats without a rate right now are left out. */
async function bridgeRates(deps: Deps, fiats: string[]): Promise<Map<string, Decimal>> {
  const out = new Map<string, Decimal>();
  for (const fiat of fiats) {
    const r = await tryRate(deps, fiat, BRIDGE_ASSET);
    if (r) out.set(fiat, r);
  }
  return out;
}

/** The limit currency first, then every fiat the card method is offered in. */
async function cardFiats(deps: Deps, pairs?: CardPair[]): Promise<string[]> {
  return [...new Set([deps.config.card.limitCurrency, ...(pairs ?? (await cardPairs(deps))).map((p) => p.terms.fiat)])];
}

/** Each card fiat against the limit currency, bridged through USDT. */
export async function fiatRates(deps: Deps): Promise<FiatRate[]> {
  const base = deps.config.card.limitCurrency;
  const perBridge = await bridgeRates(deps, await cardFiats(deps));
  const baseRate = perBridge.get(base);
  if (!baseRate) return [];
  return [...perBridge].map(([symbol, r]) => ({ base, symbol, rateScaled: fiatCrossScaled(baseRate, r) }));
}

export interface PayinData {
  cards: CardRow[];
  pairs: PairRate[];
  fiatPairs: { from: string; to: string; fromScale: number; toScale: number; rateScaled: bigint }[];
  validTo: Date;
  limit: LimitState;
}

/** The customer's saved cards (deleted ones left out), oldest first. */
export async function savedCards(deps: Deps, who: CustomerPrincipal): Promise<CardRow[]> {
  return listCards(deps.database.db, who.customerId);
}

export async function payinData(deps: Deps, who: CustomerPrincipal): Promise<PayinData> {
  const c = deps.config.card;
  const all = await cardPairs(deps);
  const pairs: PairRate[] = [];
  for (const pair of all) {
    const rate = await tryRate(deps, pair.terms.fiat, pair.terms.crypto);
    if (rate) pairs.push({ pair, rateScaled: cryptoPerFiatScaled(rate, pair.terms.spreadBps) });
  }
  const perBridge = await bridgeRates(deps, [...new Set(all.map((p) => p.terms.fiat))]);
  const fiatPairs: PayinData["fiatPairs"] = [];
  for (const [from, f] of perBridge) {
    for (const [to, t] of perBridge) {
      if (from !== to) fiatPairs.push({ from, to, fromScale: fiatScale(from), toScale: fiatScale(to), rateScaled: fiatCrossScaled(f, t) });
    }
  }
  return {
    cards: await savedCards(deps, who),
    pairs,
    fiatPairs,
    validTo: new Date(deps.clock.now().getTime() + c.dataValidSeconds * 1000),
    limit: await limitState(deps, deps.database.db, who.customerId, who.kycLevel),
  };
}
