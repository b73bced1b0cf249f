// A merchant's trading settings, read once per request and typed (int8 columns become bigint).
import { AppError } from "../../core/shared/errors.js";
import type { Db } from "../../db/schema.js";
import { findTradingSettings, type TradingSettingsRow } from "../../db/trading/settings.js";

export interface TradingSettings {
  merchantId: string;
  /** The default currency; fiatCurrencies holds every accepted one. */
  fiatCurrency: string;
  fiatCurrencies: string[];
  feeRate: string;
  paymentWindowSeconds: number;
  disputeAutoResolveMinutes: number;
  allowedMethods: string[] | null;
  allowedBanks: string[] | null;
  minFiatMinor: bigint;
  maxFiatMinor: bigint;
  rangeStepMinor: bigint;
  webhookUrl: string | null;
  requireRequestSignature: boolean;
  /** The payer page's "back to the shop" link, or null. */
  returnUrl: string | null;
  /** Disputes a payer may open after support decided "not paid" (each with a new receipt). */
  payerDisputeReopens: number;
}

/**
 * `row`: the settings row this request already read (null: the merchant has none), so that it is
 * not read twice; undefined reads it.
 */
export async function loadTradingSettings(db: Db, merchantId: string, row?: TradingSettingsRow | null): Promise<TradingSettings> {
  const s = row === undefined ? await findTradingSettings(db, merchantId) : row;
  if (!s) throw new AppError("trading_not_enabled");
  return {
    merchantId,
    fiatCurrency: s.fiat_currency,
    fiatCurrencies: s.fiat_currencies,
    feeRate: s.fee_rate,
    paymentWindowSeconds: s.payment_window_seconds,
    disputeAutoResolveMinutes: s.dispute_auto_resolve_minutes,
    allowedMethods: s.allowed_methods,
    allowedBanks: s.allowed_banks,
    minFiatMinor: BigInt(s.min_fiat_amount_minor),
    maxFiatMinor: BigInt(s.max_fiat_amount_minor),
    rangeStepMinor: BigInt(s.range_step_minor),
    webhookUrl: s.webhook_url,
    requireRequestSignature: s.require_request_signature,
    returnUrl: s.return_url,
    payerDisputeReopens: s.payer_dispute_reopens,
  };
}
