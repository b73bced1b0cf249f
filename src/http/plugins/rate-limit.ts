// Request rate bound per credential (API, trader, operator key or bearer token) once that credential
// has authenticated in this process, and per client IP otherwise. A credential this process has not
// seen authenticate (a random x-api-key or Authorization header) counts against the IP, so inventing
// credentials does not buy fresh buckets. Counters live in each process's memory: with N processes
// behind a balancer the effective bound is N times the setting, which is documented in the README.
import { createHash } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { PrincipalKind } from "./principal.js";

const CREDENTIAL_HEADERS = ["x-api-key", "x-trader-key", "x-operator-key", "authorization"] as const;
type CredentialHeader = (typeof CREDENTIAL_HEADERS)[number];

/** The header that proves each kind of principal (sessions and X-Merchant-ID are not credentials here). */
const PROVEN_BY: Partial<Record<PrincipalKind, CredentialHeader>> = {
  merchant: "x-api-key",
  operator: "x-operator-key",
  trader: "x-trader-key",
  card_customer: "authorization",
};

const MAX_KEYS = 50_000;

/** Hashed so the limiter's memory never holds a usable credential. */
function credentialKey(header: CredentialHeader, value: string): string {
  return `${header}:${createHash("sha256").update(value).digest("base64url").slice(0, 22)}`;
}

export async function installRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  // Credentials that authenticated here, oldest first (a Map keeps insertion order), bounded.
  const authenticated = new Map<string, true>();

  const bucketKey = (request: FastifyRequest): string => {
    for (const h of CREDENTIAL_HEADERS) {
      const v = request.headers[h];
      if (typeof v === "string" && v) {
        const key = credentialKey(h, v);
        if (authenticated.has(key)) return key;
      }
    }
    return `ip:${request.ip}`;
  };

  app.addHook("onResponse", async (request) => {
    const header = request.principal ? PROVEN_BY[request.principal.kind] : undefined;
    const v = header ? request.headers[header] : undefined;
    if (!header || typeof v !== "string" || !v) return;
    const key = credentialKey(header, v);
    if (authenticated.has(key)) return;
    authenticated.set(key, true);
    if (authenticated.size > MAX_KEYS) authenticated.delete(authenticated.keys().next().value!);
  });

  await app.register(rateLimit, {
    // Not the plugin's per-route hooks (global: true): a route's own onRequest hooks run after its
    // scope's, so a scope that checks credentials in onRequest (every API does, before the body is read)
    // refused an invented key with 401 before the limiter counted it. The root hook below runs ahead of
    // every scope's.
    global: false,
    max: perMinute,
    timeWindow: 60_000,
    cache: MAX_KEYS,
    keyGenerator: bucketKey,
    // Operations endpoints are scraped by monitors and must keep answering under load.
    allowList: (request) => ["/healthz", "/readyz", "/metrics"].includes(request.url),
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error("rate limited"), { statusCode: 429, code: "FST_ERR_RATE_LIMITED", ttl: ctx.ttl }),
  });
  const limit = app.rateLimit();
  app.addHook("onRequest", async (request, reply) => {
    // As the per-route hooks did: a route with a limit of its own (sign-in, invitations) has only that
    // one, which the plugin adds to the route; an unknown URL is not counted.
    if (request.is404 || request.routeOptions.config?.rateLimit) return;
    await limit.call(app, request, reply);
  });
}
