// Request-scoped principals of the card dialect: the merchant named by X-Merchant-ID (signup, confirm,
// token) and the customer behind a bearer token (everything else).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { authenticateCustomer, type CustomerPrincipal, requireMerchant } from "../../../app/card/customer-auth.js";
import type { Deps } from "../../../app/deps.js";

const customers = new WeakMap<FastifyRequest, CustomerPrincipal>();
const merchants = new WeakMap<FastifyRequest, string>();

export function customerOf(request: FastifyRequest): CustomerPrincipal {
  const c = customers.get(request);
  if (!c) throw new Error("customer hook did not run");
  return c;
}

export function merchantOf(request: FastifyRequest): string {
  const m = merchants.get(request);
  if (!m) throw new Error("merchant hook did not run");
  return m;
}

/** Bearer auth on every route of the scope, before the body is validated (401 before 400). */
export function requireCustomer(app: FastifyInstance, deps: Deps): void {
  app.addHook("onRequest", async (request) => {
    customers.set(request, await authenticateCustomer(deps, request.headers.authorization, request.headers["x-merchant-id"]));
  });
}

export function requireMerchantHeader(app: FastifyInstance, deps: Deps): void {
  app.addHook("onRequest", async (request) => {
    merchants.set(request, await requireMerchant(deps, request.headers["x-merchant-id"]));
  });
}

/** Idempotency-Key scopes: per customer on bearer routes, per merchant on signup/confirm. */
export const customerScope = (request: FastifyRequest) => `card-customer:${customerOf(request).customerId}`;
export const merchantScope = (request: FastifyRequest) => `card-merchant:${merchantOf(request)}`;
