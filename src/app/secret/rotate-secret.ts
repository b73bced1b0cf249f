// `rampart secret rotate`: re-encrypts every ciphertext that is not under the current secret (the
// previous secret's, and "k1" ones written before key ids were derived from the secret), in batches of
// one transaction each, then rewrites the key check. Run it once every process has been restarted with
// the new RAMPART_SECRET_KEY and the old one as RAMPART_PREVIOUS_SECRET_KEY; afterwards the previous
// key can be dropped.
import { type SecretBox, secretKeyId } from "../../core/crypto/secret-box.js";
import { type Ciphertext, ciphertextsNotUnder, countCiphertextsNotUnder, ENCRYPTED_COLUMNS, type EncryptedTable, replaceCiphertext } from "../../db/secret/ciphertexts.js";
import { panBox, panHmacs } from "../card/card-vault.js";
import type { Deps } from "../deps.js";
import { apiKeyBox } from "../keys/api-key-box.js";
import { ipnSecretBox } from "../intents/store-settings.js";
import { webhookSecretBox } from "../outbox/webhook-endpoints.js";
import { totpBox } from "../staff/second-factor.js";
import { rewriteKeyCheck, SecretKeyMismatchError } from "./key-check.js";

const BATCH_SIZE = 200;
/** Passes over the tables until none is left; a row still appearing after that is being written by a process on the old key. */
const MAX_PASSES = 3;

/** How each column is re-encrypted: its box, and the columns derived from the same secret. */
const COLUMNS: Record<EncryptedTable, { label: string; box(deps: Deps): SecretBox; derived?(deps: Deps, plain: string, box: SecretBox): Record<string, string> }> = {
  api_keys: { label: "merchant API keys", box: apiKeyBox },
  webhook_endpoints: { label: "webhook endpoint secrets", box: webhookSecretBox },
  webhook_endpoint_previous_secrets: { label: "webhook endpoint secrets in a rotation's overlap", box: webhookSecretBox },
  intent_store_settings: { label: "store IPN secrets", box: ipnSecretBox },
  card_cards: { label: "card numbers", box: panBox, derived: (deps, pan, box) => ({ pan_key_id: box.keyId, pan_hmac: panHmacs(deps, pan)[0]! }) },
  operator_users: { label: "staff TOTP secrets", box: totpBox },
  merchant_users: { label: "merchant users' TOTP secrets", box: totpBox },
};

export interface RotationProgress {
  label: string;
  done: number;
  total: number;
}

async function reencryptBatch(deps: Deps, table: EncryptedTable, rows: Ciphertext[]): Promise<number> {
  const spec = COLUMNS[table];
  const box = spec.box(deps);
  const updates = rows.map((row) => {
    let plain: string;
    try {
      plain = box.decrypt(row.enc);
    } catch {
      throw new SecretKeyMismatchError(
        `${table} ${ENCRYPTED_COLUMNS[table].key} ${row.key} opens with neither RAMPART_SECRET_KEY nor RAMPART_PREVIOUS_SECRET_KEY; set the previous key it was written with`,
      );
    }
    return { row, enc: box.encrypt(plain), extra: spec.derived?.(deps, plain, box) ?? {} };
  });
  return deps.database.db.transaction().execute(async (trx) => {
    let n = 0;
    for (const u of updates) if (await replaceCiphertext(trx, table, u.row, u.enc, u.extra)) n++;
    return n;
  });
}

/** Returns how many values were re-encrypted; `progress` is told after every batch. */
export async function rotateSecret(deps: Deps, progress: (p: RotationProgress) => void = () => {}): Promise<number> {
  const db = deps.database.db;
  const keyId = secretKeyId(deps.config.secretKey);
  let total = 0;
  for (let pass = 1; ; pass++) {
    let thisPass = 0;
    for (const table of Object.keys(COLUMNS) as EncryptedTable[]) {
      const count = await countCiphertextsNotUnder(db, table, keyId);
      if (count === 0) continue;
      let done = 0;
      for (let after: string | null = null; ; ) {
        const rows = await ciphertextsNotUnder(db, table, keyId, after, BATCH_SIZE);
        if (rows.length === 0) break;
        done += await reencryptBatch(deps, table, rows);
        after = rows[rows.length - 1]!.key;
        progress({ label: COLUMNS[table].label, done, total: count });
      }
      thisPass += done;
    }
    total += thisPass;
    const left = await Promise.all((Object.keys(COLUMNS) as EncryptedTable[]).map((t) => countCiphertextsNotUnder(db, t, keyId)));
    if (left.every((n) => n === 0)) break;
    if (pass === MAX_PASSES) {
      throw new SecretKeyMismatchError(
        `values are still being written under the old secret after ${pass} passes: restart every process with the new RAMPART_SECRET_KEY, then rotate again`,
      );
    }
  }
  await rewriteKeyCheck(db, deps.config, deps.clock.now());
  return total;
}
