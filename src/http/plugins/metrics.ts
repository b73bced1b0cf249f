// /metrics's registry on the app, and every request's duration by route and status counted through
// the process's metrics (app/ops/metrics.ts). The registry belongs to the deps, not prom-client's global
// one, so several apps can live in one test process.
import type { FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import type { OpsMetrics } from "../../app/ops/metrics.js";

declare module "fastify" {
  interface FastifyInstance {
    metrics: Registry;
  }
}

export function installMetrics(app: FastifyInstance, metrics: OpsMetrics): void {
  app.decorate("metrics", metrics.registry);
  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, never the raw URL: ids in paths would explode the label set.
    metrics.httpRequest(request.method, request.routeOptions.url ?? "unmatched", reply.statusCode, reply.elapsedTime / 1000);
  });
}
