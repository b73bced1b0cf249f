// Merchant webhook endpoints: each has its own secret (envelope format), stored encrypted.
import type { SecretBox } from "../../core/crypto/secret-box.js";
import type { Db } from "../../db/schema.js";
import { ensureEndpoint, setEndpointSecret } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";
import { type SecretConfig, secretBox } from "../secret/secret-boxes.js";

export function webhookSecretBox(deps: { config: SecretConfig }): SecretBox {
  return secretBox(deps.config, "webhook-secret");
}

/** Creates the (merchant, url) endpoint if needed and sets its signing secret. */
export async function setWebhookEndpointSecret(deps: Deps, db: Db, a: { merchantId: string; url: string; secret: string }): Promise<string> {
  const id = await ensureEndpoint(db, { id: deps.ids.uuid(), merchantId: a.merchantId, url: a.url });
  await setEndpointSecret(db, id, webhookSecretBox(deps).encrypt(a.secret));
  return id;
}
