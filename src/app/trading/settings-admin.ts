// Writing a merchant's trading settings: the operator replaces them all (PUT, sandbox seed, tests), the
// merchant changes some of them itself (PATCH /merchant/v1/settings). Both go through writeSettings, so
// the same rules hold whoever writes. A pay-in copies what it needs at creation (its expiry from the
// payment window, its amount checks, its webhook URL is read per event): see docs/merchant-api.md.
import type { Transaction } from "kysely";
import { asciiUpper } from "../../core/shared/ascii-case.js";
import { isFiat } from "../../core/money/currencies.js";
import { AppError } from "../../core/shared/errors.js";
import { requireFiatAmount } from "../../core/trading/fiat-amount.js";
import { webhookTargetProblem } from "../../core/shared/webhook-target.js";
import type { DB } from "../../db/schema.js";
import { findTradingSettings, lockTradingSettings, type TradingSettingsRow, upsertTradingSettings } from "../../db/trading/settings.js";
import { tradingSettingsChanging } from "./settings-cache.js";
import type { Deps } from "../deps.js";
import { merchantOr404 } from "../merchants/merchants.js";
import { loadTradingSettings, type TradingSettings } from "./merchant-settings.js";

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

/** What a merchant may change itself; the fee, request signing and dispute reopens stay the operator's. */
export type TradingSettingsPatch = Partial<
  Pick<
    TradingSettingsInput,
    "fiatCurrency" | "fiatCurrencies" | "paymentWindowSeconds" | "disputeAutoResolveMinutes" | "allowedMethods" | "allowedBanks" | "minFiatMinor" | "maxFiatMinor" | "webhookUrl" | "returnUrl"
  >
>;

/** The merchant-changeable fields as the APIs name them (the operator's PUT body, the `trading` of PATCH /merchant/v1/settings). */
interface TradingSettingsBody {
  fiatCurrency?: string;
  fiatCurrencies?: string[];
  paymentWindowMinutes?: number;
  disputeAutoResolveMinutes?: number;
  allowedMethods?: string[] | null;
  allowedBanks?: string[] | null;
  minFiatAmount?: number | string;
  maxFiatAmount?: number | string;
  webhookUrl?: string | null;
  returnUrl?: string | null;
}

/**
 * A settings body's merchant-changeable fields as the use cases take them: minutes to seconds, amounts to
 * minor units (a bad one is named `fieldPrefix` + its field, as the body nests it), banks upper-cased; an
 * absent field stays absent, so a patch changes only what it names. The operator's PUT adds the fields
 * only it sets (fee, request signing, dispute reopens); the merchant's patch has no way to them.
 */
export function tradingSettingsChange(b: TradingSettingsBody, fieldPrefix: string): TradingSettingsPatch {
  return {
    ...(b.fiatCurrency !== undefined ? { fiatCurrency: b.fiatCurrency } : {}),
    ...(b.fiatCurrencies !== undefined ? { fiatCurrencies: b.fiatCurrencies } : {}),
    ...(b.paymentWindowMinutes !== undefined ? { paymentWindowSeconds: b.paymentWindowMinutes * 60 } : {}),
    ...(b.disputeAutoResolveMinutes !== undefined ? { disputeAutoResolveMinutes: b.disputeAutoResolveMinutes } : {}),
    ...(b.allowedMethods !== undefined ? { allowedMethods: b.allowedMethods } : {}),
    ...(b.allowedBanks !== undefined ? { allowedBanks: b.allowedBanks?.map(asciiUpper) ?? null } : {}),
    ...(b.minFiatAmount !== undefined ? { minFiatMinor: requireFiatAmount(b.minFiatAmount, `${fieldPrefix}minFiatAmount`) } : {}),
    ...(b.maxFiatAmount !== undefined ? { maxFiatMinor: requireFiatAmount(b.maxFiatAmount, `${fieldPrefix}maxFiatAmount`) } : {}),
    ...(b.webhookUrl !== undefined ? { webhookUrl: b.webhookUrl } : {}),
    ...(b.returnUrl !== undefined ? { returnUrl: b.returnUrl } : {}),
  };
}

