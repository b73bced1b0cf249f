// Builds the Fastify app from explicit dependencies. It never listens: tests drive it with inject(),
// src/main/server.ts binds it to a port.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance } from "fastify";
import type { Deps } from "../app/deps.js";
import { frameworkErrors, installErrorHandling, installNotFoundHandling, renderDefaultError } from "./errors/error-handling.js";
import { lazySerializers } from "./plugins/lazy-serializers.js";
import { installMetrics } from "./plugins/metrics.js";
import { installTextGuard } from "./plugins/text-guard.js";
import { installPrincipal } from "./plugins/principal.js";
import { installRateLimit } from "./plugins/rate-limit.js";
import { docsCsp, installSecurityHeaders } from "./plugins/security-headers.js";
import { installRawBody } from "./plugins/raw-body.js";
import { genRequestId, installRequestId } from "./plugins/request-id.js";
import { requestLogger } from "./plugins/request-logger.js";
import { installValidation } from "./plugins/validation.js";
import { routeModules } from "./route-modules.js";

const API_VERSION = "0.1.0";

/** A hop count becomes the function Fastify would build from it (its types take no number). */
function trustProxy(t: Deps["config"]["trustProxy"]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof t === "number" ? (_address, hop) => hop < t : t;
}

interface BuildAppOptions {
  /**
   * "eager": every route's response serializers are built when the app gets ready, so a schema that
   * cannot compile stops the start, naming its route. "lazy" (the default, for the many apps tests
   * build): each is built on its route's first answer (plugins/lazy-serializers.ts).
   */
  serializers?: "lazy" | "eager";
}

export async function buildApp(deps: Deps, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: genRequestId,
    childLoggerFactory: requestLogger,
    requestIdHeader: false,
    // The client address (rate limits, sign-in lockouts) from X-Forwarded-For of trusted proxies only.
    trustProxy: trustProxy(deps.config.trustProxy),
    return503OnClosing: true,
    frameworkErrors,
    ...(options.serializers === "eager" ? {} : { schemaController: lazySerializers }),
    connectionTimeout: 30_000,
    requestTimeout: 30_000,
    // Typed as the default instance so plugins and route modules share one type; route modules
    // opt into schema-derived types with app.withTypeProvider<TypeBoxTypeProvider>().
  }) as unknown as FastifyInstance;

  // connectionTimeout cuts a socket that stays idle, before its first request or between requests.
  // A request being processed is not idle: without this, a request queued behind others on a busy
  // server for longer than that (500 concurrent creates) lost its socket and its client saw only a
  // reset, whatever the work did. Slow clients stay bounded by requestTimeout.
  app.addHook("onRequest", async (request) => {
    const socket = request.raw.socket as { setTimeout?: (ms: number) => unknown } | undefined;
    socket?.setTimeout?.(0); // inject()'s simulated socket has no timer
  });
  app.decorate("lifecycle", { draining: false });
  installValidation(app);
  installRawBody(app, deps.config.bodyLimitBytes);
  installPrincipal(app);
  installRequestId(app);
  installTextGuard(app);
  installSecurityHeaders(app);
  installMetrics(app, deps.metrics);
  installErrorHandling(app, renderDefaultError);
  installNotFoundHandling(app, renderDefaultError);
  await installRateLimit(app, deps.config.rateLimitPerMinute);

  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Rampart",
        version: API_VERSION,
        description:
          "Self-hosted fiat-to-crypto pay-in gateway. Three pay-in dialects (/v3, /payment/trading, /payment/intent) over one core.\n\n" +
          "Test mode: a test API key (`rmp_test_…`, POST /merchant/v1/keys with mode test) acts for the merchant's test twin, whose " +
          "payments, balances, webhooks and statements are its own and run on the sandbox adapters. Live-only routes refuse a test key " +
          "with 403 `live_mode_only`: /merchant/v1/keys (every method), POST /merchant/v1/withdrawals and POST /merchant/v1/withdrawal-addresses. " +
          "In a live installation POST /sandbox/bank-transfers takes test keys only (403 `test_mode_only`), and so does " +
          "GET /merchant/v1/test-messages, the SMS codes and e-mail links sent to the test twin's card customers.",
      },
      components: {
        securitySchemes: {
          apiKey: { type: "apiKey", in: "header", name: "x-api-key" },
          operatorKey: { type: "apiKey", in: "header", name: "x-operator-key" },
          traderKey: { type: "apiKey", in: "header", name: "x-trader-key" },
          bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true, transformStaticCSP: docsCsp });

  for (const mod of routeModules) {
    await app.register(async (scope) => mod(scope, deps));
  }
  return app;
}
