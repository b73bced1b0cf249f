// The merchant's settings on the wire: the trading settings (shown to the operator too, GET
// /admin/v1/trading/merchants/{id}/settings) and a store's payment-intent settings, and the PATCH body.
import { Type } from "typebox";
import type { IntentSettingsView } from "../../app/intents/store-settings.js";
import type { TradingSettings } from "../../app/trading/merchant-settings.js";
import { INTENT_SETTINGS_LIMITS as L } from "../../core/intents/store-settings.js";
import { formatFiatAmount } from "../../core/trading/fiat-amount.js";
import { HttpUrl } from "../plugins/validation.js";

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T, description?: string) => Type.Union([t, Type.Null()], description ? { description } : {});
const Amount = Type.Union([Type.Number(), Type.String({ maxLength: 32 })], { description: "a positive amount with at most 2 decimals" });
const Currency = Type.String({ pattern: "^[A-Z]{3}$" });

export const TradingSettingsView = Type.Object({
  fiatCurrency: Type.String({ description: "The default currency of a pay-in that names none" }),
  fiatCurrencies: Type.Array(Type.String()),
  feeRate: Type.String({ description: "Set by the operator" }),
  paymentWindowMinutes: Type.Number({ description: "A new pay-in expires this long after it is created" }),
  disputeAutoResolveMinutes: Type.Integer(),
  allowedMethods: Nullable(Type.Array(Type.String()), "null: every method"),
  allowedBanks: Nullable(Type.Array(Type.String()), "null: every bank"),
  minFiatAmount: Type.String(),
  maxFiatAmount: Type.String(),
  webhookUrl: Nullable(Type.String(), "Where pay-in webhooks go by default"),
  returnUrl: Nullable(Type.String(), 'The payer page\'s "back to the shop" link'),
  requireRequestSignature: Type.Boolean({ description: "Set by the operator" }),
  payerDisputeReopens: Type.Integer({ description: "Set by the operator" }),
});

export const tradingSettingsJson = (s: TradingSettings) => ({
  fiatCurrency: s.fiatCurrency,
  fiatCurrencies: s.fiatCurrencies,
  feeRate: s.feeRate,
  paymentWindowMinutes: s.paymentWindowSeconds / 60,
  disputeAutoResolveMinutes: s.disputeAutoResolveMinutes,
  allowedMethods: s.allowedMethods,
  allowedBanks: s.allowedBanks,
  minFiatAmount: formatFiatAmount(s.minFiatMinor),
  maxFiatAmount: formatFiatAmount(s.maxFiatMinor),
  webhookUrl: s.webhookUrl,
  returnUrl: s.returnUrl,
  requireRequestSignature: s.requireRequestSignature,
  payerDisputeReopens: s.payerDisputeReopens,
});

export const StoreIntentView = Type.Object({
  servedCountries: Type.Array(Type.String()),
  kycValidityDays: Type.Integer({ description: "How long an approved KYC is reused on the payer's later intents" }),
  paymentWindowSeconds: Type.Integer({ description: "Set by the operator" }),
  kycWindowSeconds: Type.Integer({ description: "Set by the operator" }),
  acceptAmountMismatch: Type.Boolean({ description: "Set by the operator" }),
  defaultIpnUrl: Nullable(Type.String(), "IPNs of an intent created without ipnUrl go here"),
  defaultSuccessUrl: Nullable(Type.String()),
  defaultCancelUrl: Nullable(Type.String()),
  updatedAt: Type.String(),
});

/** The merchant's view of a store's settings: the bank details the payer is shown stay the operator's and are not repeated. */
export const storeIntentJson = (s: IntentSettingsView) => ({
  servedCountries: s.servedCountries,
  kycValidityDays: s.kycValidityDays,
  paymentWindowSeconds: s.paymentWindowSeconds,
  kycWindowSeconds: s.kycWindowSeconds,
  acceptAmountMismatch: s.acceptAmountMismatch,
  defaultIpnUrl: s.defaultIpnUrl,
  defaultSuccessUrl: s.defaultSuccessUrl,
  defaultCancelUrl: s.defaultCancelUrl,
  updatedAt: s.updatedAt.toISOString(),
});

export const TradingPatch = Type.Object(
  {
    fiatCurrency: Type.Optional(Currency),
    fiatCurrencies: Type.Optional(Type.Array(Currency, { minItems: 1, maxItems: 20 })),
    paymentWindowMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
    disputeAutoResolveMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    allowedMethods: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 32 }), { maxItems: 50 }), "null: every method")),
    allowedBanks: Type.Optional(Nullable(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 200 }), "null: every bank")),
    minFiatAmount: Type.Optional(Amount),
    maxFiatAmount: Type.Optional(Amount),
    webhookUrl: Type.Optional(Nullable(HttpUrl, "A public http(s) URL; null: no webhooks unless a pay-in names its own")),
    returnUrl: Type.Optional(Nullable(HttpUrl)),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const StorePatch = Type.Object(
  {
    storeId: Type.String({ minLength: 1, maxLength: 64 }),
    servedCountries: Type.Optional(Type.Array(Type.String({ pattern: "^[A-Za-z]{2}$" }), { minItems: 1, maxItems: L.maxServedCountries })),
    kycValidityDays: Type.Optional(Type.Integer({ minimum: L.kycValidityDays.min, maximum: L.kycValidityDays.max })),
    defaultIpnUrl: Type.Optional(Nullable(HttpUrl, "A public http(s) URL")),
    defaultSuccessUrl: Type.Optional(Nullable(HttpUrl)),
    defaultCancelUrl: Type.Optional(Nullable(HttpUrl)),
  },
  { additionalProperties: false },
);
