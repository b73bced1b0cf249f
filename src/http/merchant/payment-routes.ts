// /merchant/v1/payments: the merchant's payments over the three dialects through the operator's
// explorer with the merchant forced (search, filters, cursor paging), one payment with its timeline and
// webhook deliveries, and the filtered set as a streamed CSV. The trader behind a pay-in is not shown.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAYMENT_PAGE, searchPayments } from "../../app/payments/payment-explorer.js";
import { merchantPaymentStory } from "../../app/payments/payment-story.js";
import { pageLimit } from "../admin/page-limit.js";
import { Dialect, FILTERS, Payment, paymentJson } from "../admin/payment-schemas.js";
import { sendPaymentsCsv } from "../admin/payments-csv.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["merchant: payments"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;

// The operator's filters less the tenant and the trader: the merchant is forced, the trader is not the merchant's to see.
const { merchant: _merchant, trader: _trader, ...MERCHANT_FILTERS } = FILTERS;
const MerchantPayment = Type.Omit(Payment, ["traderId", "merchantName"]);
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const iso = (d: Date | null) => d?.toISOString() ?? null;

const withoutTrader = ({ traderId: _t, merchantName: _n, ...p }: ReturnType<typeof paymentJson>) => p;

const Story = Type.Object({
  payment: MerchantPayment,
  events: Type.Array(
    Type.Object({
      at: Type.String(),
      fromStatus: Nullable(Type.String()),
      toStatus: Type.String(),
      actor: Type.String({ description: "merchant, payer, trader, support, system, …" }),
      reason: Nullable(Type.String()),
    }),
  ),
  webhooks: Type.Array(
    Type.Object({
      eventId: Type.String(),
      url: Type.String(),
      status: Type.String(),
      attempts: Type.Integer(),
      nextAttemptAt: Nullable(Type.String()),
      lastError: Nullable(Type.String()),
      deliveredAt: Nullable(Type.String()),
      createdAt: Type.String(),
      tries: Type.Array(Type.Object({ attempt: Type.Integer(), at: Type.String(), statusCode: Nullable(Type.Integer()), latencyMs: Nullable(Type.Integer()), error: Nullable(Type.String()) })),
    }),
    { description: "Webhooks / IPNs sent for the payment (never their bodies), each with its attempts" },
  ),
});

export async function merchantPaymentRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/payments",
    {
      schema: {
        tags: TAGS,
        summary: `The merchant's payments of every dialect, newest first: search, filters, cursor pagination (limit ≤ ${MAX_PAYMENT_PAGE})`,
        security,
        querystring: Type.Object({ ...MERCHANT_FILTERS, limit: pageLimit(MAX_PAYMENT_PAGE) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(MerchantPayment), nextCursor: Nullable(Type.String()) }) },
      },
    },
    async (request) => {
      const page = await searchPayments(deps, { ...request.query, merchant: merchantOf(request) });
      return { items: page.items.map((p) => withoutTrader(paymentJson(p))), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/payments.csv",
    {
      schema: {
        tags: TAGS,
        summary: "The merchant's filtered payments as CSV (streamed, every page; formula-like cells prefixed with ')",
        security,
        querystring: Type.Object(MERCHANT_FILTERS, { additionalProperties: false }),
        produces: ["text/csv"],
      },
    },
    async (request, reply) => sendPaymentsCsv(reply, deps, { ...request.query, merchant: merchantOf(request) }, "merchant"),
  );

  app.get(
    "/payments/:dialect/:id",
    {
      schema: {
        tags: TAGS,
        summary: "One of the merchant's payments with its timeline and webhook deliveries (another merchant's: 404)",
        security,
        params: Type.Object({ dialect: Dialect, id: Type.String({ maxLength: 64 }) }),
        response: { 200: Story },
      },
    },
    async (request) => {
      const s = await merchantPaymentStory(deps, merchantOf(request), request.params.dialect, request.params.id);
      return {
        payment: withoutTrader(paymentJson(s.payment)),
        events: s.events.map((e) => ({ at: e.at.toISOString(), fromStatus: e.from_status, toStatus: e.to_status, actor: e.actor, reason: e.reason })),
        webhooks: s.webhooks.map((w) => ({
          eventId: w.event_id,
          url: w.url,
          status: w.status,
          attempts: w.attempts,
          nextAttemptAt: iso(w.next_attempt_at),
          lastError: w.last_error,
          deliveredAt: iso(w.delivered_at),
          createdAt: w.created_at.toISOString(),
          tries: w.tries.map((t) => ({ attempt: t.attempt, at: t.at.toISOString(), statusCode: t.status_code, latencyMs: t.latency_ms, error: t.error })),
        })),
      };
    },
  );
}
