// The card dialect's auth hooks: the merchant named by X-Merchant-ID (signup, confirm, token) and the
// customer behind a bearer token (everything else), set as the request's principal.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticateCustomer, type CustomerPrincipal, requireMerchant } from "../../../app/card/customer-auth.js";
import type { Deps } from "../../../app/deps.js";
import { principalOf } from "../../plugins/principal.js";

export const customerOf = (request: FastifyRequest): CustomerPrincipal => principalOf(request, "card_customer");

export const merchantOf = (request: FastifyRequest): string => principalOf(request, "card_merchant").merchantId;

/** Bearer auth on every route of the scope, before the body is validated (401 before 400). */
export function requireCustomer(app: FastifyInstance, deps: Deps): void {
  app.addHook("onRequest", async (request) => {
    const customer = await authenticateCustomer(deps, request.headers.authorization, request.headers["x-merchant-id"]);
    request.principal = { kind: "card_customer", ...customer };
  });
}

export function requireMerchantHeader(app: FastifyInstance, deps: Deps): void {
  app.addHook("onRequest", async (request) => {
    request.principal = { kind: "card_merchant", merchantId: await requireMerchant(deps, request.headers["x-merchant-id"]) };
  });
}

/** Idempotency-Key scopes: per customer on bearer routes, per merchant on signup/confirm. */
export const customerScope = (request: FastifyRequest) => `card-customer:${customerOf(request).customerId}`;
export const merchantScope = (request: FastifyRequest) => `card-merchant:${merchantOf(request)}`;
