// Every HTTP area registers here, each in its own encapsulated scope.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../app/deps.js";
import { cardRoutes } from "./dialects/card/card-routes.js";
import { adminRoutes } from "./admin/admin-routes.js";
import { cabinetRoutes } from "./pages/cabinet/cabinet-routes.js";
import { checkoutRoutes } from "./pages/checkout/checkout-routes.js";
import { dashboardRoutes } from "./dashboard/dashboard-routes.js";
import { intentRoutes } from "./dialects/intent/intent-routes.js";
import { opsRoutes } from "./ops/ops-routes.js";
import { kycPageRoutes } from "./pages/kyc/kyc-page-routes.js";
import { tradingRoutes } from "./dialects/trading/trading-routes.js";
import { payPageRoutes } from "./pages/pay/pay-routes.js";
import { threeDsRoutes } from "./pages/threeds/three-ds-routes.js";
import { sandboxBankFeedRoutes } from "./sandbox/bank-transfer-routes.js";
import { traderRoutes } from "./trader/trader-routes.js";
import { merchantRiskRoutes } from "./risk/merchant-risk-routes.js";
import { traderWithdrawalRoutes } from "./withdrawals/withdrawal-routes.js";
import { merchantRoutes } from "./merchant/merchant-routes.js";
import { portalRoutes } from "./portal/portal-routes.js";

export type RouteModule = (app: FastifyInstance, deps: Deps) => Promise<void>;

export const routeModules: RouteModule[] = [
  opsRoutes,
  dashboardRoutes,
  adminRoutes,
  tradingRoutes,
  traderRoutes,
  sandboxBankFeedRoutes,
  payPageRoutes,
  cardRoutes,
  threeDsRoutes,
  intentRoutes,
  kycPageRoutes,
  checkoutRoutes,
  cabinetRoutes,
  merchantRiskRoutes,
  traderWithdrawalRoutes,
  merchantRoutes,
  portalRoutes,
];
