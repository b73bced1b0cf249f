// The trading dialect's amounts: the crypto it settles in, the wire's fiat scale, the rate and the
// CEIL rule that turns a fiat amount into crypto and the merchant's fee.
import { parseDecimal } from "../../core/money/decimal.js";
import { AppError } from "../../core/shared/errors.js";
import { INT8_MAX } from "../../core/shared/int8.js";
import { tradingAmounts } from "../../core/pricing/trading-amounts.js";
import type { Deps } from "../deps.js";

/** The dialect settles in USDT on TRON; the wire spells it in lower case. */
export const TRADING_CRYPTO = { asset: "USDT", wireCurrency: "usdt", wireNetwork: "trc20", decimals: 6 } as const;

/**
 * The wire's fiat amounts are 2-decimal strings ("5000.00"), so minor units are cents
 * (docs/contract-trading.md#amounts-and-rounding).
 */
export const TRADING_FIAT_SCALE = 2;

/** Fiat per 1 USDT from the rate port (cached, never older than maxRateAgeSeconds), as decimal text. */
export async function tradingRate(deps: Deps, fiatCurrency: string): Promise<string> {
  return (await deps.ports.rates.getRate(fiatCurrency, TRADING_CRYPTO.asset)).rate;
}

/**
 * The dialect's CEIL rule (money core): crypto and merchant fee in micro-USDT. 400
 * amount_above_maximum (naming `field`) when the crypto would not fit the ledger's int8: a disputed or
 * recalculated amount is typed by a person, up to 15 whole digits (found by fuzzing: a 500).
 */
export function computeTradingAmounts(fiatMinor: bigint, rate: string, feeRate: string, field?: string): { cryptoMinor: bigint; feeMinor: bigint } {
  const a = tradingAmounts(fiatMinor, TRADING_FIAT_SCALE, parseDecimal(rate), TRADING_CRYPTO.decimals, parseDecimal(feeRate));
  if (a.cryptoMinor > INT8_MAX) {
    throw new AppError("amount_above_maximum", { ...(field ? { field } : {}), message: "At the pay-in's rate this amount is above the largest the ledger holds." });
  }
  return { cryptoMinor: a.cryptoMinor, feeMinor: a.merchantFeeMinor };
}
