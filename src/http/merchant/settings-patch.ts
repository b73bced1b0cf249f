// The body of PATCH /merchant/v1/settings and its translation to the use case's patch, shared by the
// route and the portal's settings forms: the portal builds the same body from its text fields and
// checks it against the same schema with the same validator, so both refuse the same values and name
// the same field (`trading.fiatCurrencies.0`).
import type { ValidateFunction } from "ajv";
import { type Static, Type } from "typebox";
import type { patchMerchantSettings } from "../../app/merchants/merchant-settings.js";
import { MAX_STORES_PER_PATCH } from "../../app/merchants/merchant-settings.js";
import { tradingSettingsChange } from "../../app/trading/settings-admin.js";
import { AppError } from "../../core/shared/errors.js";
import { normalizeError } from "../errors/normalize.js";
import { requestAjv } from "../plugins/validation.js";
import { StorePatch, TradingPatch } from "./settings-schemas.js";

export const SettingsPatchBody = Type.Object(
  {
    trading: Type.Optional(TradingPatch),
    stores: Type.Optional(Type.Array(StorePatch, { minItems: 1, maxItems: MAX_STORES_PER_PATCH })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        trading: { paymentWindowMinutes: 20, webhookUrl: "https://shop.example/rampart/trading", allowedMethods: ["card", "sbp"], maxFiatAmount: "150000.00" },
        stores: [{ storeId: "shop_es", servedCountries: ["ES", "PT"], kycValidityDays: 180, defaultIpnUrl: "https://shop.example/rampart/ipn" }],
      },
    ],
  },
);
export type SettingsPatchBody = Static<typeof SettingsPatchBody>;

type MerchantSettingsPatch = Parameters<typeof patchMerchantSettings>[2];

/** The body as the use case's patch: minutes to seconds, amounts to minor units, banks upper-cased. */
export function settingsPatchInput({ trading: t, stores }: SettingsPatchBody): MerchantSettingsPatch {
  return {
    ...(t !== undefined ? { trading: tradingSettingsChange(t, "trading.") } : {}),
    ...(stores !== undefined
      ? {
          stores: stores.map((s) => ({
            storeId: s.storeId,
            ...(s.servedCountries !== undefined ? { servedCountries: s.servedCountries } : {}),
            ...(s.kycValidityDays !== undefined ? { kycValidityDays: s.kycValidityDays } : {}),
            ...(s.defaultIpnUrl !== undefined ? { defaultIpnUrl: s.defaultIpnUrl } : {}),
            ...(s.defaultSuccessUrl !== undefined ? { defaultSuccessUrl: s.defaultSuccessUrl } : {}),
            ...(s.defaultCancelUrl !== undefined ? { defaultCancelUrl: s.defaultCancelUrl } : {}),
          })),
        }
      : {}),
  };
}

let validate: ValidateFunction | undefined;

/** A body not sent over HTTP (a portal form's), judged as the route judges its body: the first problem, naming its field. */
export function checkSettingsPatch(body: unknown): SettingsPatchBody {
  validate ??= requestAjv("body").compile(SettingsPatchBody);
  if (validate(body)) return body as SettingsPatchBody;
  const e = normalizeError({ validation: validate.errors ?? [], validationContext: "body" });
  throw new AppError("validation_failed", { message: e.message, ...(e.field !== undefined ? { field: e.field } : {}) });
}
