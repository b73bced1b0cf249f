// SQL for the webhook endpoints a merchant registers itself (kind 'merchant', 0054): every read is
// scoped by merchant, so another merchant's endpoint is simply not found.
import type { Db } from "../schema.js";
import { transitionMessage } from "../../core/webhooks/message-status.js";

const COLUMNS = ["id", "merchant_id", "url", "event_types", "description", "enabled", "disabled_at", "disabled_reason", "created_at"] as const;

export async function listMerchantEndpoints(db: Db, merchantId: string, limit: number) {
  return db
    .selectFrom("webhook_endpoints")
    .select(COLUMNS)
    .where("merchant_id", "=", merchantId)
    .where("kind", "=", "merchant")
    .where("deleted_at", "is", null)
    .orderBy("created_at", "desc")
    .orderBy("id", "desc")
    .limit(limit)
    .execute();
}

export type MerchantEndpointRow = Awaited<ReturnType<typeof listMerchantEndpoints>>[number];

/** One endpoint of the merchant; `lock` takes it FOR UPDATE (a change or a rotation). */
export async function findMerchantEndpoint(db: Db, merchantId: string, id: string, lock = false): Promise<MerchantEndpointRow | undefined> {
  let q = db.selectFrom("webhook_endpoints").select(COLUMNS).where("id", "=", id).where("merchant_id", "=", merchantId).where("kind", "=", "merchant").where("deleted_at", "is", null);
  if (lock) q = q.forUpdate();
  return q.executeTakeFirst();
}

/** Locks the merchant's row: creates of one merchant's endpoints queue behind each other, so the count bound holds. */
export async function lockMerchantForEndpoints(db: Db, merchantId: string): Promise<number> {
  await db.selectFrom("merchants").select("id").where("id", "=", merchantId).forUpdate().executeTakeFirst();
  const r = await db
    .selectFrom("webhook_endpoints")
    .select((eb) => eb.fn.countAll<string>().as("n"))
    .where("merchant_id", "=", merchantId)
    .where("kind", "=", "merchant")
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** False when the merchant already has an endpoint with this URL. */
export async function insertMerchantEndpoint(
  db: Db,
  a: { id: string; merchantId: string; url: string; eventTypes: string[]; description: string | null; enabled: boolean; secretEnc: string; now: Date },
): Promise<boolean> {
  const r = await db
    .insertInto("webhook_endpoints")
    .values({
      id: a.id,
      merchant_id: a.merchantId,
      url: a.url,
      kind: "merchant",
      event_types: a.eventTypes,
      description: a.description,
      enabled: a.enabled,
      secret_enc: a.secretEnc,
      created_at: a.now,
    })
    .onConflict((oc) => oc.columns(["merchant_id", "url", "kind"]).where("deleted_at", "is", null).doNothing())
    .executeTakeFirst();
  return (r.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

/** False when the new URL is another of the merchant's endpoints'. */
export async function updateMerchantEndpoint(
  db: Db,
  id: string,
  set: Partial<{ url: string; event_types: string[]; description: string | null; enabled: boolean; secret_enc: string }>,
): Promise<boolean> {
  if (Object.keys(set).length === 0) return true;
  if (set.url !== undefined) {
    const clash = await db
      .selectFrom("webhook_endpoints as e")
      .innerJoin("webhook_endpoints as o", (j) => j.onRef("o.merchant_id", "=", "e.merchant_id").onRef("o.kind", "=", "e.kind"))
      .select("o.id")
      .where("e.id", "=", id)
      .where("o.url", "=", set.url)
      .where("o.id", "!=", id)
      .where("o.deleted_at", "is", null)
      .executeTakeFirst();
    if (clash) return false;
  }
  await db.updateTable("webhook_endpoints").set(set).where("id", "=", id).execute();
  return true;
}

/** Messages still waiting go to the endpoint's new URL (each message carries the URL it is sent to). */
export async function repointPendingMessages(db: Db, endpointId: string, url: string): Promise<void> {
  await db.updateTable("webhook_messages").set({ url }).where("endpoint_id", "=", endpointId).where("status", "=", "pending").execute();
}

/**
 * Marks the endpoint deleted and switched off, and settles its messages still waiting as failed
 * ("endpoint deleted"): nothing more goes out to it, and the messages stay as the delivery record.
 */
export async function deleteMerchantEndpoint(db: Db, id: string, now: Date): Promise<number> {
  await db.updateTable("webhook_endpoints").set({ deleted_at: now, enabled: false }).where("id", "=", id).execute();
  await db.deleteFrom("webhook_endpoint_previous_secrets").where("endpoint_id", "=", id).execute();
  const r = await db
    .updateTable("webhook_messages")
    .set({ status: transitionMessage("pending", "give_up"), last_error: "endpoint deleted", lease_until: null, locked_by: null, updated_at: now })
    .where("endpoint_id", "=", id)
    .where("status", "=", "pending")
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * The merchants' endpoints that take events now (enabled by the merchant; a 410 only holds delivery
 * back). Share-locked until the caller's transaction ends: a delete waits for a fan-out that read the
 * endpoint, so its "fail pending" sees the fan-out's messages instead of leaving them pending forever.
 */
export async function subscribedEndpoints(db: Db, merchantIds: readonly string[]) {
  if (merchantIds.length === 0) return [];
  return db
    .selectFrom("webhook_endpoints")
    .select(["id", "merchant_id", "url", "event_types"])
    .where("merchant_id", "in", merchantIds)
    .where("kind", "=", "merchant")
    .where("enabled", "=", true)
    .where("deleted_at", "is", null)
    .forShare()
    .execute();
}

export async function setPreviousSecret(db: Db, a: { endpointId: string; secretEnc: string; expiresAt: Date }): Promise<void> {
  await db
    .insertInto("webhook_endpoint_previous_secrets")
    .values({ endpoint_id: a.endpointId, secret_enc: a.secretEnc, expires_at: a.expiresAt })
    .onConflict((oc) => oc.column("endpoint_id").doUpdateSet({ secret_enc: a.secretEnc, expires_at: a.expiresAt }))
    .execute();
}

export async function dropPreviousSecret(db: Db, endpointId: string): Promise<void> {
  await db.deleteFrom("webhook_endpoint_previous_secrets").where("endpoint_id", "=", endpointId).execute();
}

/** The replaced secret while its overlap lasts at `now`, else undefined. */
export async function findPreviousSecret(db: Db, endpointId: string, now: Date) {
  return db.selectFrom("webhook_endpoint_previous_secrets").selectAll().where("endpoint_id", "=", endpointId).where("expires_at", ">", now).executeTakeFirst();
}

/** One settled message of the endpoint back in the queue, due now, to the endpoint's current URL. */
export async function requeueEndpointMessage(db: Db, a: { seq: string; url: string; now: Date }): Promise<void> {
  await db
    .updateTable("webhook_messages")
    .set({ status: "pending", attempts: 0, next_attempt_at: a.now, lease_until: null, locked_by: null, updated_at: a.now, url: a.url })
    .where("seq", "=", a.seq)
    .where("status", "in", ["delivered", "failed"])
    .execute();
}

/** The endpoint's message with this event id, locked (a redelivery), or undefined. */
export async function lockEndpointMessage(db: Db, endpointId: string, eventId: string) {
  return db
    .selectFrom("webhook_messages")
    .select(["seq", "status"])
    .where("event_id", "=", eventId)
    .where("endpoint_id", "=", endpointId)
    .forUpdate()
    .executeTakeFirst();
}

