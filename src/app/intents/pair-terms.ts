// The terms an intent is priced with (spread, fees, network fee, limits) per fiat, asset and payment
// method. INTERIM: the pairs table (ledger/pricing area, contracts.md) has not landed; until it does,
// these built-in terms are used. When `src/app/pricing` lands, `intentPairTerms` reads from it and
// this table becomes its sandbox seed.
import type { PairTerms } from "../../core/pricing/quote.js";
import { fiatScale } from "../../core/money/currencies.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { AppError } from "../../core/shared/errors.js";

/** Payment methods this dialect prices; estimates without `paymentMethod` answer one line each. */
export const INTENT_PAYMENT_METHODS = ["bank_transfer"] as const;
export type IntentPaymentMethod = (typeof INTENT_PAYMENT_METHODS)[number];

const SERVED_FIATS = ["EUR", "USD"] as const;

/** Fee the chain charges per payout, in the asset's minor units (deducted from the crypto owed). */
const NETWORK_FEES: Record<string, bigint> = {
  "BTC/bitcoin": 2_000n, // 0.00002 BTC
  "ETH/ethereum": 500_000_000_000_000n, // 0.0005 ETH
  "USDT/trc20": 1_000_000n, // 1 USDT
  "USDT/erc20": 3_000_000n, // 3 USDT
  "USDC/erc20": 3_000_000n, // 3 USDC
};

const METHOD_FEES: Record<IntentPaymentMethod, { percentBps: number; fixedMinor: bigint }> = {
  bank_transfer: { percentBps: 150, fixedMinor: 0n },
};

const assets = new AssetRegistry();

export function isIntentPaymentMethod(m: string): m is IntentPaymentMethod {
  return (INTENT_PAYMENT_METHODS as readonly string[]).includes(m);
}

export function intentPairTerms(p: { fiat: string; crypto: string; network: string; paymentMethod: string }): PairTerms {
  if (!isIntentPaymentMethod(p.paymentMethod)) throw new AppError("pair_unavailable", { field: "paymentMethod", message: `Payment method ${p.paymentMethod} is not offered.` });
  if (!(SERVED_FIATS as readonly string[]).includes(p.fiat)) {
    throw new AppError("pair_unavailable", { field: "currencyIsoCode", message: `${p.fiat} is not offered.` });
  }
  const asset = assets.get(p.crypto, p.network, "network");
  const fiatDigits = fiatScale(p.fiat, "currencyIsoCode");
  const unit = 10n ** BigInt(fiatDigits);
  return {
    fiat: p.fiat,
    fiatScale: fiatDigits,
    crypto: asset.symbol,
    network: asset.network,
    cryptoDecimals: asset.decimals,
    spreadBps: 50,
    fees: METHOD_FEES[p.paymentMethod],
    networkFeeMinor: NETWORK_FEES[AssetRegistry.key(asset.symbol, asset.network)] ?? 0n,
    limits: { minFiatMinor: 10n * unit, maxFiatMinor: 15_000n * unit },
    enabled: true,
  };
}
