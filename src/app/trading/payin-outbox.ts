// What a trading pay-in puts in the outbox, in the caller's transaction: its signed webhook and its
// jobs (expiry at the end of the payment window, auto-resolve of an unanswered dispute, settlement of
// a recalculated amount).
import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import type { DB } from "../../db/schema.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import { enqueueJob, enqueueWebhooks, type JobPayloads } from "../outbox/outbox.js";

const EXPIRE_JOB = "trading.payin_expire";
const AUTO_RESOLVE_JOB = "trading.dispute_auto_resolve";
const SETTLE_RECALCULATED_JOB = "trading.settle_recalculated";

interface PayinWebhook {
  payin: TradingPayinRow;
  url: string;
  body: string;
  eventId: string;
}

/** Signed webhooks (format "trading": body = the pay-in object, HMAC keyed with the creating API key). */
export async function enqueuePayinWebhooks(trx: Transaction<DB>, list: readonly PayinWebhook[]): Promise<void> {
  await enqueueWebhooks(
    trx,
    list.map((w) => ({
      merchantId: w.payin.merchant_id,
      format: "trading",
      url: w.url,
      eventId: w.eventId,
      orderingKey: w.payin.id,
      body: w.body,
      signingKeyRef: { kind: "api_key", apiKeyId: w.payin.api_key_id },
    })),
  );
}

/**
 * The expiry job of a new pay-in, as a row: the create writes it in the pay-in's own statement. Its
 * group is the pay-in's trader: the sweep's batches are one trader's each, and two workers' batches
 * never share a trader (their counter and balance rows; migration 0086_g, issue 16).
 */
export function expiryJob(payinId: string, dueAt: Date, traderId: string) {
  const payload: JobPayloads[typeof EXPIRE_JOB] = { payinId };
  return { id: randomUUID(), kind: EXPIRE_JOB, key: `${EXPIRE_JOB}:${payinId}`, payload, dueAt, groupKey: traderId };
}

export async function scheduleAutoResolve(trx: Transaction<DB>, payinId: string, openedAt: Date, dueAt: Date): Promise<void> {
  await enqueueJob(
    trx,
    AUTO_RESOLVE_JOB,
    { payinId, disputeOpenedAt: openedAt.toISOString() },
    { key: `${AUTO_RESOLVE_JOB}:${payinId}:${openedAt.getTime()}`, dueAt },
  );
}

/** Due at once: a pay-in is recalculated once, so the key is the pay-in's. */
export async function scheduleRecalculatedSettlement(trx: Transaction<DB>, payload: JobPayloads["trading.settle_recalculated"]): Promise<void> {
  await enqueueJob(trx, SETTLE_RECALCULATED_JOB, payload, { key: `${SETTLE_RECALCULATED_JOB}:${payload.payinId}` });
}
