// The two exchange estimates of the dialect. Every fee is included: the crypto figure is what the
// wallet receives, the fiat figure is what the payer sends. The dialect's query has no network: the
// asset's first network is used unless the optional `network` extension names another
// (docs/contract-intents.md#estimates-and-networks).
import { AssetRegistry, type CryptoAsset } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { minorToJsonNumber, parseAmount } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import type { Deps } from "../deps.js";
import { DEFAULT_PAYMENT_METHOD, offeredPaymentMethods, priceIntent } from "./pricing.js";

const assets = new AssetRegistry();

function assetFor(symbol: string, network: string | undefined): CryptoAsset {
  if (network) return assets.get(symbol, network, "network");
  const first = assets.networksOf(symbol)[0];
  if (!first) throw new AppError("unknown_currency", { field: "cryptoSymbol", message: `Unknown crypto symbol ${symbol}` });
  return first;
}

interface FiatToCryptoQuery {
  fiatAmount: string | number;
  currencyIsoCode: string;
  cryptoSymbol: string;
  paymentMethod?: string;
  network?: string;
}

export async function estimateFiatToCrypto(deps: Deps, q: FiatToCryptoQuery) {
  const fiat = q.currencyIsoCode.toUpperCase();
  const scale = fiatScale(fiat, "currencyIsoCode");
  const asset = assetFor(q.cryptoSymbol, q.network);
  const fiatMinor = parseAmount(q.fiatAmount, scale, { field: "fiatAmount" });
  const priced = async (paymentMethod: string) => {
    const quote = await priceIntent(deps, { fiat, crypto: asset.symbol, network: asset.network, paymentMethod, fiatMinor });
    return minorToJsonNumber(quote.cryptoMinor, asset.decimals);
  };
  const base = { fiatAmount: minorToJsonNumber(fiatMinor, scale), currencyIsoCode: fiat, cryptoSymbol: asset.symbol };
  if (q.paymentMethod !== undefined) return { ...base, cryptoAmount: await priced(q.paymentMethod) };
  const cryptoAmounts = [];
  const methods = await offeredPaymentMethods(deps, { fiat, crypto: asset.symbol, network: asset.network });
  for (const paymentMethod of methods) cryptoAmounts.push({ paymentMethod, cryptoAmount: await priced(paymentMethod) });
  return { ...base, cryptoAmounts };
}

interface CryptoToFiatQuery {
  cryptoAmount: string | number;
  cryptoSymbol: string;
  currencyIsoCode: string;
  network?: string;
}

export async function estimateCryptoToFiat(deps: Deps, q: CryptoToFiatQuery) {
  const fiat = q.currencyIsoCode.toUpperCase();
  const scale = fiatScale(fiat, "currencyIsoCode");
  const asset = assetFor(q.cryptoSymbol, q.network);
  const cryptoMinor = parseAmount(q.cryptoAmount, asset.decimals, { field: "cryptoAmount" });
  if (cryptoMinor <= 0n) throw new AppError("invalid_amount", { field: "cryptoAmount" });
  const quote = await priceIntent(deps, { fiat, crypto: asset.symbol, network: asset.network, paymentMethod: DEFAULT_PAYMENT_METHOD, cryptoMinor });
  return { cryptoAmount: minorToJsonNumber(cryptoMinor, asset.decimals), cryptoSymbol: asset.symbol, fiatAmount: minorToJsonNumber(quote.fiatMinor, scale), currencyIsoCode: fiat };
}
