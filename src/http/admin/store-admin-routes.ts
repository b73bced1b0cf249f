// /admin/v1 stores: create a merchant's store, set its payment-intent settings (served countries,
// windows, KYC validity, amount-mismatch rule, bank details for the instructions) and rotate its IPN
// secret. The IPN secret is returned once (first settings, rotation) and never read back.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { type IntentSettingsView, getIntentSettings, rotateIpnSecret, saveIntentSettings } from "../../app/intents/store-settings.js";
import { createStore } from "../../app/intents/stores.js";
import { INTENT_SETTINGS_LIMITS as L } from "../../core/intents/store-settings.js";
import { noStore } from "./no-store.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const TAGS = ["admin: stores"];
const security = [{ operatorKey: [] }];
const StoreParams = Type.Object({ storeId: Type.String({ minLength: 1, maxLength: 100 }) });

const SETTINGS_EXAMPLE = {
  servedCountries: ["ES", "PT"],
  bank: { iban: "ES91 2100 0418 4502 0005 1332", bic: "CAIXESBBXXX", beneficiary: "Shop Group S.L.", bankName: "CaixaBank" },
  paymentWindowSeconds: 3600,
  kycWindowSeconds: 86_400,
  kycValidityDays: 365,
  acceptAmountMismatch: false,
};

const Window = Type.Integer({ minimum: L.windowSeconds.min, maximum: L.windowSeconds.max });
const SettingsBody = Type.Object(
  {
    servedCountries: Type.Array(Type.String({ pattern: "^[A-Za-z]{2}$" }), { minItems: 1, maxItems: L.maxServedCountries }),
    bank: Type.Object(
      {
        iban: Type.String({ minLength: 1, maxLength: 64, description: "spaces allowed; stored without" }),
        bic: Type.String({ minLength: 1, maxLength: 16 }),
        beneficiary: Type.String({ minLength: 1, maxLength: L.beneficiaryMaxLength }),
        bankName: Type.String({ minLength: 1, maxLength: L.bankNameMaxLength }),
      },
      { additionalProperties: false },
    ),
    paymentWindowSeconds: Window,
    kycWindowSeconds: Window,
    kycValidityDays: Type.Integer({ minimum: L.kycValidityDays.min, maximum: L.kycValidityDays.max }),
    acceptAmountMismatch: Type.Boolean(),
  },
  { additionalProperties: false, examples: [SETTINGS_EXAMPLE] },
);

const settingsProps = {
  storeId: Type.String(),
  servedCountries: Type.Array(Type.String()),
  bank: Type.Object({ iban: Type.String(), bic: Type.String(), beneficiary: Type.String(), bankName: Type.String() }),
  paymentWindowSeconds: Type.Integer(),
  kycWindowSeconds: Type.Integer(),
  kycValidityDays: Type.Integer(),
  acceptAmountMismatch: Type.Boolean(),
  defaultIpnUrl: Type.Union([Type.String(), Type.Null()], { description: "Set by the merchant (PATCH /merchant/v1/settings); a PUT leaves it" }),
  defaultSuccessUrl: Type.Union([Type.String(), Type.Null()], { description: "Set by the merchant; a PUT leaves it" }),
  defaultCancelUrl: Type.Union([Type.String(), Type.Null()], { description: "Set by the merchant; a PUT leaves it" }),
  updatedAt: Type.String(),
};
const Settings = Type.Object(settingsProps);
const SettingsWithSecret = Type.Object({ ...settingsProps, ipnSecret: Type.String({ description: "shown this once" }) });

const settingsJson = (s: IntentSettingsView) => ({ ...s, updatedAt: s.updatedAt.toISOString() });

export async function storeAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/merchants/:merchantId/stores",
    {
      schema: {
        tags: TAGS,
        summary: "Create a store of a merchant, optionally with its payment-intent settings (the IPN secret is returned once)",
        security,
        params: Type.Object({ merchantId: Type.String({ pattern: UUID_PATTERN }) }),
        body: Type.Object(
          {
            id: Type.Optional(Type.String({ pattern: "^[A-Za-z0-9_-]{3,64}$", description: "the storeId merchants send; generated when absent" })),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            intentSettings: Type.Optional(SettingsBody),
          },
          { additionalProperties: false, examples: [{ id: "shop_es", name: "Shop Spain", intentSettings: SETTINGS_EXAMPLE }] },
        ),
        response: {
          201: Type.Object({
            storeId: Type.String(),
            merchantId: Type.String(),
            name: Type.String(),
            createdAt: Type.String(),
            intentSettings: Type.Union([SettingsWithSecret, Type.Null()]),
          }),
        },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const s = await createStore(deps, request.params.merchantId, {
        name: b.name,
        ...(b.id !== undefined ? { id: b.id } : {}),
        ...(b.intentSettings !== undefined ? { intentSettings: b.intentSettings } : {}),
      });
      const settings = s.intentSettings;
      if (settings) noStore(reply);
      return reply.code(201).send({
        storeId: s.storeId,
        merchantId: s.merchantId,
        name: s.name,
        createdAt: s.createdAt.toISOString(),
        intentSettings: settings ? { ...settingsJson(settings.settings), ipnSecret: settings.ipnSecret! } : null,
      });
    },
  );

  app.get(
    "/stores/:storeId/intent-settings",
    { schema: { tags: TAGS, summary: "A store's payment-intent settings (never the IPN secret)", security, params: StoreParams, response: { 200: Settings } } },
    async (request) => settingsJson(await getIntentSettings(deps, request.params.storeId)),
  );

  app.put(
    "/stores/:storeId/intent-settings",
    {
      schema: {
        tags: TAGS,
        summary: "Replace a store's payment-intent settings; the first PUT creates them (201) and returns the IPN secret once",
        security,
        params: StoreParams,
        body: SettingsBody,
        response: { 200: Settings, 201: SettingsWithSecret },
      },
    },
    async (request, reply) => {
      const saved = await saveIntentSettings(deps, request.params.storeId, request.body);
      if (saved.ipnSecret === null) return settingsJson(saved.settings);
      return noStore(reply).code(201).send({ ...settingsJson(saved.settings), ipnSecret: saved.ipnSecret });
    },
  );

  app.post(
    "/stores/:storeId/ipn-secret/rotate",
    {
      schema: {
        tags: TAGS,
        summary: "Replace a store's IPN secret, returned once; every IPN sent from now on, pending ones included, is signed with it",
        security,
        params: StoreParams,
        response: { 200: Type.Object({ storeId: Type.String(), ipnSecret: Type.String() }) },
      },
    },
    async (request, reply) => {
      const ipnSecret = await rotateIpnSecret(deps, request.params.storeId);
      return noStore(reply).send({ storeId: request.params.storeId, ipnSecret });
    },
  );
}
