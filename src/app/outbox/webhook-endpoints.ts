// Merchant webhook endpoints: each has its own secret (envelope format), stored encrypted.
import { createSecretBox, type SecretBox } from "../../core/crypto/secret-box.js";
import type { Db } from "../../db/schema.js";
import { ensureEndpoint, setEndpointSecret } from "../../db/outbox/webhooks.js";
import type { Deps } from "../deps.js";

export function webhookSecretBox(deps: Pick<Deps, "config">): SecretBox {
  return createSecretBox("webhook-secret", { id: "k1", secret: deps.config.secretKey });
}

/** Creates the (merchant, url) endpoint if needed and sets its signing secret. */
export async function setWebhookEndpointSecret(deps: Deps, db: Db, a: { merchantId: string; url: string; secret: string }): Promise<string> {
  const id = await ensureEndpoint(db, { id: deps.ids.uuid(), merchantId: a.merchantId, url: a.url });
  await setEndpointSecret(db, id, webhookSecretBox(deps).encrypt(a.secret));
  return id;
}
