// Merchants for the operator API: create one with its first API key, list them and their stores, and
// issue or revoke keys. A plain key is returned once, by the call that makes it; only its hash and an
// encrypted copy (which signs trading webhooks) are stored.
import { AppError } from "../../core/shared/errors.js";
import { printableText } from "../../core/shared/printable-text.js";
import { isUuid } from "../../core/shared/uuid.js";
import { findMerchant, listApiKeys, revokeApiKey } from "../../db/credentials.js";
import { insertMerchant, listMerchants } from "../../db/merchants.js";
import { listMerchantStores } from "../../db/stores.js";
import { apiKeyChanging } from "../auth/api-key-cache.js";
import type { Deps } from "../deps.js";
import { issueMerchantKey } from "../keys/create-keys.js";
import { invalidCursor, pageOf, pageSize } from "../../core/shared/page-size.js";
import { ensureTestTwin, type KeyMode } from "./test-mode.js";

export const MAX_PAGE = 100;
/** The merchant view lists this many of its keys, newest first. */
const MAX_KEYS_SHOWN = 100;
export const MERCHANT_NAME_MAX = 200;

const notFound = () => new AppError("not_found", { message: "Merchant not found" });

/**
 * The merchant's row; a malformed id names no merchant, so it is 404 like an unknown one. A test twin
 * (test-mode.ts) is 404 too unless orTwin: the operator's merchant routes serve live merchants only (a
 * twin is configured by its merchant's own test key); only the merchant's own routes, acting for the
 * twin, pass orTwin.
 */
export async function merchantOr404(deps: Deps, merchantId: string, orTwin = false) {
  const id = merchantId.toLowerCase();
  const row = isUuid(id) ? await findMerchant(deps.database.db, id) : undefined;
  if (!row || (row.test_of !== null && !orTwin)) throw notFound();
  return row;
}

function checkName(raw: string): string {
  const name = printableText(raw, MERCHANT_NAME_MAX);
  if (name === null) throw new AppError("validation_failed", { field: "name", message: `name must be 1 to ${MERCHANT_NAME_MAX} printable characters.` });
  return name;
}

interface CreatedMerchant {
  merchantId: string;
  name: string;
  createdAt: Date;
  apiKeyId: string;
  /** The plain key: shown only in this answer. */
  apiKey: string;
}

/**
 * The merchant and its first key in one transaction. An id chosen by the operator makes a retry safe:
 * taken, it is 409 `conflict` and nothing is written (the first call's key is not shown again).
 */
export async function createMerchant(deps: Deps, input: { id?: string; name: string }): Promise<CreatedMerchant> {
  const name = checkName(input.name);
  const id = input.id?.toLowerCase() ?? deps.ids.uuid();
  if (!isUuid(id)) throw new AppError("validation_failed", { field: "id", message: "id must be a uuid." });
  const createdAt = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    if (!(await insertMerchant(trx, { id, name, createdAt }))) {
      throw new AppError("conflict", { field: "id", message: `A merchant with id ${id} already exists.` });
    }
    const key = await issueMerchantKey(deps, id, "first key", trx);
    return { merchantId: id, name, createdAt, apiKeyId: key.id, apiKey: key.key };
  });
}

/** Cursor pagination, newest first: `nextCursor` (the last merchant's id) is null on the last page. */
export async function merchantsPage(deps: Deps, q: { cursor?: string; limit?: number }) {
  if (q.cursor !== undefined && !isUuid(q.cursor)) throw invalidCursor();
  const limit = pageSize(q.limit, 50, MAX_PAGE);
  const rows = await listMerchants(deps.database.db, { ...(q.cursor !== undefined ? { afterId: q.cursor.toLowerCase() } : {}), limit: limit + 1 });
  if (!rows) throw invalidCursor();
  return pageOf(rows, limit, (m) => m.id);
}

/** One merchant with its newest keys (id, label, created, revoked; never the key); orTwin as merchantOr404. */
export async function merchantDetail(deps: Deps, merchantId: string, orTwin = false) {
  const m = await merchantOr404(deps, merchantId, orTwin);
  return { merchant: m, apiKeys: await listApiKeys(deps.database.db, m.id, MAX_KEYS_SHOWN) };
}

/** The merchant's stores, newest first, same cursor rules as merchantsPage (the cursor is a store id). */
export async function merchantStoresPage(deps: Deps, merchantId: string, q: { cursor?: string; limit?: number }) {
  const m = await merchantOr404(deps, merchantId);
  const limit = pageSize(q.limit, 50, MAX_PAGE);
  const rows = await listMerchantStores(deps.database.db, m.id, { ...(q.cursor !== undefined ? { afterId: q.cursor } : {}), limit: limit + 1 });
  if (!rows) throw invalidCursor();
  return pageOf(rows, limit, (s) => s.id);
}

export const KEY_LABEL_MAX = 100;

/**
 * Another key for the merchant (keys are independent: issuing one revokes none), by the operator or
 * the merchant itself (POST /merchant/v1/keys); a label, when given, is 1 to 100 printable characters.
 * A test key belongs to the merchant's test twin, made with it the first time (test-mode.ts); a twin
 * has no twin, so a test key is asked of the live merchant.
 */
export async function addMerchantKey(deps: Deps, merchantId: string, label: string, readOnly = false, mode: KeyMode = "live") {
  const m = await merchantOr404(deps, merchantId);
  if (label !== "" && printableText(label, KEY_LABEL_MAX) === null) {
    throw new AppError("validation_failed", { field: "label", message: `label must be 1 to ${KEY_LABEL_MAX} printable characters.` });
  }
  // In a transaction, as every operator write: its audit entry commits with it (db/audit/audit-scope.ts).
  const key = await deps.database.db.transaction().execute(async (trx) => {
    const owner = mode === "test" ? (await ensureTestTwin(deps, trx, m)).id : m.id;
    return issueMerchantKey(deps, owner, label, trx, readOnly, mode === "test");
  });
  return { merchantId: m.id, apiKeyId: key.id, apiKey: key.key, label, readOnly, mode };
}

/**
 * Revokes one of the merchant's keys; revoking it again keeps the first time. Another merchant's key
 * is 404. The key stops working in this process at once and in every other one as soon as the
 * revocation's notification arrives (api-key-cache.ts). orTwin as merchantOr404.
 */
export async function revokeMerchantKey(deps: Deps, merchantId: string, keyId: string, orTwin = false) {
  const m = await merchantOr404(deps, merchantId, orTwin);
  apiKeyChanging(deps, keyId);
  const row = await deps.database.db.transaction().execute((trx) => revokeApiKey(trx, m.id, keyId, deps.clock.now()));
  if (!row) throw new AppError("not_found", { message: "API key not found" });
  return { merchantId: m.id, apiKeyId: row.id, revokedAt: row.revoked_at! };
}
