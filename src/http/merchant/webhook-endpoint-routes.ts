// /merchant/v1/webhook-endpoints: the merchant's own webhook endpoints (issue 19), thin over the use
// cases of src/app/outbox/merchant-webhook-endpoints.ts (the merchant portal calls the same ones). A
// secret is shown once, in the answer that creates or rotates it (no-store); another merchant's
// endpoint or message is 404; a read-only key is refused on every change (403 read_only_key).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  DEFAULT_OVERLAP_MINUTES,
  DESCRIPTION_MAX,
  endpointMessageDetail,
  endpointMessagesPage,
  type EndpointView,
  listWebhookEndpoints,
  MAX_ENDPOINTS_PER_MERCHANT,
  MAX_EVENT_TYPES,
  MAX_MESSAGE_PAGE,
  MAX_OVERLAP_MINUTES,
  redeliverEndpointMessage,
  rotateWebhookEndpointSecret,
  sendTestEvent,
  updateWebhookEndpoint,
  webhookEndpoint,
} from "../../app/outbox/merchant-webhook-endpoints.js";
import { TEST_EVENT_TYPE } from "../../core/webhooks/event-types.js";
import { isoOrNull } from "../admin/iso-or-null.js";
import { noStore } from "../admin/no-store.js";
import { pageLimit } from "../admin/page-limit.js";
import { principalOf } from "../plugins/principal.js";
import { attemptView, WebhookAttempt } from "../admin/webhook-attempt-view.js";

const TAGS = ["merchant: webhooks"];
const security = [{ apiKey: [] }];
const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant").merchantId;

const Iso = Type.Union([Type.String(), Type.Null()]);
const EVENT_TYPES_HELP =
  "Exact types (trading.payin.<status>, payment_intent.<status name>, card.payment.pending|succeeded|failed, withdrawal.<status>), " +
  "a family pattern (trading.payin.*, payment_intent.*, card.payment.*, withdrawal.*) or * for every event";
const Url = Type.String({ minLength: 1, maxLength: 2048, description: "absolute http(s) URL of a public address (checked again at every delivery)" });
const EventTypes = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: MAX_EVENT_TYPES, description: EVENT_TYPES_HELP });
const Description = Type.Union([Type.String({ maxLength: DESCRIPTION_MAX }), Type.Null()], { description: "a note to recognise the endpoint by" });

const Endpoint = Type.Object({
  endpointId: Type.String(),
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Type.Union([Type.String(), Type.Null()]),
  enabled: Type.Boolean({ description: "false: no event is queued for it, queued ones wait" }),
  stoppedAt: Type.Union([Type.String(), Type.Null()], { description: "set while a 410 Gone from the receiver holds delivery back; a redelivery lifts it" }),
  stoppedReason: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
});
const EndpointDetail = Type.Object({ ...Endpoint.properties, previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()], { description: "until then the replaced secret signs too" }) });
const EndpointParams = Type.Object({ endpointId: Type.String({ maxLength: 64 }) });
const MessageParams = Type.Object({ endpointId: Type.String({ maxLength: 64 }), eventId: Type.String({ minLength: 1, maxLength: 300 }) });
const Status = Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")]);
const Message = Type.Object({
  eventId: Type.String({ description: "the envelope's id and x-rampart-event-id" }),
  status: Status,
  attempts: Type.Integer(),
  nextAttemptAt: Iso,
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Iso,
  createdAt: Type.String(),
});

/** A message of the endpoint's delivery log as the list and the detail show it. */
const messageJson = (m: Pick<Awaited<ReturnType<typeof endpointMessageDetail>>["message"], "event_id" | "status" | "attempts" | "next_attempt_at" | "last_error" | "delivered_at" | "created_at">) => ({
  eventId: m.event_id,
  status: m.status,
  attempts: m.attempts,
  nextAttemptAt: m.status === "pending" ? isoOrNull(m.next_attempt_at) : null,
  lastError: m.last_error,
  deliveredAt: isoOrNull(m.delivered_at),
  createdAt: m.created_at.toISOString(),
});

