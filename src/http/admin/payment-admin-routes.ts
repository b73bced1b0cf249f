// /admin/v1/payments: the operator's payments explorer over the three flows (trading pay-ins, payment
// intents, card payments), every tenant, with search, filters and cursor paging; and the same set as a
// streamed CSV download.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAYMENT_PAGE, searchPayments } from "../../app/payments/payment-explorer.js";
import { pageLimit } from "./page-limit.js";
import { FILTERS, Payment, paymentJson } from "./payment-schemas.js";
import { sendPaymentsCsv } from "./payments-csv.js";
import { cancelPaymentAsOperator } from "../../app/payments/operator-cancel.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["admin: payments"];
const security = [{ operatorKey: [] }];

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
        items: page.items.map(paymentJson),
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

  app.post(
    "/payments/:paymentId/cancel",
    {
      schema: {
        tags: TAGS,
        summary: "Cancel a trading pay-in while active (the trader's hold voided) or a payment intent before it is paid (2-4); another status is 409 naming it",
        description: "A card payment has no operator cancel (404): refuse its offer through its risk review.",
        security,
        params: Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) }),
        response: { 200: Type.Object({ paymentId: Type.String(), dialect: Type.Union([Type.Literal("trading"), Type.Literal("intent")]), status: Type.String() }) },
      },
    },
    async (request) => cancelPaymentAsOperator(deps, request.params.paymentId, principalOf(request, "operator").operatorId),
  );
}
