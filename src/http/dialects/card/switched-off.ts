// The card dialect without a card acquirer (RAMPART_CARD_ACQUIRER=none): its routes stay registered
// (clients get an answer, not a 404) but answer 403 service_not_enabled in the dialect's own envelope
// (the OAuth2 shape on /oauth/token), and the OpenAPI document says so on each operation. Test mode
// (issue 19) is the exception: a test twin's payments use the sandbox acquirer whatever is configured
// (portsFor), so a request naming only test twins goes on to the route's own checks.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { bearerToken, merchantHeaderId } from "../../../app/card/customer-auth.js";
import { emailLinkMerchant } from "../../../app/card/customer-email.js";
import { signedTokenMerchant } from "../../../app/card/tokens.js";
import type { Deps } from "../../../app/deps.js";
import { isTestMerchant } from "../../../app/merchants/test-mode.js";
import { AppError } from "../../../core/shared/errors.js";

const NOTE =
  "**Switched off on this server**: no card acquirer is configured (RAMPART_CARD_ACQUIRER=none), so this route answers 403 " +
  "`service_not_enabled` in the card dialect's error envelope, except to a test merchant's customers (test mode).";

const EMAIL_LINK = "/v2/mobile/email/confirm";

/**
 * Every merchant the request names, before any route check: X-Merchant-ID, the bearer token's merchant
 * (signature checked) and, on the e-mail link, the merchant of the link's customer.
 */
async function namedMerchants(deps: Deps, request: FastifyRequest): Promise<(string | undefined)[]> {
  const named: (string | undefined)[] = [];
  const header = request.headers["x-merchant-id"];
  if (typeof header === "string" && header.trim() !== "") named.push(merchantHeaderId(header) ?? undefined);
  const token = bearerToken(request.headers.authorization);
  if (token !== undefined) named.push(signedTokenMerchant(deps, token));
  const query = request.query as { token?: unknown } | undefined;
  if (request.routeOptions.url === EMAIL_LINK && typeof query?.token === "string") named.push(await emailLinkMerchant(deps, query.token));
  return named;
}

/**
 * Call before the dialect's routes are registered: hooks reach only the routes added after them. A
 * request passes only when it names a merchant and every one it names is a test twin, so a live
 * merchant's id next to a test customer's token is refused too. A refresh_token grant without
 * X-Merchant-ID names none (its body is not read yet) and is refused.
 */
export function switchOffCardDialect(app: FastifyInstance, deps: Deps): void {
  app.addHook("onRoute", (route) => {
    const schema = route.schema ?? {};
    route.schema = { ...schema, description: schema.description ? `${NOTE}\n\n${schema.description}` : NOTE };
  });
  app.addHook("onRequest", async (request) => {
    const named = await namedMerchants(deps, request);
    if (named.length > 0 && (await allTestTwins(deps, named))) return;
    throw new AppError("service_not_enabled", { message: "Card payments are not enabled on this server." });
  });
}

async function allTestTwins(deps: Deps, ids: (string | undefined)[]): Promise<boolean> {
  for (const id of ids) if (id === undefined || !(await isTestMerchant(deps, id))) return false;
  return true;
}