/** Checks and writes in the caller's transaction. `at` prefixes field names when the settings are nested in a larger body (`trading.`). */
async function writeSettings(deps: Deps, trx: Transaction<DB>, merchantId: string, s: TradingSettingsInput, o: { replace: boolean; at: string }): Promise<void> {
  const bad = (field: string, message: string) => new AppError("validation_failed", { field: o.at + field, message: `${o.at}${field}: ${message}` });
  if ((s.minFiatMinor ?? 10000n) > (s.maxFiatMinor ?? 30000000n)) throw bad("minFiatAmount", "min above max");
  const currencies = [...new Set(s.fiatCurrencies ?? [s.fiatCurrency])];
  if (!currencies.includes(s.fiatCurrency)) throw bad("fiatCurrencies", "fiatCurrencies must include fiatCurrency (the default)");
  tradingSettingsChanging(deps, merchantId);
  await upsertTradingSettings(
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
    o.replace,
  );
}

/** Inserts or replaces; with replace=false an existing row is kept (idempotent seed). */
export async function saveTradingSettings(deps: Deps, merchantId: string, s: TradingSettingsInput, replace = true): Promise<void> {
  // A live merchant only: a twin's settings are its merchant's, through /merchant/v1/settings with a test key.
  const { id } = await merchantOr404(deps, merchantId);
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  await deps.database.db.transaction().execute((trx) => writeSettings(deps, trx, id, s, { replace, at: "" }));
}

/** The operator's GET: the merchant's settings as stored; 404 for an unknown merchant, 403 trading_not_enabled without settings. */
export async function readTradingSettings(deps: Deps, merchantId: string): Promise<TradingSettings> {
  return loadTradingSettings(deps.database.db, (await merchantOr404(deps, merchantId)).id);
}

const inputOf = (r: TradingSettingsRow): TradingSettingsInput => ({
  fiatCurrency: r.fiat_currency,
  fiatCurrencies: r.fiat_currencies,
  feeRate: r.fee_rate,
  paymentWindowSeconds: r.payment_window_seconds,
  disputeAutoResolveMinutes: r.dispute_auto_resolve_minutes,
  allowedMethods: r.allowed_methods,
  allowedBanks: r.allowed_banks,
  minFiatMinor: BigInt(r.min_fiat_amount_minor),
  maxFiatMinor: BigInt(r.max_fiat_amount_minor),
  rangeStepMinor: BigInt(r.range_step_minor),
  webhookUrl: r.webhook_url,
  requireRequestSignature: r.require_request_signature,
  returnUrl: r.return_url,
  payerDisputeReopens: r.payer_dispute_reopens,
});

/**
 * Changes only the given fields, in the caller's transaction: the row is locked, merged and written
 * through the same rules as the operator's PUT. A merchant without trading settings has nothing to
 * change (403 trading_not_enabled: the operator sets the fee and turns trading on). The webhook URL
 * must be a public target (webhookTargetProblem).
 */
export async function patchTradingSettings(deps: Deps, trx: Transaction<DB>, merchantId: string, patch: TradingSettingsPatch, at = ""): Promise<TradingSettings> {
  if (patch.webhookUrl) {
    const problem = webhookTargetProblem(patch.webhookUrl, deps.config.allowPrivateWebhooks);
    if (problem) throw new AppError("validation_failed", { field: `${at}webhookUrl`, message: `${at}webhookUrl: ${problem}` });
  }
  for (const [i, c] of [...(patch.fiatCurrency !== undefined ? [["fiatCurrency", patch.fiatCurrency]] : []), ...(patch.fiatCurrencies ?? []).map((c, i) => [`fiatCurrencies.${i}`, c])] as [string, string][]) {
    if (!isFiat(c)) throw new AppError("validation_failed", { field: `${at}${i}`, message: `${at}${i}: ${c} is not an ISO 4217 fiat currency` });
  }
  const row = await lockTradingSettings(trx, merchantId);
  if (!row) throw new AppError("trading_not_enabled", at ? { field: at.slice(0, -1) } : {});
  const merged: TradingSettingsInput = { ...inputOf(row), ...patch };
  // A new default currency not in the list joins it; a new list without the default is refused by the rules.
  if (patch.fiatCurrency !== undefined && patch.fiatCurrencies === undefined && !merged.fiatCurrencies!.includes(patch.fiatCurrency)) {
    merged.fiatCurrencies = [...merged.fiatCurrencies!, patch.fiatCurrency];
  }
  await writeSettings(deps, trx, merchantId, merged, { replace: true, at });
  return loadTradingSettings(trx, merchantId);
}

/** The merchant's own view (GET /merchant/v1/settings); null when trading is not enabled for it. */
export async function tradingSettingsOrNull(deps: Deps, merchantId: string): Promise<TradingSettings | null> {
  const row = await findTradingSettings(deps.database.db, merchantId);
  return row ? loadTradingSettings(deps.database.db, merchantId, row) : null;
}
