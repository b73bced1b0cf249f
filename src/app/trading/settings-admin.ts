// Writing a merchant's trading settings (operator API, sandbox seed, tests).
import { AppError } from "../../core/shared/errors.js";
import { findMerchant } from "../../db/credentials.js";
import { upsertTradingSettings } from "../../db/trading/settings.js";
import type { Deps } from "../deps.js";

export interface TradingSettingsInput {
  fiatCurrency: string;
  feeRate: string;
  paymentWindowSeconds?: number;
  disputeAutoResolveMinutes?: number;
  allowedMethods?: string[] | null;
  allowedBanks?: string[] | null;
  minFiatMinor?: bigint;
  maxFiatMinor?: bigint;
  rangeStepMinor?: bigint;
  webhookUrl?: string | null;
  requireRequestSignature?: boolean;
}

/** Inserts or replaces; with replace=false an existing row is kept (idempotent seed). */
export async function saveTradingSettings(deps: Deps, merchantId: string, s: TradingSettingsInput, replace = true): Promise<void> {
  if (!(await findMerchant(deps.database.db, merchantId))) throw new AppError("not_found", { message: "Merchant not found" });
  if ((s.minFiatMinor ?? 10000n) > (s.maxFiatMinor ?? 30000000n)) throw new AppError("validation_failed", { field: "minFiatAmount", message: "min above max" });
  await upsertTradingSettings(
    deps.database.db,
    {
      merchant_id: merchantId,
      fiat_currency: s.fiatCurrency,
      fee_rate: s.feeRate,
      payment_window_seconds: s.paymentWindowSeconds ?? 900,
      dispute_auto_resolve_minutes: s.disputeAutoResolveMinutes ?? 30,
      allowed_methods: s.allowedMethods ?? null,
      allowed_banks: s.allowedBanks ?? null,
      min_fiat_amount_minor: (s.minFiatMinor ?? 10000n).toString(),
      max_fiat_amount_minor: (s.maxFiatMinor ?? 30000000n).toString(),
      range_step_minor: (s.rangeStepMinor ?? 100n).toString(),
      webhook_url: s.webhookUrl ?? null,
      require_request_signature: s.requireRequestSignature ?? false,
    },
    replace,
  );
}
