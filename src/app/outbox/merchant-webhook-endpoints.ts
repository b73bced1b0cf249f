// The merchant's own webhook endpoints (issue 19), one set of use cases for /merchant/v1/webhook-endpoints
// and the merchant portal's pages: several endpoints per merchant, each with the event types it takes
// (merchant-events.ts fans events out to them), its own signing secret (shown once; a rotation keeps the
// old one signing beside the new one for an overlap), an on/off switch, its delivery log, redelivery of
// one message and a test event. Another merchant's endpoint or message is not found.
import { randomBytes } from "node:crypto";
import { AppError } from "../../core/shared/errors.js";
import { pageOf, pageSize, seqCursor } from "../../core/shared/page-size.js";
import { printableText } from "../../core/shared/printable-text.js";
import { webhookTargetProblem } from "../../core/shared/webhook-target.js";
import { eventTypeProblem, TEST_EVENT_TYPE } from "../../core/webhooks/event-types.js";
import { transitionMessage } from "../../core/webhooks/message-status.js";
import {
  deleteMerchantEndpoint,
  dropPreviousSecret,
  findMerchantEndpoint,
  findPreviousSecret,
  insertMerchantEndpoint,
  listMerchantEndpoints,
  lockEndpointMessage,
  lockMerchantForEndpoints,
  repointPendingMessages,
  requeueEndpointMessage,
  setPreviousSecret,
  type MerchantEndpointRow,
  updateMerchantEndpoint,
} from "../../db/outbox/merchant-endpoints.js";
import { enableEndpoint, findEndpoint, findMessageByEventId, insertMessages, listAttempts, listMessages } from "../../db/outbox/webhooks.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { endpointMessage } from "./merchant-events.js";
import { webhookSecretBox } from "./webhook-endpoints.js";

export const MAX_ENDPOINTS_PER_MERCHANT = 16;
export const MAX_EVENT_TYPES = 50;
export const DESCRIPTION_MAX = 200;
export const MAX_MESSAGE_PAGE = 100;
/** A rotation's overlap: the default, and the longest a replaced secret may keep signing. */
export const DEFAULT_OVERLAP_MINUTES = 24 * 60;
export const MAX_OVERLAP_MINUTES = 7 * 24 * 60;

interface EndpointInput {
  url: string;
  eventTypes: string[];
  description?: string | null;
  enabled?: boolean;
}

export interface EndpointView {
  endpointId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  /** Set while a 410 Gone from the receiver holds delivery back (a redelivery lifts it). */
  stoppedAt: Date | null;
  stoppedReason: string | null;
  createdAt: Date;
}

const view = (e: MerchantEndpointRow): EndpointView => ({
  endpointId: e.id,
  url: e.url,
  eventTypes: e.event_types ?? [],
  description: e.description,
  enabled: e.enabled,
  stoppedAt: e.disabled_at,
  stoppedReason: e.disabled_reason,
  createdAt: e.created_at,
});

const newSecret = () => `whsec_${randomBytes(32).toString("base64url")}`;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const notFound = () => new AppError("not_found", { message: "Webhook endpoint not found" });

/**
 * The URL as stored: its one spelling (WHATWG's: the host in lower case, the scheme's default port
 * dropped), so that the unique (merchant, url) key refuses the same receiver written another way
 * (found by fuzzing: https://EXAMPLE.com:443/hook was a second endpoint, every event sent twice).
 */
function checkUrl(deps: Deps, url: string): string {
  const problem = webhookTargetProblem(url, deps.config.allowPrivateWebhooks);
  if (problem !== null) throw new AppError("validation_failed", { field: "url", message: problem });
  return new URL(url).href;
}

function checkEventTypes(types: readonly string[]): string[] {
  if (types.length === 0 || types.length > MAX_EVENT_TYPES) {
    throw new AppError("validation_failed", { field: "eventTypes", message: `eventTypes lists 1 to ${MAX_EVENT_TYPES} event types` });
  }
  for (const t of types) {
    const problem = eventTypeProblem(t);
    if (problem !== null) throw new AppError("validation_failed", { field: "eventTypes", message: problem });
  }
  return [...new Set(types)];
}

function checkDescription(d: string | null | undefined): string | null {
  if (d === undefined || d === null || d.trim() === "") return null;
  const t = printableText(d.trim(), DESCRIPTION_MAX);
  if (t === null) throw new AppError("validation_failed", { field: "description", message: `description is at most ${DESCRIPTION_MAX} printable characters` });
  return t;
}

