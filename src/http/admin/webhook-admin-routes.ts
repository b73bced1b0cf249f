// /admin/v1/webhooks: the delivery log (messages, attempts) and redelivery.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { isoOrNull } from "./iso-or-null.js";
import { pageLimit } from "./page-limit.js";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAGE, redeliverEndpointFailures, redeliverMessage, webhookAttempts, webhookMessagesPage } from "../../app/outbox/webhook-admin.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";
import { attemptView, WebhookAttempt } from "./webhook-attempt-view.js";

const TAGS = ["admin: webhooks"];
const security = [{ operatorKey: [] }];
const Uuid = Type.String({ pattern: UUID_PATTERN });
const Status = Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")]);
const Iso = Type.Union([Type.String(), Type.Null()]);

const Message = Type.Object({
  eventId: Type.String(),
  merchantId: Type.String(),
  endpointId: Type.String(),
  format: Type.String(),
  url: Type.String(),
  orderingKey: Type.String(),
  status: Status,
  attempts: Type.Integer(),
  nextAttemptAt: Iso,
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Iso,
  createdAt: Type.String(),
});

type MessageRow = Awaited<ReturnType<typeof webhookMessagesPage>>["items"][number];
function messageView(m: MessageRow) {
  return {
    eventId: m.event_id,
    merchantId: m.merchant_id,
    endpointId: m.endpoint_id,
    format: m.format,
    url: m.url,
    orderingKey: m.ordering_key,
    status: m.status,
    attempts: m.attempts,
    nextAttemptAt: m.status === "pending" ? isoOrNull(m.next_attempt_at) : null,
    lastError: m.last_error,
    deliveredAt: isoOrNull(m.delivered_at),
    createdAt: m.created_at.toISOString(),
  };
}

export async function webhookAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/webhooks/messages",
    {
      schema: {
        tags: TAGS,
        summary: "Webhook messages, newest first (filters, cursor pagination, limit ≤ 100)",
        security,
        querystring: Type.Object(
          {
            merchantId: Type.Optional(Uuid),
            endpointId: Type.Optional(Uuid),
            status: Type.Optional(Status),
            cursor: Type.Optional(Type.String({ maxLength: 19 })),
            limit: pageLimit(MAX_PAGE),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Message), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const q = request.query;
      const page = await webhookMessagesPage(deps, {
        ...(q.merchantId ? { merchantId: q.merchantId.toLowerCase() } : {}),
        ...(q.endpointId ? { endpointId: q.endpointId.toLowerCase() } : {}),
        ...(q.status ? { status: q.status } : {}),
        ...(q.cursor ? { cursor: q.cursor } : {}),
        limit: q.limit ?? 50,
      });
      return { items: page.items.map(messageView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    "/webhooks/messages/:eventId/attempts",
    {
      schema: {
        tags: TAGS,
        summary: "One message with every delivery attempt (time, URL, status code, latency, capped response body)",
        security,
        params: Type.Object({ eventId: Type.String({ maxLength: 200 }) }),
        response: { 200: Type.Object({ message: Message, attempts: Type.Array(WebhookAttempt) }) },
      },
    },
    async (request) => {
      const r = await webhookAttempts(deps, request.params.eventId);
      return {
        message: messageView(r.message),
        attempts: r.attempts.map(attemptView),
      };
    },
  );

  app.post(
    "/webhooks/messages/:eventId/redeliver",
    {
      schema: {
        tags: TAGS,
        summary: "Queue a delivered or failed message again (same event id, fresh attempts)",
        security,
        params: Type.Object({ eventId: Type.String({ maxLength: 200 }) }),
        response: { 202: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request, reply) => {
      await redeliverMessage(deps, request.params.eventId);
      return reply.code(202).send({ queued: 1 });
    },
  );

  app.post(
    "/webhooks/endpoints/:endpointId/redeliver-failed",
    {
      schema: {
        tags: TAGS,
        summary: "Queue every failed message of an endpoint again and re-enable the endpoint",
        security,
        params: Type.Object({ endpointId: Type.String({ maxLength: 64 }) }),
        response: { 202: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request, reply) => reply.code(202).send({ queued: await redeliverEndpointFailures(deps, request.params.endpointId) }),
  );
}
