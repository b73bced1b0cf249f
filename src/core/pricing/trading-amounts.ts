// The trading dialect's own arithmetic, fixed by its wire contract
// (docs/contract-trading.md#amounts-and-rounding): both amounts round UP.
// cryptoAmount = ceil(fiat / rate × 10^decimals); merchantFee = ceil(feeRate × cryptoAmount).
// Check vector: 6030 RUB at 99.12 with 8.5% → "60835352" and "5171005".
import type { Decimal } from "../money/decimal.js";
import { divRound, pow10 } from "../money/rounding.js";

interface TradingAmounts {
  cryptoMinor: bigint;
  merchantFeeMinor: bigint;
  /** What the merchant is credited: cryptoAmount − merchantFee. */
  merchantNetMinor: bigint;
}

export function tradingCryptoAmount(fiatMinor: bigint, fiatScale: number, rate: Decimal, cryptoDecimals: number): bigint {
  // fiat/10^fs ÷ (coef/10^rs) × 10^cd  =  fiat × 10^(cd+rs) ÷ (coef × 10^fs)
  return divRound(fiatMinor * pow10(cryptoDecimals + rate.scale), rate.coefficient * pow10(fiatScale), "ceil");
}

export function tradingMerchantFee(cryptoMinor: bigint, feeRate: Decimal): bigint {
  return divRound(cryptoMinor * feeRate.coefficient, pow10(feeRate.scale), "ceil");
}

export function tradingAmounts(
  fiatMinor: bigint,
  fiatScale: number,
  rate: Decimal,
  cryptoDecimals: number,
  feeRate: Decimal,
): TradingAmounts {
  const cryptoMinor = tradingCryptoAmount(fiatMinor, fiatScale, rate, cryptoDecimals);
  const merchantFeeMinor = tradingMerchantFee(cryptoMinor, feeRate);
  return { cryptoMinor, merchantFeeMinor, merchantNetMinor: cryptoMinor - merchantFeeMinor };
}