async function endpointOr404(db: Db, merchantId: string, endpointId: string, lock = false): Promise<MerchantEndpointRow> {
  if (!UUID.test(endpointId)) throw notFound();
  const e = await findMerchantEndpoint(db, merchantId, endpointId, lock);
  if (!e) throw notFound();
  return e;
}

const urlTaken = () => new AppError("conflict", { field: "url", message: "Another of your webhook endpoints has this URL" });

/** A new endpoint and its secret, shown only in this answer (stored encrypted). */
export async function createWebhookEndpoint(deps: Deps, merchantId: string, input: EndpointInput): Promise<EndpointView & { secret: string }> {
  const url = checkUrl(deps, input.url);
  const eventTypes = checkEventTypes(input.eventTypes);
  const description = checkDescription(input.description);
  const secret = newSecret();
  const id = deps.ids.uuid();
  const row = await deps.database.db.transaction().execute(async (trx) => {
    if ((await lockMerchantForEndpoints(trx, merchantId)) >= MAX_ENDPOINTS_PER_MERCHANT) {
      throw new AppError("webhook_endpoint_limit_reached", { message: `A merchant has at most ${MAX_ENDPOINTS_PER_MERCHANT} webhook endpoints` });
    }
    const inserted = await insertMerchantEndpoint(trx, {
      id,
      merchantId,
      url,
      eventTypes,
      description,
      enabled: input.enabled ?? true,
      secretEnc: webhookSecretBox(deps).encrypt(secret),
      now: deps.clock.now(),
    });
    if (!inserted) throw urlTaken();
    return (await findMerchantEndpoint(trx, merchantId, id))!;
  });
  return { ...view(row), secret };
}

/** Every endpoint of the merchant (at most MAX_ENDPOINTS_PER_MERCHANT), newest first. */
export async function listWebhookEndpoints(deps: Deps, merchantId: string): Promise<EndpointView[]> {
  return (await listMerchantEndpoints(deps.database.db, merchantId, MAX_ENDPOINTS_PER_MERCHANT)).map(view);
}

export async function webhookEndpoint(deps: Deps, merchantId: string, endpointId: string): Promise<EndpointView & { previousSecretExpiresAt: Date | null }> {
  const e = await endpointOr404(deps.database.db, merchantId, endpointId);
  const previous = await findPreviousSecret(deps.database.db, e.id, deps.clock.now());
  return { ...view(e), previousSecretExpiresAt: previous?.expires_at ?? null };
}

/**
 * Changes only the fields given. A new URL also takes the messages still waiting; disabling stops new
 * events from being queued and holds queued ones until it is enabled again.
 */
export async function updateWebhookEndpoint(deps: Deps, merchantId: string, endpointId: string, patch: Partial<EndpointInput>): Promise<EndpointView> {
  const set = {
    ...(patch.url !== undefined ? { url: checkUrl(deps, patch.url) } : {}),
    ...(patch.eventTypes !== undefined ? { event_types: checkEventTypes(patch.eventTypes) } : {}),
    ...(patch.description !== undefined ? { description: checkDescription(patch.description) } : {}),
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
  };
  return deps.database.db.transaction().execute(async (trx) => {
    const e = await endpointOr404(trx, merchantId, endpointId, true);
    if (!(await updateMerchantEndpoint(trx, e.id, set))) throw urlTaken();
    if (set.url !== undefined && set.url !== e.url) await repointPendingMessages(trx, e.id, set.url);
    return view((await findMerchantEndpoint(trx, merchantId, e.id))!);
  });
}

/**
 * Deletes the endpoint: it disappears from the merchant's list (its URL free again), no event is queued
 * for it, and its messages still waiting are settled as failed ("endpoint deleted") instead of sent.
 * The messages and their attempts are kept as the delivery record (the operator's webhook log).
 */
export async function deleteWebhookEndpoint(deps: Deps, merchantId: string, endpointId: string): Promise<{ endpointId: string; deletedAt: Date; pendingStopped: number }> {
  const now = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    const e = await endpointOr404(trx, merchantId, endpointId, true);
    const pendingStopped = await deleteMerchantEndpoint(trx, e.id, now);
    return { endpointId: e.id, deletedAt: now, pendingStopped };
  });
}

/**
 * A new secret, shown only in this answer. For `overlapMinutes` (0 ends the old one at once) every
 * request is signed with both the new and the replaced secret (two v1= entries), so the receiver can
 * move to the new one without missing an event. Rotating again within an overlap replaces the secret
 * kept from before (only the last two secrets ever sign).
 */
