// Who a request acts for: one typed request decoration, set by the auth hook of the route scope (API
// key, operator key or dashboard session, trader key or cabinet session, card bearer token or
// X-Merchant-ID) and read by its handlers with principalOf(request, kind). A handler asking for a
// kind its scope's hook does not set is a programming error (a 500), never another caller's identity.
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { MerchantPrincipal } from "../../app/auth/authenticate.js";
import type { CustomerPrincipal } from "../../app/card/customer-auth.js";
import type { MerchantRole } from "../../core/merchant-users/roles.js";
import type { OperatorRole } from "../../core/staff/roles.js";

export type Principal =
  /** x-api-key: the trading and intent dialects, the sandbox bank feed. */
  | ({ kind: "merchant" } & MerchantPrincipal)
  /** The card dialect's bearer token. */
  | ({ kind: "card_customer" } & CustomerPrincipal)
  /** The card dialect's X-Merchant-ID (signup, confirm, token). */
  | { kind: "card_merchant"; merchantId: string }
  /**
   * x-operator-key (admin API, sandbox feed; `operatorId` is the key's id) or a console session
   * (`operatorId` is the staff account's id; `session` its cookie token, which keys the forms' CSRF
   * check; null for a key). Either way one role decides what it may do.
   */
  | { kind: "operator"; operatorId: string; role: OperatorRole; name: string; session: string | null }
  /**
   * A merchant portal session (/merchant): the person, the merchant it acts for and role; `session` keys
   * the forms' CSRF check. In test mode (`test`) merchantId is the test twin's, liveMerchantId the person's own.
   */
  | { kind: "merchant_user"; userId: string; merchantId: string; liveMerchantId: string; test: boolean; role: MerchantRole; name: string; session: string }
  /** x-trader-key (trader API). */
  | { kind: "trader"; traderId: string }
  /** The trader cabinet's session cookie; its token keys the forms' CSRF check. */
  | { kind: "trader_session"; traderId: string; token: string };

export type PrincipalKind = Principal["kind"];

declare module "fastify" {
  interface FastifyRequest {
    /** Null until the scope's auth hook has authenticated the caller. */
    principal: Principal | null;
  }
}

export function installPrincipal(app: FastifyInstance): void {
  app.decorateRequest("principal", null);
}

export function principalOf<K extends PrincipalKind>(request: FastifyRequest, kind: K): Extract<Principal, { kind: K }> {
  const p = request.principal;
  if (p?.kind !== kind) throw new Error(`expected a principal of kind ${kind}, found ${p?.kind ?? "none"}: the scope's auth hook did not run`);
  return p as Extract<Principal, { kind: K }>;
}
