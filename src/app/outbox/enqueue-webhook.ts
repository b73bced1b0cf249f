// enqueueWebhook: one outgoing message per business event, written in the caller's transaction. The
// endpoint row (merchant, url) is created on first use; 410 from the receiver disables it.
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { Db } from "../../db/schema.js";
import { ensureEndpoint, insertMessage } from "../../db/outbox/webhooks.js";
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
  if (w.format === "intent_ipn" ? w.query === undefined : w.body === undefined) {
    throw new Error(`enqueueWebhook: format ${w.format} needs ${w.format === "intent_ipn" ? "query" : "body"}`);
  }
  const endpointId = await ensureEndpoint(trx, { id: randomUUID(), merchantId: w.merchantId, url: w.url });
  await insertMessage(trx, {
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
