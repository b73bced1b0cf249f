// enqueueWebhook: one outgoing message per business event, written in the caller's transaction. The
// endpoint row (merchant, url) is created on first use; 410 from the receiver disables it.
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { Db } from "../../db/schema.js";
import { ensureEndpoint, insertMessages } from "../../db/outbox/webhooks.js";
import type { DB } from "../../db/schema.js";
import type { WebhookFormat } from "../../db/tables/outbox.js";

export type SigningKeyRef =
  | { kind: "api_key"; apiKeyId: string }
  | { kind: "ipn_secret"; storeId: string }
  | { kind: "webhook_secret"; merchantId: string };

export interface WebhookInput {
  merchantId: string;
  format: WebhookFormat;
  /** Target: the callbackUrl or the merchant/store setting. */
  url: string;
  /** Stable, sent in x-rampart-event-id, reused by every retry; enqueueing it again is a no-op. */
  eventId: string;
  /** E.g. the pay-in id: a later message is not delivered before an earlier one is settled. */
  orderingKey: string;
  /** Exact bytes for the POST formats (trading, envelope). */
  body?: string;
  /** GET parameters for intent_ipn (paymentIntentId, paymentIntentStatus). */
  query?: Record<string, string>;
  signingKeyRef: SigningKeyRef;
}

/** Due at once under any clock (the worker compares with its own clock). */
const DUE_NOW = new Date(0);

export async function enqueueWebhook(trx: Transaction<DB> | Db, w: WebhookInput): Promise<void> {
  await enqueueWebhooks(trx, [w]);
}

/** Several messages in one insert (a batch of status changes); each endpoint is looked up once. */
export async function enqueueWebhooks(trx: Transaction<DB> | Db, list: readonly WebhookInput[]): Promise<void> {
  const endpoints = new Map<string, string>();
  const messages = [];
  for (const w of list) {
    if (w.format === "intent_ipn" ? w.query === undefined : w.body === undefined) {
      throw new Error(`enqueueWebhook: format ${w.format} needs ${w.format === "intent_ipn" ? "query" : "body"}`);
    }
    const endpointKey = JSON.stringify([w.merchantId, w.url]);
    let endpointId = endpoints.get(endpointKey);
    if (endpointId === undefined) {
      endpointId = await ensureEndpoint(trx, { id: randomUUID(), merchantId: w.merchantId, url: w.url });
      endpoints.set(endpointKey, endpointId);
    }
    messages.push({
      eventId: w.eventId,
      merchantId: w.merchantId,
      endpointId,
      format: w.format,
      url: w.url,
      orderingKey: w.orderingKey,
      body: w.body ?? null,
      query: w.query ?? null,
      signingKeyRef: w.signingKeyRef,
      nextAttemptAt: DUE_NOW,
    });
  }
  await insertMessages(trx, messages);
}
