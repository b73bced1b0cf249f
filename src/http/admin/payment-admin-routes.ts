// /admin/v1/payments: the operator's payments explorer over the three flows (trading pay-ins, payment
// intents, card payments), every tenant, with search, filters and cursor paging; and the same set as a
// streamed CSV download.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAYMENT_PAGE, searchPayments } from "../../app/payments/payment-explorer.js";
import { pageLimit } from "./page-limit.js";
import { FILTERS, Payment, PaymentRefund, paymentJson } from "./payment-schemas.js";
import { sendPaymentsCsv } from "./payments-csv.js";
import { cancelPaymentAsOperator } from "../../app/payments/operator-cancel.js";
import { advancePaymentRefund, refundPaymentAsOperator } from "../../app/payments/refund-payment.js";
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

  app.post(
    "/payments/:paymentId/refund",
    {
      schema: {
        tags: TAGS,
        summary: "Refund a paid (closed) trading pay-in: its credit reversed on the ledger, the fiat owed back to the payer recorded as a pending refund",
        description:
          "In one transaction the merchant's net amount and the fee go back to the trader's deposit (403 `insufficient_funds` when the merchant's balance " +
          "no longer holds it) and the merchant's webhook carries the pay-in object with `refund`. The payer's money is in the trader's bank account: " +
          "the refund stays `pending` until that bank payment is recorded (`/payment-refunds/{refundId}/sent`, then `/completed` with its bank reference). " +
          "One refund per pay-in: a second (concurrent or later) is 409 `illegal_transition` naming the first one's status; a pay-in not closed is 409 naming its status. " +
          "Intents and card payments have none (404).",
        security,
        params: Type.Object({ paymentId: Type.String({ minLength: 1, maxLength: 64 }) }),
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 140, description: "Why, kept with the refund" }) },
          { additionalProperties: false, examples: [{ reason: "the merchant cancelled the order" }] },
        ),
        response: { 201: PaymentRefund },
      },
    },
    async (request, reply) => reply.code(201).send(await refundPaymentAsOperator(deps, request.params.paymentId, principalOf(request, "operator").operatorId, request.body.reason)),
  );

  const refundParams = Type.Object({ refundId: Type.String({ minLength: 1, maxLength: 64 }) });
  app.post(
    "/payment-refunds/:refundId/sent",
    {
      schema: {
        tags: TAGS,
        summary: "Record that the bank payment of a pending refund went out to the payer (pending → sent); another status is 409 naming it",
        security,
        params: refundParams,
        response: { 200: PaymentRefund },
      },
    },
    async (request) => advancePaymentRefund(deps, request.params.refundId, "send"),
  );
  app.post(
    "/payment-refunds/:refundId/completed",
    {
      schema: {
        tags: TAGS,
        summary: "Complete a sent refund with the bank reference of its payment to the payer (sent → completed); another status is 409 naming it",
        security,
        params: refundParams,
        body: Type.Object({ bankReference: Type.String({ minLength: 1, maxLength: 140 }) }, { additionalProperties: false, examples: [{ bankReference: "SBER 2026-01-15 000123" }] }),
        response: { 200: PaymentRefund },
      },
    },
    async (request) => advancePaymentRefund(deps, request.params.refundId, "complete", request.body.bankReference),
  );
}
