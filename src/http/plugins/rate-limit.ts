// Request rate bound per credential (API, trader, operator key or bearer token), or per client IP
// when there is none. Counters live in each process's memory: with N processes behind a balancer the
// effective bound is N times the setting, which is documented in the README.
import { createHash } from "node:crypto";
import rateLimit from "@fastify/rate-limit";
import type { FastifyInstance, FastifyRequest } from "fastify";

const CREDENTIAL_HEADERS = ["x-api-key", "x-trader-key", "x-operator-key", "authorization"] as const;

function bucketKey(request: FastifyRequest): string {
  for (const h of CREDENTIAL_HEADERS) {
    const v = request.headers[h];
    // Hashed so the limiter's memory never holds a usable credential.
    if (typeof v === "string" && v) return `${h}:${createHash("sha256").update(v).digest("base64url").slice(0, 22)}`;
  }
  return `ip:${request.ip}`;
}

export async function installRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute === 0) return;
  await app.register(rateLimit, {
    global: true,
    max: perMinute,
    timeWindow: 60_000,
    cache: 50_000,
    keyGenerator: bucketKey,
    // Operations endpoints are scraped by monitors and must keep answering under load.
    allowList: (request) => ["/healthz", "/readyz", "/metrics"].includes(request.url),
    errorResponseBuilder: (_req, ctx) => Object.assign(new Error("rate limited"), { statusCode: 429, code: "FST_ERR_RATE_LIMITED", ttl: ctx.ttl }),
  });
}
