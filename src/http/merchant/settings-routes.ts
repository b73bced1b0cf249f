// GET and PATCH /merchant/v1/settings: the merchant's trading settings and its stores' payment-intent
// settings, the fields it may change itself. A PATCH changes only what it gives and applies to payments
// created after it (the answer says so, with the time of the change).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { merchantSettings, patchMerchantSettings } from "../../app/merchants/merchant-settings.js";
import { MAX_PAGE } from "../../app/merchants/merchants.js";
import { pageLimit } from "../admin/page-limit.js";
import { principalOf } from "../plugins/principal.js";
import { SettingsPatchBody, settingsPatchInput } from "./settings-patch.js";
import { StoreIntentView, TradingSettingsView, storeIntentJson, tradingSettingsJson } from "./settings-schemas.js";

const TAGS = ["merchant: settings"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;

const APPLIES_TO =
  "Payments created after changedAt use these settings; payments created before keep the ones they were created with, except three read when they are used: trading.webhookUrl (each event), trading.returnUrl (when the payer page opens) and trading.disputeAutoResolveMinutes (when a dispute opens).";

const StoreSettings = Type.Object({
  storeId: Type.String(),
  name: Type.String(),
  intent: Type.Union([StoreIntentView, Type.Null()], { description: "null: the store is not set up for payment intents (the operator sets it up)" }),
});

export async function merchantSettingsRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/settings",
    {
      schema: {
        tags: TAGS,
        summary: `The merchant's trading settings and one page of its stores' settings, newest store first (cursor pagination, limit ≤ ${MAX_PAGE})`,
        security,
        querystring: Type.Object(
          { cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: "stores.nextCursor of the previous page" })), limit: pageLimit(MAX_PAGE) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            trading: Type.Union([TradingSettingsView, Type.Null()], { description: "null: trading pay-ins are not enabled for this merchant" }),
            stores: Type.Object({ items: Type.Array(StoreSettings), nextCursor: Type.Union([Type.String(), Type.Null()]) }),
          }),
        },
      },
    },
    async (request) => {
      const s = await merchantSettings(deps, merchantOf(request), request.query);
      return {
        trading: s.trading ? tradingSettingsJson(s.trading) : null,
        stores: { items: s.stores.items.map((st) => ({ ...st, intent: st.intent ? storeIntentJson(st.intent) : null })), nextCursor: s.stores.nextCursor },
      };
    },
  );

  app.patch(
    "/settings",
    {
      schema: {
        tags: TAGS,
        summary: "Change some settings: only the fields given, all or nothing; applies to payments created after the change",
        security,
        body: SettingsPatchBody,
        response: {
          200: Type.Object({
            trading: Type.Union([TradingSettingsView, Type.Null()], { description: "The trading settings after the change; null when the request did not change them" }),
            stores: Type.Array(Type.Object({ storeId: Type.String(), intent: StoreIntentView }), { description: "Each changed store after the change" }),
            changedAt: Type.String(),
            appliesTo: Type.String({ description: APPLIES_TO }),
          }),
        },
      },
    },
    async (request) => {
      const r = await patchMerchantSettings(deps, merchantOf(request), settingsPatchInput(request.body));
      return {
        trading: r.trading ? tradingSettingsJson(r.trading) : null,
        stores: r.stores.map((s) => ({ storeId: s.storeId, intent: storeIntentJson(s) })),
        changedAt: r.changedAt.toISOString(),
        appliesTo: APPLIES_TO,
      };
    },
  );
}
