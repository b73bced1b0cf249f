// The fan-out to the webhook endpoints a merchant registered (issue 19). Every event that the dialects
// report to their callback, IPN, card webhook or withdrawal URLs is ALSO offered here, in the same
// transaction, whether or not such a URL is set: each enabled endpoint of the merchant whose event
// types match gets its own envelope message (docs/webhooks.md), signed with that endpoint's secret.
// The dialect messages themselves are untouched: same URL, same format, same signature.
import type { Transaction } from "kysely";
import { subscribes } from "../../core/webhooks/event-types.js";
import { subscribedEndpoints } from "../../db/outbox/merchant-endpoints.js";
import { insertMessages } from "../../db/outbox/webhooks.js";
import type { DB } from "../../db/schema.js";

export interface MerchantEvent {
  merchantId: string;
  /** E.g. withdrawal.confirmed: the endpoint's event types are matched against it. */
  type: string;
  /** Stable per event: a re-run of the same change queues nothing twice. */
  key: string;
  /** Events of one object reach an endpoint in order (per endpoint: another endpoint's failures do not hold it back). */
  orderingKey: string;
  createdAt: Date;
  data: unknown;
}

/** Due at once under any clock (the worker compares with its own clock), as enqueueWebhook's. */
const DUE_NOW = new Date(0);

/** The message id at one endpoint; also the envelope's `id`, so the two agree as in every envelope. */
function endpointEventId(endpointId: string, key: string): string {
  return `${key}@${endpointId}`;
}

/** One envelope message to one endpoint (the fan-out, and "send a test event"). */
export function endpointMessage(endpoint: { id: string; merchant_id: string; url: string }, e: Omit<MerchantEvent, "merchantId">) {
  const eventId = endpointEventId(endpoint.id, e.key);
  return {
    eventId,
    merchantId: endpoint.merchant_id,
    endpointId: endpoint.id,
    format: "envelope" as const,
    url: endpoint.url,
    orderingKey: `${endpoint.id}:${e.orderingKey}`,
    body: JSON.stringify({ id: eventId, type: e.type, createdAt: e.createdAt.toISOString(), data: e.data }),
    query: null,
    signingKeyRef: { kind: "webhook_secret", merchantId: endpoint.merchant_id },
    nextAttemptAt: DUE_NOW,
  };
}

interface MerchantEventFanOut {
  /** Whether any endpoint takes an event of this type (so a caller can skip rendering one nobody takes). */
  wants(merchantId: string, type: string): boolean;
  /** Queues each event for every matching endpoint of its merchant. */
  publish(events: readonly MerchantEvent[]): Promise<void>;
}

/** The merchants' endpoints, read once for a batch of events. */
export async function merchantEventFanOut(trx: Transaction<DB>, merchantIds: readonly string[]): Promise<MerchantEventFanOut> {
  const endpoints = await subscribedEndpoints(trx, [...new Set(merchantIds)]);
  const matching = (merchantId: string, type: string) => endpoints.filter((ep) => ep.merchant_id === merchantId && subscribes(ep.event_types ?? [], type));
  return {
    wants: (merchantId, type) => matching(merchantId, type).length > 0,
    async publish(events) {
      await insertMessages(
        trx,
        events.flatMap((e) => matching(e.merchantId, e.type).map((ep) => endpointMessage(ep, e))),
      );
    },
  };
}

/** The fan-out of events whose data is at hand (one read of the endpoints for the batch). */
export async function publishMerchantEvents(trx: Transaction<DB>, events: readonly MerchantEvent[]): Promise<void> {
  if (events.length === 0) return;
  await (await merchantEventFanOut(trx, events.map((e) => e.merchantId))).publish(events);
}
