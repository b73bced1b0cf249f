// SQL for the card dialect's per-merchant settings: which webhook endpoint card payment events go to.
import type { Db } from "../schema.js";

interface CardWebhookRow {
  endpoint_id: string;
  url: string;
  disabled_at: Date | null;
}

/** The merchant's card webhook endpoint, or undefined when none is configured. */
export async function findCardWebhook(db: Db, merchantId: string): Promise<CardWebhookRow | undefined> {
  return db
    .selectFrom("card_merchant_settings as s")
    .innerJoin("webhook_endpoints as e", "e.id", "s.webhook_endpoint_id")
    .select(["e.id as endpoint_id", "e.url", "e.disabled_at"])
    .where("s.merchant_id", "=", merchantId)
    .executeTakeFirst();
}

/** Points the merchant's card events at an endpoint, or at none (null). */
export async function setCardWebhookEndpoint(db: Db, a: { merchantId: string; endpointId: string | null; now: Date }): Promise<void> {
  await db
    .insertInto("card_merchant_settings")
    .values({ merchant_id: a.merchantId, webhook_endpoint_id: a.endpointId, created_at: a.now, updated_at: a.now })
    .onConflict((oc) => oc.column("merchant_id").doUpdateSet({ webhook_endpoint_id: a.endpointId, updated_at: a.now }))
    .execute();
}
