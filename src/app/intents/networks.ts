// GET /payment/networks: what an intent can buy now, per fiat. An asset is listed with the fiats it
// has an enabled pair for that an intent can be paid with (bank transfer) and a rate the rates port
// answers now; an asset with none (USDC in the sandbox: no pair, no price) is left out. Each entry
// names the ticker-style aliases its network is also accepted as (core/money/network-aliases.ts).
import { AssetRegistry } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { AppError } from "../../core/shared/errors.js";
import { listPairs } from "../../db/pricing/pricing-store.js";
import type { Deps } from "../deps.js";
import { offeredPaymentMethods } from "./pricing.js";

const assets = new AssetRegistry();

interface BuyableNetwork {
  cryptoSymbol: string;
  network: string;
  name: string;
  decimals: number;
  aliases: string[];
  currencyIsoCodes: string[];
}

async function buyable(deps: Deps, key: { fiat: string; crypto: string; network: string }): Promise<boolean> {
  try {
    await offeredPaymentMethods(deps, key);
    await deps.ports.rates.getRate(key.fiat, key.crypto);
    return true;
  } catch (err) {
    if (err instanceof AppError) return false; // no pair, no intent method or no rate: not buyable now
    throw err;
  }
}

/** `fiat` narrows the list to what that currency can buy (an unknown one is 400 naming currencyIsoCode). */
export async function buyableNetworks(deps: Deps, fiat?: string): Promise<BuyableNetwork[]> {
  const only = fiat === undefined ? undefined : fiat.toUpperCase();
  if (only !== undefined) fiatScale(only, "currencyIsoCode");
  const fiatsOf = new Map<string, string[]>();
  for (const p of await listPairs(deps.database.db)) {
    if (!p.enabled || (only !== undefined && p.fiat !== only)) continue;
    if (!(await buyable(deps, p))) continue;
    const key = AssetRegistry.key(p.crypto, p.network);
    fiatsOf.set(key, [...(fiatsOf.get(key) ?? []), p.fiat].sort());
  }
  return assets.list().flatMap((a) => {
    const currencyIsoCodes = fiatsOf.get(AssetRegistry.key(a.symbol, a.network));
    if (!currencyIsoCodes) return [];
    return [{ cryptoSymbol: a.symbol, network: a.network, name: a.name, decimals: a.decimals, aliases: assets.aliasesOf(a), currencyIsoCodes }];
  });
}
