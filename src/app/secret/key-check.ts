// The key check ties the server secret to the database (migration 0013): a known value encrypted under
// the secret that set the database up. Every process opens it before writing anything, so a worker,
// server or command given another secret stops at once instead of writing rows the others cannot read.
import { secretKeyId } from "../../core/crypto/secret-box.js";
import type { Db } from "../../db/schema.js";
import { findKeyCheck, insertKeyCheck, type KeyCheckRow, keyCheckTableExists, replaceKeyCheck } from "../../db/secret/key-check.js";
import { type SecretConfig, secretBox } from "./secret-boxes.js";

const KNOWN_VALUE = "rampart key check v1";

/** The secret does not open the database's key check. The message is one line for the operator. */
export class SecretKeyMismatchError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretKeyMismatchError";
  }
}

/**
 * Where the secret came from, for the error: the variable, or the generated file in the data dir,
 * with what to do about it.
 */
export interface SecretSource {
  name: string;
  remedy: string;
}

function opens(row: KeyCheckRow, config: SecretConfig): boolean {
  try {
    return secretBox(config, "key-check").decrypt(row.check_enc) === KNOWN_VALUE;
  } catch {
    return false;
  }
}

function assertOpens(row: KeyCheckRow, config: SecretConfig, source: SecretSource): void {
  if (opens(row, config)) return;
  throw new SecretKeyMismatchError(
    `${source.name} is not the secret this database was set up with (its key id is ${row.key_id}, this one's is ${secretKeyId(config.secretKey)}); ${source.remedy}`,
  );
}

/** Read only, before migrations run: a database without a key check yet passes. */
export async function verifySecretKey(db: Db, config: SecretConfig, source: SecretSource): Promise<void> {
  if (!(await keyCheckTableExists(db))) return;
  const row = await findKeyCheck(db);
  if (row) assertOpens(row, config, source);
}

/** After migrations: writes the check if this is the first process, then opens whatever is stored. */
export async function recordSecretKey(db: Db, config: SecretConfig, source: SecretSource): Promise<void> {
  const box = secretBox(config, "key-check");
  await insertKeyCheck(db, { key_id: box.keyId, check_enc: box.encrypt(KNOWN_VALUE) });
  assertOpens((await findKeyCheck(db))!, config, source);
}
/** The last step of a rotation: the check is rewritten under the current secret. */
export async function rewriteKeyCheck(db: Db, config: SecretConfig, now: Date): Promise<void> {
  const box = secretBox(config, "key-check");
  await replaceKeyCheck(db, { key_id: box.keyId, check_enc: box.encrypt(KNOWN_VALUE) }, now);
}
