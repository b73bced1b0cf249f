// Authenticates merchant API keys (x-api-key) and operator keys. Unknown and revoked keys take the
// same constant-time path as wrong ones, so timing does not reveal which key ids exist.
import { keyMatches, parseKey } from "../../core/crypto/api-keys.js";
import { findActiveApiKey, findActiveOperatorKey } from "../../db/credentials.js";
import { AppError } from "../../core/shared/errors.js";
import type { Deps } from "../deps.js";
import { apiKeyBox } from "../keys/api-key-box.js";
import { MERCHANT_KEY_PREFIX, OPERATOR_KEY_PREFIX } from "../keys/key-formats.js";

export interface MerchantPrincipal {
  merchantId: string;
  apiKeyId: string;
}

/**
 * Active merchant keys read from the database are reused for a few seconds per process, so a hot API
 * (status polling) does not pay a key lookup per request. The presented key is still compared with
 * the stored hash in constant time on every request; a revoked key stops working within the TTL.
 */
export const API_KEY_CACHE_TTL_MS = 5_000;
const API_KEY_CACHE_MAX = 10_000;
type CachedKey = { row: { id: string; merchant_id: string; key_hash: Buffer }; until: number };
const keyCaches = new WeakMap<object, Map<string, CachedKey>>();

async function activeApiKey(deps: Deps, id: string) {
  let cache = keyCaches.get(deps.database);
  if (!cache) keyCaches.set(deps.database, (cache = new Map()));
  const now = performance.now();
  const hit = cache.get(id);
  if (hit && hit.until > now) return hit.row;
  const row = await findActiveApiKey(deps.database.db, id);
  if (!row) {
    cache.delete(id);
    return undefined;
  }
  if (cache.size >= API_KEY_CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(id, { row, until: now + API_KEY_CACHE_TTL_MS });
  return row;
}

/** Drops a revoked key from this process's cache: it stops working here at once, elsewhere within the TTL. */
export function forgetCachedApiKey(deps: Deps, id: string): void {
  keyCaches.get(deps.database)?.delete(id);
}

export async function authenticateMerchant(deps: Deps, presented: string | undefined): Promise<MerchantPrincipal> {
  if (!presented) throw new AppError("unauthorized", { message: "Missing x-api-key header" });
  const parsed = parseKey(MERCHANT_KEY_PREFIX, presented);
  const row = parsed ? await activeApiKey(deps, parsed.id) : undefined;
  if (!keyMatches(presented, row?.key_hash ?? null) || !row) {
    throw new AppError("unauthorized", { message: "Invalid API key" });
  }
  return { merchantId: row.merchant_id, apiKeyId: row.id };
}

/** The plain merchant API key, for signing this merchant's trading webhooks. */
export async function merchantSigningKey(deps: Deps, apiKeyId: string): Promise<string | null> {
  const row = await findActiveApiKey(deps.database.db, apiKeyId);
  return row ? apiKeyBox(deps).decrypt(row.key_enc) : null;
}

export async function authenticateOperator(deps: Deps, presented: string | undefined): Promise<{ operatorKeyId: string }> {
  if (!presented) throw new AppError("unauthorized", { message: "Missing operator key" });
  const parsed = parseKey(OPERATOR_KEY_PREFIX, presented);
  const row = parsed ? await findActiveOperatorKey(deps.database.db, parsed.id) : undefined;
  if (!keyMatches(presented, row?.key_hash ?? null) || !row) {
    throw new AppError("unauthorized", { message: "Invalid operator key" });
  }
  return { operatorKeyId: row.id };
}