export async function rotateWebhookEndpointSecret(
  deps: Deps,
  merchantId: string,
  endpointId: string,
  overlapMinutes = DEFAULT_OVERLAP_MINUTES,
): Promise<{ endpointId: string; secret: string; previousSecretExpiresAt: Date | null }> {
  if (!Number.isInteger(overlapMinutes) || overlapMinutes < 0 || overlapMinutes > MAX_OVERLAP_MINUTES) {
    throw new AppError("validation_failed", { field: "overlapMinutes", message: `overlapMinutes is a whole number from 0 to ${MAX_OVERLAP_MINUTES}` });
  }
  const secret = newSecret();
  const box = webhookSecretBox(deps);
  const now = deps.clock.now();
  const expiresAt = overlapMinutes > 0 ? new Date(now.getTime() + overlapMinutes * 60_000) : null;
  await deps.database.db.transaction().execute(async (trx) => {
    await endpointOr404(trx, merchantId, endpointId, true);
    const current = (await findEndpoint(trx, endpointId))!;
    if (expiresAt !== null && current.secret_enc !== null) await setPreviousSecret(trx, { endpointId, secretEnc: current.secret_enc, expiresAt });
    else await dropPreviousSecret(trx, endpointId);
    await updateMerchantEndpoint(trx, endpointId, { secret_enc: box.encrypt(secret) });
  });
  return { endpointId, secret, previousSecretExpiresAt: expiresAt };
}

/**
 * Queues a `webhook.test` event for this endpoint alone, whatever its event types, signed like every
 * other; its delivery shows in the endpoint's log. A disabled endpoint is refused (it would only wait).
 */
export async function sendTestEvent(deps: Deps, merchantId: string, endpointId: string): Promise<{ eventId: string }> {
  return deps.database.db.transaction().execute(async (trx) => {
    const e = await endpointOr404(trx, merchantId, endpointId);
    if (!e.enabled) throw new AppError("conflict", { message: "This webhook endpoint is disabled: enable it to send a test event" });
    const key = `webhook_test.${deps.ids.uuid()}`;
    const m = endpointMessage(e, { type: TEST_EVENT_TYPE, key, orderingKey: key, createdAt: deps.clock.now(), data: { endpointId: e.id, message: "A test event from Rampart." } });
    await insertMessages(trx, [m]);
    return { eventId: m.eventId };
  });
}

/** The endpoint's delivery log, newest first (keyset pages by the message's sequence number). */
export async function endpointMessagesPage(
  deps: Deps,
  merchantId: string,
  endpointId: string,
  q: { status?: "pending" | "delivered" | "failed" | undefined; cursor?: string | undefined; limit?: number | undefined },
) {
  const e = await endpointOr404(deps.database.db, merchantId, endpointId);
  const limit = pageSize(q.limit, 50, MAX_MESSAGE_PAGE);
  const beforeSeq = seqCursor(q.cursor);
  const rows = await listMessages(deps.database.db, {
    merchantId,
    endpointId: e.id,
    ...(q.status ? { status: q.status } : {}),
    ...(beforeSeq ? { beforeSeq } : {}),
    limit: limit + 1,
  });
  return pageOf(rows, limit, (m) => m.seq);
}

async function messageOr404(deps: Deps, merchantId: string, endpointId: string, eventId: string) {
  const e = await endpointOr404(deps.database.db, merchantId, endpointId);
  const m = await findMessageByEventId(deps.database.db, eventId);
  if (!m || m.endpoint_id !== e.id || m.merchant_id !== merchantId) throw new AppError("not_found", { message: "Webhook message not found" });
  return m;
}

/** One message with its body and every attempt (status code, response body, error). */
export async function endpointMessageDetail(deps: Deps, merchantId: string, endpointId: string, eventId: string) {
  const m = await messageOr404(deps, merchantId, endpointId, eventId);
  return { message: m, attempts: await listAttempts(deps.database.db, m.seq) };
}

/**
 * Delivered or failed → pending, due now, to the endpoint's current URL with a fresh attempt budget; a
 * pending one is 409 naming its status. Lifts a 410's stop of the endpoint (the merchant says the
 * receiver is back).
 */
export async function redeliverEndpointMessage(deps: Deps, merchantId: string, endpointId: string, eventId: string): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const e = await endpointOr404(trx, merchantId, endpointId, true);
    const m = await lockEndpointMessage(trx, e.id, eventId);
    if (!m) throw new AppError("not_found", { message: "Webhook message not found" });
    transitionMessage(m.status, "redeliver");
    await enableEndpoint(trx, e.id);
    await requeueEndpointMessage(trx, { seq: m.seq, url: e.url, now: deps.clock.now() });
  });
}
