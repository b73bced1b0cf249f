// Signing keys are referenced by messages and resolved at send time, so a rotated key signs retries
// and no secret is copied into the outbox. One case per key kind: a new kind of SigningKeyRef does
// not compile until it is resolved here.
import { assertNever } from "../../core/shared/assert-never.js";
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

/** The key for a message, or null when unknown (revoked key, no secret yet). */
export async function resolveSigningKey(deps: Deps, ref: SigningKeyRef, ctx: SigningContext): Promise<string | null> {
  switch (ref.kind) {
    // Trading: the merchant API key that created the pay-in.
    case "api_key":
      return merchantSigningKey(deps, ref.apiKeyId);
    // Intent IPN: the store's IPN secret in force now.
    case "ipn_secret":
      return storeIpnSecret(deps, ref.storeId);
    // Envelope: the secret of the endpoint the message goes to.
    case "webhook_secret": {
      const e = await findEndpoint(deps.database.db, ctx.endpointId);
      return e?.secret_enc ? webhookSecretBox(deps).decrypt(e.secret_enc) : null;
    }
    default:
      return assertNever(ref, "signing key kind");
  }
}
