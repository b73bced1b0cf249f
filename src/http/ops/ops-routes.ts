// Operations endpoints: liveness, readiness, metrics and the OpenAPI document.
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { adaptersInUse, databaseReadiness } from "../../app/ops/health.js";

const READY_TIMEOUT_MS = 2000;

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      p,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const Health = Type.Object({ status: Type.String() });
const Adapters = Type.Object(
  { rates: Type.String(), kyc: Type.String(), sms: Type.String(), chain: Type.String(), cardAcquirer: Type.String() },
  { description: "The adapter serving each port, as configured (RAMPART_RATES, RAMPART_KYC, RAMPART_SMS, RAMPART_CHAIN, RAMPART_CARD_ACQUIRER)" },
);
const Ready = Type.Object({
  status: Type.String(),
  database: Type.String(),
  pendingMigrations: Type.Array(Type.String()),
  adapters: Adapters,
});

export async function opsRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.get(
    "/healthz",
    { schema: { tags: ["operations"], summary: "Process liveness", response: { 200: Health } } },
    async () => ({ status: "ok" }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        tags: ["operations"],
        summary: "Database reachable and migrations applied",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (request, reply) => {
      try {
        const { pendingMigrations: pending } = await withTimeout(databaseReadiness(deps), READY_TIMEOUT_MS);
        const ok = pending.length === 0;
        return reply
          .code(ok ? 200 : 503)
          .send({ status: ok ? "ready" : "not_ready", database: "ok", pendingMigrations: pending, adapters: adaptersInUse(deps) });
      } catch (err) {
        request.log.warn({ err }, "readiness check failed");
        return reply.code(503).send({ status: "not_ready", database: "unreachable", pendingMigrations: [], adapters: adaptersInUse(deps) });
      }
    },
  );

  app.get("/metrics", { schema: { tags: ["operations"], summary: "Prometheus metrics" } }, async (_req, reply) => {
    const body = await app.metrics.metrics();
    return reply.type(app.metrics.contentType).send(body);
  });

  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
}
