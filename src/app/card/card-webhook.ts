// The merchant's card webhook, set by an operator: where card payment events go (see
// card-payment-events.ts) and the secret that signs them. The URL and the secret live on an envelope
// webhook endpoint (the secret encrypted, resolved at send time); the merchant's card setting points at
// that endpoint. The secret is generated here and returned once: it is never readable again.
import { randomBytes } from "node:crypto";
import { AppError } from "../../core/shared/errors.js";
import { httpUrlProblem } from "../../core/shared/http-url.js";
import { findCardWebhook, setCardWebhookEndpoint } from "../../db/card/merchant-settings.js";
import { enableEndpoint } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";
import { merchantOr404 } from "../merchants/merchants.js";
import { setWebhookEndpointSecret } from "../outbox/webhook-endpoints.js";

/** The one URL rule (core/shared/http-url.ts), for callers that are not behind a request schema. */
function checkWebhookUrl(raw: string): string {
  const problem = httpUrlProblem(raw);
  if (problem) throw new AppError("validation_failed", { field: "url", message: problem });
  return raw;
}

interface CardWebhookSecret {
  url: string;
  /** `whsec_...`: shown only in this answer. */
  secret: string;
  endpointId: string;
}

/**
 * Sets the URL with a fresh secret (also how the secret is rotated: retries of earlier events are then
 * signed with the new one, since the key is resolved at send time). Re-enables the endpoint if a 410
 * had switched it off: the operator has just configured it.
 */
export async function setCardWebhook(deps: Deps, merchantId: string, url: string): Promise<CardWebhookSecret> {
  checkWebhookUrl(url);
  const { id } = await merchantOr404(deps, merchantId);
  const secret = `whsec_${randomBytes(32).toString("base64url")}`;
  const endpointId = await deps.database.db.transaction().execute(async (trx) => {
    const endpoint = await setWebhookEndpointSecret(deps, trx, { merchantId: id, url, secret });
    await enableEndpoint(trx, endpoint);
    await setCardWebhookEndpoint(trx, { merchantId: id, endpointId: endpoint, now: deps.clock.now() });
    return endpoint;
  });
  return { url, secret, endpointId };
}

interface CardWebhookView {
  url: string;
  /** False while delivery is stopped by a 410 from the receiver (see /admin/v1/webhooks). */
  enabled: boolean;
  endpointId: string;
}

export async function cardWebhook(deps: Deps, merchantId: string): Promise<CardWebhookView> {
  const { id } = await merchantOr404(deps, merchantId);
  const hook = await findCardWebhook(deps.database.db, id);
  if (!hook) throw new AppError("not_found", { message: "This merchant has no card webhook." });
  return { url: hook.url, enabled: hook.disabled_at === null, endpointId: hook.endpoint_id };
}

/** No event is queued from now on; events already queued are still delivered. Idempotent. */
export async function removeCardWebhook(deps: Deps, merchantId: string): Promise<void> {
  const { id } = await merchantOr404(deps, merchantId);
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  await deps.database.db.transaction().execute((trx) => setCardWebhookEndpoint(trx, { merchantId: id, endpointId: null, now: deps.clock.now() }));
}
