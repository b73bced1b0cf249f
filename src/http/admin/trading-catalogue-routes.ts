// Operator API for the trading catalogues (/admin/v1/trading, header x-operator-key): payment methods
// with their requisite fields, and the banks that offer them. Mounted inside the operator-authenticated
// admin scope (admin-routes.ts).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { saveTradingBank, saveTradingMethod, tradingMethods } from "../../app/trading/methods.js";

const TAGS = ["admin: trading"];
const security = [{ operatorKey: [] }];

const RequisiteField = Type.Object(
  {
    field: Type.Union([Type.Literal("number"), Type.Literal("sbpPhone")], { description: "number: card, account, IBAN, link; sbpPhone: an SBP phone" }),
    label: Type.String({ minLength: 1, maxLength: 100 }),
    pattern: Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()], { description: "A regular expression the whole value must match; null: any" }),
  },
  { additionalProperties: false },
);
const Method = Type.Object({
  code: Type.String(),
  name: Type.String(),
  requisiteFields: Type.Array(RequisiteField),
  enabled: Type.Boolean(),
});
const MethodCode = Type.String({ pattern: "^[a-z][a-z0-9_]{0,31}$" });

export async function tradingCatalogueRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/methods",
    { schema: { tags: TAGS, summary: "The payment-method catalogue with each method's requisite fields", security, response: { 200: Type.Object({ items: Type.Array(Method) }) } } },
    async () => ({ items: await tradingMethods(deps) }),
  );

  app.put(
    "/methods/:code",
    {
      schema: {
        tags: TAGS,
        summary: "Add a payment method to the catalogue, or replace one",
        security,
        params: Type.Object({ code: MethodCode }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 100 }),
            requisiteFields: Type.Array(RequisiteField, { minItems: 1, maxItems: 2 }),
            enabled: Type.Optional(Type.Boolean()),
          },
          {
            additionalProperties: false,
            examples: [{ name: "PayPal.me link", requisiteFields: [{ field: "number", label: "PayPal.me link", pattern: "^https://paypal\\.me/[A-Za-z0-9]+$" }] }],
          },
        ),
        response: { 200: Method },
      },
    },
    async (request) => {
      const b = request.body;
      return saveTradingMethod(deps, { code: request.params.code, name: b.name, requisiteFields: b.requisiteFields, enabled: b.enabled ?? true });
    },
  );

  app.put(
    "/banks/:code",
    {
      schema: {
        tags: TAGS,
        summary: "Add a bank with the catalogue methods it offers, or replace its name, methods and switch",
        security,
        params: Type.Object({ code: Type.String({ pattern: "^[A-Za-z0-9_]{1,64}$" }) }),
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            methods: Type.Array(MethodCode, { minItems: 1, maxItems: 50, uniqueItems: true }),
            fiatCurrency: Type.String({ pattern: "^[A-Z]{3}$" }),
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, examples: [{ name: "Halyk Bank", methods: ["card", "account"], fiatCurrency: "KZT" }] },
        ),
        response: { 200: Type.Object({ code: Type.String() }) },
      },
    },
    async (request) => {
      const b = request.body;
      const code = request.params.code.toUpperCase();
      await saveTradingBank(deps, { code, name: b.name, methods: b.methods, fiatCurrency: b.fiatCurrency, enabled: b.enabled ?? true });
      return { code };
    },
  );
}
