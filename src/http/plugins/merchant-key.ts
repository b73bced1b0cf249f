// The merchant's API key (x-api-key) for every area that takes it: the trading and intent dialects,
// /merchant/v1 and the sandbox bank feed. Reads (GET, HEAD) accept a read-only key; any other method
// changes something and needs a full one (authenticateMerchant refuses with 403 read_only_key).
import type { FastifyRequest } from "fastify";
import { authenticateMerchant, type KeyAccess, type MerchantPrincipal } from "../../app/auth/authenticate.js";
import type { Deps } from "../../app/deps.js";
import type { MaybeAsync } from "../../core/shared/maybe-async.js";

export const keyAccess = (method: string): KeyAccess => (method === "GET" || method === "HEAD" ? "read" : "write");

export function authenticateMerchantKey(deps: Deps, request: FastifyRequest): MaybeAsync<MerchantPrincipal> {
  const key = request.headers["x-api-key"];
  return authenticateMerchant(deps, typeof key === "string" ? key : undefined, keyAccess(request.method));
}
