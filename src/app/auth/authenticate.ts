// Authenticates merchant API keys (x-api-key) and operator keys. Unknown and revoked keys take the
// same constant-time path as wrong ones, so timing does not reveal which key ids exist.
import { keyMatches, parseKey } from "../../core/crypto/api-keys.js";
import { findActiveApiKey, findActiveOperatorKey } from "../../db/credentials.js";
import { AppError } from "../../core/shared/errors.js";
import { type MaybeAsync, thenMaybe } from "../../core/shared/maybe-async.js";
import { isOperatorRole, type OperatorRole } from "../../core/staff/roles.js";
import type { Deps } from "../deps.js";
import { apiKeyBox } from "../keys/api-key-box.js";
import { readActiveApiKey } from "./api-key-cache.js";
import { MERCHANT_KEY_PREFIX, OPERATOR_KEY_PREFIX, TEST_MERCHANT_KEY_PREFIX } from "../keys/key-formats.js";

export interface MerchantPrincipal {
  merchantId: string;
  apiKeyId: string;
  /** The key's label, set at creation and never changed (the audit log names the key by it). */
  label: string;
  /** A test key (`rmp_test_…`): merchantId is the merchant's test twin (app/merchants/test-mode.ts). */
  test: boolean;
}

/** What a request does with the key: a read-only key may only read (docs/merchant-api.md#keys). */
export type KeyAccess = "read" | "write";

/**
 * The merchant of a presented key. Every caller says what the request does, so no route can forget
 * the read-only rule: `write` with a read-only key is 403 read_only_key (after the key is proven).
 */
export function authenticateMerchant(deps: Deps, presented: string | undefined, access: KeyAccess): MaybeAsync<MerchantPrincipal> {
  if (!presented) throw new AppError("unauthorized", { message: "Missing x-api-key header" });
  const parsed = parseKey(MERCHANT_KEY_PREFIX, presented) ?? parseKey(TEST_MERCHANT_KEY_PREFIX, presented);
  // Active keys come from a cache kept exact across processes (api-key-cache.ts), at once on a hit.
  return thenMaybe(parsed ? readActiveApiKey(deps, parsed.id) : undefined, (row) => {
    // The hash covers the prefix, so a key cannot change its mode by being presented with the other one.
    if (!keyMatches(presented, row?.key_hash ?? null) || !row) {
      throw new AppError("unauthorized", { message: "Invalid API key" });
    }
    if (access === "write" && row.read_only) throw new AppError("read_only_key");
    return { merchantId: row.merchant_id, apiKeyId: row.id, label: row.label, test: row.test };
  });
}

/** The plain merchant API key, for signing this merchant's trading webhooks. */
export async function merchantSigningKey(deps: Deps, apiKeyId: string): Promise<string | null> {
  const row = await findActiveApiKey(deps.database.db, apiKeyId);
  return row ? apiKeyBox(deps).decrypt(row.key_enc) : null;
}

/** An operator API key's id, role and name (the audit log shows the name). */
interface OperatorKeyPrincipal {
  operatorId: string;
  role: OperatorRole;
  name: string;
}

export async function authenticateOperator(deps: Deps, presented: string | undefined): Promise<OperatorKeyPrincipal> {
  if (!presented) throw new AppError("unauthorized", { message: "Missing operator key" });
  const parsed = parseKey(OPERATOR_KEY_PREFIX, presented);
  const row = parsed ? await findActiveOperatorKey(deps.database.db, parsed.id) : undefined;
  if (!keyMatches(presented, row?.key_hash ?? null) || !row || !isOperatorRole(row.role)) {
    throw new AppError("unauthorized", { message: "Invalid operator key" });
  }
  return { operatorId: row.id, role: row.role, name: row.label };
}
