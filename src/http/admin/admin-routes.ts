// The operator API under /admin/v1 (header x-operator-key; each key has a role, admin-permissions.ts). Each area adds a sub-module to
// `adminSubRoutes`; every one is registered inside this authenticated scope with Rampart's own error
// envelope, so sub-modules only declare routes.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { authenticateOperator } from "../../app/auth/authenticate.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { requirePermission, routePermission } from "../plugins/permissions.js";
import type { RouteModule } from "../route-modules.js";
import { adminDefaultPermission } from "./admin-permissions.js";
import { auditAdminRoutes } from "./audit-admin-routes.js";
import { bankStatementAdminRoutes } from "./bank-statement-admin-routes.js";
import { cardAdminRoutes } from "./card-admin-routes.js";
import { customerAdminRoutes } from "./customer-admin-routes.js";
import { kycAdminRoutes } from "./kyc-admin-routes.js";
import { merchantAdminRoutes } from "./merchant-admin-routes.js";
import { paymentAdminRoutes } from "./payment-admin-routes.js";
import { payoutAdminRoutes } from "./payout-admin-routes.js";
import { riskAdminRoutes } from "./risk-admin-routes.js";
import { storeAdminRoutes } from "./store-admin-routes.js";
import { tradingAdminRoutes } from "./trading-admin-routes.js";
import { tradingCatalogueRoutes } from "./trading-catalogue-routes.js";
import { unmatchedTransferAdminRoutes } from "./unmatched-transfer-admin-routes.js";
import { webhookAdminRoutes } from "./webhook-admin-routes.js";
import { withdrawalAdminRoutes } from "./withdrawal-admin-routes.js";

const ADMIN_PREFIX = "/admin/v1";

const adminSubRoutes: RouteModule[] = [
  merchantAdminRoutes,
  webhookAdminRoutes,
  kycAdminRoutes,
  storeAdminRoutes,
  cardAdminRoutes,
  payoutAdminRoutes,
  bankStatementAdminRoutes,
  riskAdminRoutes,
  unmatchedTransferAdminRoutes,
  paymentAdminRoutes,
  customerAdminRoutes,
  auditAdminRoutes,
  withdrawalAdminRoutes,
];

/** Mounted under /admin/v1/trading. */
const tradingAdminSubRoutes: RouteModule[] = [tradingAdminRoutes, tradingCatalogueRoutes];

export async function adminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(
    async (app) => {
      installErrorHandling(app, renderDefaultError);
      app.addHook("onRequest", async (request) => {
        const key = request.headers["x-operator-key"];
        request.principal = { kind: "operator", session: null, ...(await authenticateOperator(deps, typeof key === "string" ? key : undefined)) };
      });
      // Before the body is validated or the handler runs: the key's role must hold the route's permission (403 role_forbidden).
      app.addHook("preValidation", async (request) => requirePermission(request, routePermission(request, adminDefaultPermission(request))));
      // Each state-changing route that gets this far writes one audit entry with its change.
      auditOperatorActions(app, deps, "api", `${ADMIN_PREFIX}/`);
      for (const sub of adminSubRoutes) await app.register((inner) => sub(inner, deps));
      for (const sub of tradingAdminSubRoutes) await app.register((inner) => sub(inner, deps), { prefix: "/trading" });
    },
    { prefix: ADMIN_PREFIX },
  );
}
