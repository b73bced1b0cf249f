// Signing keys are referenced by messages and resolved at send time, so a rotated key signs retries
// and no secret is copied into the outbox. Each key kind has one resolver; the owner of the secret
// registers it (the intent area registers "ipn_secret").
import { findEndpoint } from "../../db/outbox/webhooks.js";
import { merchantSigningKey } from "../auth/authenticate.js";
import type { Deps } from "../deps.js";
import type { SigningKeyRef } from "./enqueue-webhook.js";
import { webhookSecretBox } from "./webhook-endpoints.js";

export interface SigningContext {
  endpointId: string;
  url: string;
}

export type SigningKeyResolver<K extends SigningKeyRef["kind"]> = (
  deps: Deps,
  ref: Extract<SigningKeyRef, { kind: K }>,
  ctx: SigningContext,
) => Promise<string | null>;

type AnyResolver = (deps: Deps, ref: SigningKeyRef, ctx: SigningContext) => Promise<string | null>;
const resolvers = new Map<SigningKeyRef["kind"], AnyResolver>();

/** One resolver per kind; a later registration replaces the earlier one. */
export function registerSigningKeyResolver<K extends SigningKeyRef["kind"]>(kind: K, resolver: SigningKeyResolver<K>): void {
  resolvers.set(kind, resolver as unknown as AnyResolver);
}

/** The key for a message, or null when unknown (revoked key, no secret yet, no resolver in this process). */
export async function resolveSigningKey(deps: Deps, ref: SigningKeyRef, ctx: SigningContext): Promise<string | null> {
  const r = resolvers.get(ref.kind);
  return r ? r(deps, ref, ctx) : null;
}

// Trading: the merchant API key that created the pay-in.
registerSigningKeyResolver("api_key", (deps, ref) => merchantSigningKey(deps, ref.apiKeyId));

// Envelope: the secret of the endpoint the message goes to.
registerSigningKeyResolver("webhook_secret", async (deps, _ref, ctx) => {
  const e = await findEndpoint(deps.database.db, ctx.endpointId);
  return e?.secret_enc ? webhookSecretBox(deps).decrypt(e.secret_enc) : null;
});
