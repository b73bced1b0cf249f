// Operator use cases over the delivery log: list messages and attempts, redeliver one message, or
// every failed message of an endpoint (which also re-enables an endpoint disabled by a 410).
import { transitionMessage } from "../../core/webhooks/message-status.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid } from "../../core/shared/uuid.js";
import {
  enableEndpoint,
  failedMessageSeqs,
  findEndpoint,
  findMessageByEventId,
  listAttempts,
  listDisabledEndpoints,
  listMessages,
  type MessageFilter,
  requeueMessages,
} from "../../db/outbox/webhooks.js";
import { listNotifications } from "../../db/outbox/notifications.js";
import type { Deps } from "../deps.js";
import { pageOf, pageSize, seqCursor } from "../../core/shared/page-size.js";

export const MAX_PAGE = 100;

export async function webhookMessagesPage(deps: Deps, f: Omit<MessageFilter, "beforeSeq" | "limit"> & { cursor?: string; limit?: number }) {
  const limit = pageSize(f.limit, 50, MAX_PAGE);
  const beforeSeq = seqCursor(f.cursor);
  const rows = await listMessages(deps.database.db, { ...f, ...(beforeSeq ? { beforeSeq } : {}), limit: limit + 1 });
  return pageOf(rows, limit, (m) => m.seq);
}

async function messageOr404(deps: Deps, eventId: string) {
  const m = await findMessageByEventId(deps.database.db, eventId);
  if (!m) throw new AppError("not_found", { message: "Webhook message not found" });
  return m;
}

export async function webhookAttempts(deps: Deps, eventId: string) {
  const m = await messageOr404(deps, eventId);
  return { message: m, attempts: await listAttempts(deps.database.db, m.seq) };
}

/** Delivered or failed → pending, due now. A pending message is refused (409 naming the status). */
export async function redeliverMessage(deps: Deps, eventId: string): Promise<void> {
  await deps.database.db.transaction().execute(async (trx) => {
    const m = await trx.selectFrom("webhook_messages").select(["seq", "status", "endpoint_id"]).where("event_id", "=", eventId).forUpdate().executeTakeFirst();
    if (!m) throw new AppError("not_found", { message: "Webhook message not found" });
    transitionMessage(m.status, "redeliver");
    await enableEndpoint(trx, m.endpoint_id);
    await requeueMessages(trx, { seqs: [m.seq], now: deps.clock.now() });
  });
}

/** Every failed message of the endpoint back to pending; re-enables the endpoint. Returns the count. */
export async function redeliverEndpointFailures(deps: Deps, endpointId: string): Promise<number> {
  if (!isUuid(endpointId) || !(await findEndpoint(deps.database.db, endpointId))) {
    throw new AppError("not_found", { message: "Webhook endpoint not found" });
  }
  return deps.database.db.transaction().execute(async (trx) => {
    await enableEndpoint(trx, endpointId);
    const seqs = await failedMessageSeqs(trx, endpointId);
    return requeueMessages(trx, { seqs, now: deps.clock.now() });
  });
}

/** What the operator must act on: notifications (newest first) and endpoints currently disabled. */
export async function webhookAttention(deps: Deps, limit?: number) {
  const n = pageSize(limit, 50, MAX_PAGE);
  const [notifications, disabledEndpoints] = await Promise.all([listNotifications(deps.database.db, n), listDisabledEndpoints(deps.database.db, n)]);
  return { notifications, disabledEndpoints };
}
