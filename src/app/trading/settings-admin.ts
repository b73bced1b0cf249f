// Writing a merchant's trading settings (operator API, sandbox seed, tests).
import { AppError } from "../../core/shared/errors.js";
import { findMerchant } from "../../db/credentials.js";
import { upsertTradingSettings } from "../../db/trading/settings.js";
import type { Deps } from "../deps.js";

export interface TradingSettingsInput {
  /** The default currency (a create without fiatCurrency); one of fiatCurrencies. */
  fiatCurrency: string;
  /** Every currency the merchant accepts; just fiatCurrency when absent. */
  fiatCurrencies?: string[];
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
  returnUrl?: string | null;
  payerDisputeReopens?: number;
}

/** Inserts or replaces; with replace=false an existing row is kept (idempotent seed). */
export async function saveTradingSettings(deps: Deps, merchantId: string, s: TradingSettingsInput, replace = true): Promise<void> {
  if (!(await findMerchant(deps.database.db, merchantId))) throw new AppError("not_found", { message: "Merchant not found" });
  if ((s.minFiatMinor ?? 10000n) > (s.maxFiatMinor ?? 30000000n)) throw new AppError("validation_failed", { field: "minFiatAmount", message: "min above max" });
  const currencies = [...new Set(s.fiatCurrencies ?? [s.fiatCurrency])];
  if (!currencies.includes(s.fiatCurrency)) {
    throw new AppError("validation_failed", { field: "fiatCurrencies", message: "fiatCurrencies must include fiatCurrency (the default)" });
  }
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  await deps.database.db.transaction().execute((trx) =>
    upsertTradingSettings(
      trx,
      {
        merchant_id: merchantId,
        fiat_currency: s.fiatCurrency,
        fiat_currencies: currencies,
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
        return_url: s.returnUrl ?? null,
        payer_dispute_reopens: s.payerDisputeReopens ?? 1,
      },
      replace,
    ),
  );
}
