// Signing keys are referenced by messages and resolved at send time, so a rotated key signs retries
// and no secret is copied into the outbox. One case per key kind: a new kind of SigningKeyRef does
// not compile until it is resolved here.
import { assertNever } from "../../core/shared/assert-never.js";
import { findPreviousSecret } from "../../db/outbox/merchant-endpoints.js";
import { findEndpoint } from "../../db/outbox/webhooks.js";
import { merchantSigningKey } from "../auth/authenticate.js";
import type { Deps } from "../deps.js";
import { storeIpnSecret } from "../intents/store-settings.js";
import type { SigningKeyRef } from "./enqueue-webhook.js";
import { webhookSecretBox } from "./webhook-endpoints.js";

interface SigningContext {
  endpointId: string;
  url: string;
}

/**
 * The keys for a message, the one in force first, or null when unknown (revoked key, no secret yet).
 * Only an envelope endpoint in a rotation's overlap has a second one (its previous secret).
 */
export async function resolveSigningKey(deps: Deps, ref: SigningKeyRef, ctx: SigningContext): Promise<readonly string[] | null> {
  const one = (key: string | null) => (key === null ? null : [key]);
  switch (ref.kind) {
    // Trading: the merchant API key that created the pay-in.
    case "api_key":
      return one(await merchantSigningKey(deps, ref.apiKeyId));
    // Intent IPN: the store's IPN secret in force now.
    case "ipn_secret":
      return one(await storeIpnSecret(deps, ref.storeId));
    // Envelope: the secret of the endpoint the message goes to, and the one a rotation replaced while
    // its overlap lasts.
    case "webhook_secret": {
      const db = deps.database.db;
      const e = await findEndpoint(db, ctx.endpointId);
      if (!e?.secret_enc) return null;
      const box = webhookSecretBox(deps);
      const previous = await findPreviousSecret(db, ctx.endpointId, deps.clock.now());
      return previous ? [box.decrypt(e.secret_enc), box.decrypt(previous.secret_enc)] : [box.decrypt(e.secret_enc)];
    }
    default:
      return assertNever(ref, "signing key kind");
  }
}
