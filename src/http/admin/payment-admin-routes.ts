// /admin/v1/payments: the operator's payments explorer over the three flows (trading pay-ins, payment
// intents, card payments), every tenant, with search, filters and cursor paging; and the same set as a
// streamed CSV download.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAYMENT_PAGE, searchPayments } from "../../app/payments/payment-explorer.js";
import { pageLimit } from "./page-limit.js";
import { sendPaymentsCsv } from "./payments-csv.js";

const TAGS = ["admin: payments"];
const security = [{ operatorKey: [] }];
const Dialect = Type.Union([Type.Literal("trading"), Type.Literal("intent"), Type.Literal("card")]);
const Risk = Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block"), Type.Literal("none")], { description: "none: no rule met the payment" });
const Text = (description: string, maxLength = 200) => Type.Optional(Type.String({ maxLength, description }));

const FILTERS = {
  q: Text("Any id (Rampart's, the merchant's external id or order number, card offer id, tx hash, bank transaction id or payment reference), a payer e-mail, a requisite number, or an amount (e.g. 1500.00)"),
  dialect: Type.Optional(Dialect),
  status: Text("A status of the flow, by name (intents: e.g. payment_received)", 40),
  merchant: Text("Merchant id", 64),
  store: Text("Store id (payment intents only)", 64),
  trader: Text("Trader id (trading pay-ins only)", 64),
  from: Text("Created at or after: YYYY-MM-DD (UTC) or an ISO timestamp", 40),
  to: Text("Created before: YYYY-MM-DD (UTC) or an ISO timestamp", 40),
  risk: Type.Optional(Risk),
  cursor: Text("nextCursor of the previous page", 300),
};

const Payment = Type.Object({
  dialect: Dialect,
  id: Type.String(),
  merchantId: Type.String(),
  merchantName: Type.String(),
  status: Type.String(),
  fiatAmountMinor: Type.String({ description: "Fiat amount in minor units" }),
  fiatCurrency: Type.String(),
  cryptoAmountMinor: Type.String(),
  cryptoCurrency: Type.String(),
  cryptoNetwork: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()], { description: "Trading: externalTransactionId; intents: order number; card: offer id" }),
  payer: Type.Union([Type.String(), Type.Null()], { description: "The payer's e-mail where the flow has one" }),
  traderId: Type.Union([Type.String(), Type.Null()]),
  storeId: Type.Union([Type.String(), Type.Null()]),
  risk: Type.Union([Type.String(), Type.Null()], { description: "The risk decision (allow, review, block), null when no rule met it" }),
  createdAt: Type.String(),
});

export async function paymentAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/payments",
    {
      schema: {
        tags: TAGS,
        summary: `Every payment of every merchant, newest first: search, filters, cursor pagination (limit ≤ ${MAX_PAYMENT_PAGE})`,
        security,
        querystring: Type.Object({ ...FILTERS, limit: pageLimit(MAX_PAYMENT_PAGE) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(Payment), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const page = await searchPayments(deps, request.query);
      return {
        items: page.items.map(({ fiatMinor, cryptoMinor, createdAt, ...p }) => ({
          ...p,
          fiatAmountMinor: fiatMinor,
          cryptoAmountMinor: cryptoMinor,
          createdAt: createdAt.toISOString(),
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    "/payments.csv",
    {
      schema: {
        tags: TAGS,
        summary: "The filtered payments as CSV (streamed, every page; cells that a spreadsheet would run as a formula are prefixed with ')",
        security,
        querystring: Type.Object(FILTERS, { additionalProperties: false }),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => sendPaymentsCsv(reply, deps, request.query),
  );
}
