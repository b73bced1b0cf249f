// The card pay-in dialect (vault.ist-compatible): each part in its own scope, so /oauth/token answers
// with OAuth2 error bodies and the rest with the dialect's envelope.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../../app/deps.js";
import { mobileRoutes, oauthRoutes, signoutRoutes } from "./auth-routes.js";
import { customerRoutes } from "./customer-routes.js";
import { payinRoutes } from "./payin-routes.js";
import { startCardSessionCache } from "../../../app/card/session-cache.js";

export async function cardRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  startCardSessionCache(deps);
  for (const part of [mobileRoutes, oauthRoutes, signoutRoutes, customerRoutes, payinRoutes]) {
    await app.register(async (scope) => part(scope, deps));
  }
}
