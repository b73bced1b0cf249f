// The card pay-in dialect (vault.ist-compatible): each part in its own scope, so /oauth/token answers
// with OAuth2 error bodies and the rest with the dialect's envelope.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { accountRoutes, emailConfirmRoutes } from "./account-routes.js";
import { mobileRoutes, oauthRoutes, signoutRoutes } from "./auth-routes.js";
import { customerRoutes } from "./customer-routes.js";
import { historyRoutes } from "./history-routes.js";
import { payinRoutes } from "./payin-routes.js";
import { unsupportedRoutes } from "./unsupported-routes.js";
import { startCardSessionCache } from "../../../app/card/session-cache.js";
import { startRiskRuleCache } from "../../../app/risk/rule-cache.js";
import { switchOffCardDialect } from "./switched-off.js";

export async function cardRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  // Off for live merchants without an acquirer; a test twin's customers still use it (switched-off.ts).
  if (deps.config.ports.cardAcquirer === "none") switchOffCardDialect(app, deps);
  startCardSessionCache(deps);
  startRiskRuleCache(deps);
  for (const part of [mobileRoutes, oauthRoutes, signoutRoutes, accountRoutes, emailConfirmRoutes, customerRoutes, historyRoutes, payinRoutes, unsupportedRoutes]) {
    await app.register(async (scope) => part(scope, deps));
  }
}
