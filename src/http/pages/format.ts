// Display formatting shared by the dashboard and the trader cabinet. Amounts stay bigint to the end.
import { fiatScale } from "../../core/money/currencies.js";
import { formatMinor } from "../../core/money/decimal.js";
import { TRADING_CRYPTO, TRADING_FIAT_SCALE } from "../../app/trading/amounts.js";

export const fiat = (minor: bigint | string, currency: string) => `${formatMinor(BigInt(minor), TRADING_FIAT_SCALE)} ${currency}`;
/** An amount in the currency's own minor units (bank transfers). */
export const money = (minor: bigint | string, currency: string) => `${formatMinor(BigInt(minor), fiatScale(currency))} ${currency}`;
export const usdt = (minor: bigint | string) => `${formatMinor(BigInt(minor), TRADING_CRYPTO.decimals)} ${TRADING_CRYPTO.asset}`;
/** UTC, minute precision: what support reads next to a bank statement. */
export const when = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—");
