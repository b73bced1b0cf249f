// /merchant/v1: the merchant's self-service API (issue 19), authenticated by its API key (x-api-key)
// like the dialects. Reads accept a read-only key; every other request needs a full one. Each area
// registers its routes in this one scope: settings, payments, balance and statement, keys, withdrawals, webhook endpoints, test mode's inbox. (Risk rules
// are /merchant/v1/risk, merchant-risk-routes.ts.)
import type { FastifyInstance } from "fastify";
import { startApiKeyCache } from "../../app/auth/api-key-cache.js";
import type { Deps } from "../../app/deps.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { authenticateMerchantKey } from "../plugins/merchant-key.js";
import { merchantBalanceRoutes } from "./balance-routes.js";
import { merchantKeyRoutes } from "./key-routes.js";
import { merchantPaymentRoutes } from "./payment-routes.js";
import { merchantWithdrawalRoutes } from "../withdrawals/withdrawal-routes.js";
import { merchantSettingsRoutes } from "./settings-routes.js";
import { merchantTestMessageRoutes } from "./test-message-routes.js";
import { merchantWebhookEndpointRoutes } from "./webhook-endpoint-routes.js";
import { AppError } from "../../core/shared/errors.js";

/**
 * What a test key may not do (403 live_mode_only, listed in the OpenAPI description, build-app.ts):
 * mint or revoke credentials, and anything that sends money out (a withdrawal, the address it goes to).
 */
function isLiveOnly(method: string, url: string | undefined): boolean {
  if (url === undefined) return false;
  if (url === "/merchant/v1/keys" || url.startsWith("/merchant/v1/keys/")) return true;
  return method === "POST" && (url === "/merchant/v1/withdrawals" || url === "/merchant/v1/withdrawal-addresses");
}

export async function merchantRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(
    async (app) => {
      installErrorHandling(app, renderDefaultError);
      startApiKeyCache(deps);
      // Authenticate before the body is read: a caller without a key learns nothing about the schema,
      // not even that its JSON is malformed (401 before 400).
      app.addHook("onRequest", async (request) => {
        const principal = await authenticateMerchantKey(deps, request);
        request.principal = { kind: "merchant", ...principal };
        if (principal.test && isLiveOnly(request.method, request.routeOptions.url)) throw new AppError("live_mode_only");
      });
      // Every change a key makes here (settings, keys, webhook endpoints, withdrawals) writes one audit
      // entry with the actor merchant-key:<key id>, in the transaction of the change (plugins/audit-scope.ts).
      auditOperatorActions(app, deps, "merchant_api", "/merchant/v1/");
      await merchantSettingsRoutes(app, deps);
      await merchantKeyRoutes(app, deps);
      await merchantPaymentRoutes(app, deps);
      await merchantBalanceRoutes(app, deps);
      merchantWithdrawalRoutes(app, deps);
      await merchantWebhookEndpointRoutes(app, deps);
      await merchantTestMessageRoutes(app, deps);
    },
    { prefix: "/merchant/v1" },
  );
}