const endpointJson = (e: EndpointView) => ({
  endpointId: e.endpointId,
  url: e.url,
  eventTypes: e.eventTypes,
  description: e.description,
  enabled: e.enabled,
  stoppedAt: isoOrNull(e.stoppedAt),
  stoppedReason: e.stoppedReason,
  createdAt: e.createdAt.toISOString(),
});

export async function merchantWebhookEndpointRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/webhook-endpoints",
    {
      schema: {
        tags: TAGS,
        summary: `The merchant's webhook endpoints, newest first (at most ${MAX_ENDPOINTS_PER_MERCHANT}; never a secret)`,
        security,
        response: { 200: Type.Object({ items: Type.Array(Endpoint) }) },
      },
    },
    async (request) => ({ items: (await listWebhookEndpoints(deps, merchantOf(request))).map(endpointJson) }),
  );

  app.post(
    "/webhook-endpoints",
    {
      schema: {
        tags: TAGS,
        summary: `Register a webhook endpoint (at most ${MAX_ENDPOINTS_PER_MERCHANT}); its signing secret is shown only in this answer`,
        description:
          "Events go out in the signed envelope format (docs/webhooks.md): `rampart-signature` keyed with this endpoint's secret. " +
          "They are sent in addition to the dialect callback, IPN and card webhook URLs, which keep working unchanged.",
        security,
        body: Type.Object(
          { url: Url, eventTypes: EventTypes, description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean({ description: "default true" })) },
          { additionalProperties: false, examples: [{ url: "https://shop.example/rampart/events", eventTypes: ["trading.payin.*", "withdrawal.confirmed"], description: "order service" }] },
        ),
        response: { 201: Type.Object({ ...Endpoint.properties, secret: Type.String({ description: "whsec_…: shown only in this answer" }) }) },
      },
    },
    async (request, reply) => {
      const e = await createWebhookEndpoint(deps, merchantOf(request), request.body);
      return noStore(reply).code(201).send({ ...endpointJson(e), secret: e.secret });
    },
  );

  app.get(
    "/webhook-endpoints/:endpointId",
    { schema: { tags: TAGS, summary: "One webhook endpoint (never its secret)", security, params: EndpointParams, response: { 200: EndpointDetail } } },
    async (request) => {
      const e = await webhookEndpoint(deps, merchantOf(request), request.params.endpointId);
      return { ...endpointJson(e), previousSecretExpiresAt: isoOrNull(e.previousSecretExpiresAt) };
    },
  );

  app.patch(
    "/webhook-endpoints/:endpointId",
    {
      schema: {
        tags: TAGS,
        summary: "Change the fields given: url (messages still waiting follow it), eventTypes, description, enabled (false: nothing is queued, queued ones wait)",
        security,
        params: EndpointParams,
        body: Type.Object(
          { url: Type.Optional(Url), eventTypes: Type.Optional(EventTypes), description: Type.Optional(Description), enabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1, examples: [{ enabled: false }, { eventTypes: ["*"] }] },
        ),
        response: { 200: Endpoint },
      },
    },
    async (request) => {
      const b = request.body;
      const e = await updateWebhookEndpoint(deps, merchantOf(request), request.params.endpointId, {
        ...(b.url !== undefined ? { url: b.url } : {}),
        ...(b.eventTypes !== undefined ? { eventTypes: b.eventTypes } : {}),
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.enabled !== undefined ? { enabled: b.enabled } : {}),
      });
      return endpointJson(e);
    },
  );

  app.delete(
    "/webhook-endpoints/:endpointId",
    {
      schema: {
        tags: TAGS,
        summary: "Delete the endpoint",
        description:
          "The endpoint leaves the list and its URL is free for a new one; nothing more is queued for it, and its messages still waiting are not sent: they end as failed with the error \"endpoint deleted\" (pendingStopped counts them). Its messages and their delivery attempts are kept as the audit trail of what was sent (the operator's webhook log shows them); this API answers 404 for the endpoint and its log from now on. Another merchant's endpoint, or one already deleted, is 404.",
        security,
        params: EndpointParams,
        response: { 200: Type.Object({ endpointId: Type.String(), deletedAt: Type.String(), pendingStopped: Type.Integer({ description: "messages that were waiting and will not be sent" }) }) },
      },
    },
    async (request) => {
      const r = await deleteWebhookEndpoint(deps, merchantOf(request), request.params.endpointId);
      return { endpointId: r.endpointId, deletedAt: r.deletedAt.toISOString(), pendingStopped: r.pendingStopped };
    },
  );

  app.post(
    "/webhook-endpoints/:endpointId/rotate-secret",
    {
      schema: {
        tags: TAGS,
        summary: "A new signing secret, shown only in this answer; the old one keeps signing beside it for overlapMinutes",
        description:
          `During the overlap (default ${DEFAULT_OVERLAP_MINUTES}, at most ${MAX_OVERLAP_MINUTES}, 0 = none) every request carries two v1= entries in ` +
          "rampart-signature, one per secret, so the receiver can switch at its own pace. Retries of earlier events are signed the same way.",
        security,
        params: EndpointParams,
        body: Type.Object(
          { overlapMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_OVERLAP_MINUTES })) },
          { additionalProperties: false, examples: [{ overlapMinutes: 60 }] },
        ),
        response: {
          200: Type.Object({ endpointId: Type.String(), secret: Type.String({ description: "whsec_…: shown only in this answer" }), previousSecretExpiresAt: Type.Union([Type.String(), Type.Null()]) }),
        },
      },
    },
    async (request, reply) => {
      const r = await rotateWebhookEndpointSecret(deps, merchantOf(request), request.params.endpointId, request.body?.overlapMinutes ?? DEFAULT_OVERLAP_MINUTES);
      return noStore(reply).send({ endpointId: r.endpointId, secret: r.secret, previousSecretExpiresAt: isoOrNull(r.previousSecretExpiresAt) });
    },
  );

  app.post(
    "/webhook-endpoints/:endpointId/test",
    {
      schema: {
        tags: TAGS,
        summary: `Send a ${TEST_EVENT_TYPE} event to this endpoint alone (whatever its event types), signed like any other; its delivery shows in the log`,
        security,
        params: EndpointParams,
        response: { 202: Type.Object({ eventId: Type.String() }) },
      },
    },
    async (request, reply) => reply.code(202).send(await sendTestEvent(deps, merchantOf(request), request.params.endpointId)),
  );

  app.get(
    "/webhook-endpoints/:endpointId/messages",
    {
      schema: {
        tags: TAGS,
        summary: `The endpoint's delivery log, newest first (cursor pagination, limit ≤ ${MAX_MESSAGE_PAGE})`,
        security,
        params: EndpointParams,
        querystring: Type.Object(
          { status: Type.Optional(Status), cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 20, description: "nextCursor of the previous page" })), limit: pageLimit(MAX_MESSAGE_PAGE) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Message), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const page = await endpointMessagesPage(deps, merchantOf(request), request.params.endpointId, request.query);
      return {
        items: page.items.map(messageJson),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    "/webhook-endpoints/:endpointId/messages/:eventId",
    {
      schema: {
        tags: TAGS,
        summary: "One message: the body sent and every attempt with the receiver's status and answer",
        security,
        params: MessageParams,
        response: { 200: Type.Object({ ...Message.properties, body: Type.Union([Type.String(), Type.Null()], { description: "the exact bytes sent" }), attemptLog: Type.Array(WebhookAttempt) }) },
      },
    },
    async (request) => {
      const { message: m, attempts } = await endpointMessageDetail(deps, merchantOf(request), request.params.endpointId, request.params.eventId);
      return {
        ...messageJson(m),
        body: m.body,
        attemptLog: attempts.map(attemptView),
      };
    },
  );

  app.post(
    "/webhook-endpoints/:endpointId/messages/:eventId/redeliver",
    {
      schema: {
        tags: TAGS,
        summary: "Send a delivered or failed message again, now, to the endpoint's current URL (409 while it is still pending)",
        security,
        params: MessageParams,
        response: { 202: Type.Object({ eventId: Type.String(), status: Type.Literal("pending") }) },
      },
    },
    async (request, reply) => {
      await redeliverEndpointMessage(deps, merchantOf(request), request.params.endpointId, request.params.eventId);
      return reply.code(202).send({ eventId: request.params.eventId, status: "pending" as const });
    },
  );
}
