// Creating credentials: the plain key is returned once; only its hash (and, for merchant keys, an
// encrypted copy used solely to sign webhooks) is stored.
import { AppError } from "../../core/shared/errors.js";
import { printableText } from "../../core/shared/printable-text.js";
import type { OperatorRole } from "../../core/staff/roles.js";
import { generateKey, hashKey, type ParsedKey } from "../../core/crypto/api-keys.js";
import { findMerchant, insertApiKey, insertOperatorKey } from "../../db/credentials.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { apiKeyBox } from "./api-key-box.js";
import { MERCHANT_KEY_PREFIX, OPERATOR_KEY_PREFIX, TEST_MERCHANT_KEY_PREFIX } from "./key-formats.js";

/** Stores a merchant key with `db`: the caller's transaction when the key is part of a larger write. */
export async function storeMerchantKey(deps: Deps, merchantId: string, key: ParsedKey, label = "", db: Db = deps.database.db, readOnly = false): Promise<void> {
  await insertApiKey(db, {
    id: key.id,
    merchantId,
    keyHash: hashKey(key.key),
    keyEnc: apiKeyBox(deps).encrypt(key.key),
    label,
    readOnly,
  });
}

export async function createMerchantKey(deps: Deps, merchantId: string, label = ""): Promise<string> {
  if (!(await findMerchant(deps.database.db, merchantId))) {
    throw new AppError("not_found", { message: `No merchant ${merchantId}`, field: "merchant" });
  }
  // In a transaction, as every operator write: an audited CLI command's entry commits with it.
  return (await deps.database.db.transaction().execute((trx) => issueMerchantKey(deps, merchantId, label, trx))).key;
}

/**
 * A new key for a merchant the caller has found; its id (to list or revoke it) and the plain key. A
 * read-only key may only read; `test` prints `rmp_test_…` and is for a test twin (app/merchants/test-mode.ts).
 */
export async function issueMerchantKey(deps: Deps, merchantId: string, label = "", db: Db = deps.database.db, readOnly = false, test = false): Promise<ParsedKey> {
  const key = generateKey(test ? TEST_MERCHANT_KEY_PREFIX : MERCHANT_KEY_PREFIX);
  await storeMerchantKey(deps, merchantId, key, label, db, readOnly);
  return key;
}

const OPERATOR_NAME_MAX = 200;

/** An operator key (`rampart operator create --name`, tests) with its role: the plain key, shown once; only its hash is stored. */
export async function createOperatorKey(deps: Deps, label = "", role: OperatorRole = "admin"): Promise<string> {
  if (label !== "" && printableText(label, OPERATOR_NAME_MAX) === null) {
    throw new AppError("validation_failed", { field: "name", message: `The name must be 1 to ${OPERATOR_NAME_MAX} printable characters.` });
  }
  const key = generateKey(OPERATOR_KEY_PREFIX);
  await deps.database.db.transaction().execute((trx) => insertOperatorKey(trx, { id: key.id, keyHash: hashKey(key.key), label, role }));
  return key.key;
}
