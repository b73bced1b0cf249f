// Rotating the server secret: everything encrypted under the old secret (merchant API key copies,
// webhook endpoint secrets, store IPN secrets, card numbers with their HMACs, and "k1" ciphertexts
// written before key ids were derived from the secret) is re-encrypted, after which the new secret
// alone opens every value and the key check, and the old one alone is refused.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createSecretBox, secretKeyId } from "../../src/core/crypto/secret-box.js";
import { panBox, panHmacs } from "../../src/app/card/card-vault.js";
import type { Deps } from "../../src/app/deps.js";
import { ipnSecretBox } from "../../src/app/intents/store-settings.js";
import { apiKeyBox } from "../../src/app/keys/api-key-box.js";
import { createMerchantKey } from "../../src/app/keys/create-keys.js";
import { webhookSecretBox } from "../../src/app/outbox/webhook-endpoints.js";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { recordSecretKey, SecretKeyMismatchError, verifySecretKey } from "../../src/app/secret/key-check.js";
import { rotateSecret, type RotationProgress } from "../../src/app/secret/rotate-secret.js";
import { setWebhookEndpointSecret } from "../../src/app/outbox/webhook-endpoints.js";
import { totpBox } from "../../src/app/staff/second-factor.js";
import { findCardByHmac } from "../../src/db/card/cards.js";
import { ENCRYPTED_COLUMNS, type EncryptedTable } from "../../src/db/secret/ciphertexts.js";
import { addCard, CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";
import { createStaff } from "../support/staff.js";

const NEW_KEY = "the-new-secret-key-9876543210fedcba9876543210fedcba";
const SOURCE = { name: "RAMPART_SECRET_KEY", remedy: "use the right one" };
const BOXES = { api_keys: apiKeyBox, webhook_endpoints: webhookSecretBox, webhook_endpoint_previous_secrets: webhookSecretBox, intent_store_settings: ipnSecretBox, card_cards: panBox, operator_users: totpBox, merchant_users: totpBox };
const PAN = "4242424242424242";

let h: Harness;
before(async () => {
  h = await createHarness({ env: CARD_TEST_ENV });
});
after(async () => h?.close());

function withKeys(secretKey: string, previousSecretKey: string | null): Deps {
  return { ...h.deps, config: { ...h.deps.config, secretKey, previousSecretKey } };
}

/** Every encrypted value as `table/key → plaintext`, opened by `deps`' boxes; and every ciphertext's key id. */
async function openEverything(deps: Deps): Promise<{ plain: Map<string, string>; keyIds: Set<string> }> {
  const plain = new Map<string, string>();
  const keyIds = new Set<string>();
  for (const [table, { key, column }] of Object.entries(ENCRYPTED_COLUMNS) as [EncryptedTable, { key: string; column: string }][]) {
    const rows = await sql<{ k: string; enc: string }>`select ${sql.ref(key)}::text as k, ${sql.ref(column)} as enc from ${sql.table(table)} where ${sql.ref(column)} is not null`.execute(h.deps.database.db);
    for (const r of rows.rows) {
      plain.set(`${table}/${r.k}`, BOXES[table](deps).decrypt(r.enc));
      keyIds.add(r.enc.split(".")[1]!);
    }
  }
  return { plain, keyIds };
}

test("every *_enc column of the schema is listed for rotation", async () => {
  const cols = await sql<{ t: string; c: string }>`
    select table_name as t, column_name as c from information_schema.columns
    where table_schema = 'public' and column_name like '%\\_enc' and table_name <> 'secret_key_check' order by 1`.execute(h.deps.database.db);
  assert.deepEqual(
    cols.rows.map((r) => `${r.t}.${r.c}`).sort(),
    Object.entries(ENCRYPTED_COLUMNS).map(([t, { column }]) => `${t}.${column}`).sort(),
  );
});

test("rotate re-encrypts every value in batches; then the new key alone opens them and the old one is refused", async () => {
  const oldDeps = h.deps;
  // Data under the old key: the sandbox merchant (API key copy, IPN secret), a webhook endpoint, a card, a staff TOTP secret.
  const creds = await seedSandbox(oldDeps);
  await setWebhookEndpointSecret(oldDeps, oldDeps.database.db, { merchantId: creds.merchantId, url: "https://merchant.example/hook", secret: "whsec_rotation" });
  await seedCardPairs(oldDeps);
  const who = await registerCustomer(h.app, creds.merchantId);
  const cardId = await addCard(h.app, who, PAN);
  await createMerchantKey(oldDeps, creds.merchantId, "second");
  await createStaff(h, "admin");
  // A ciphertext from before key ids were derived from the secret.
  const legacy = createSecretBox("api-key", { id: "k1", secret: TEST_SECRET_KEY }).encrypt(creds.merchantKey.key);
  await h.deps.database.db.updateTable("api_keys").set({ key_enc: legacy }).where("id", "=", creds.merchantKey.id).execute();
  await recordSecretKey(oldDeps.database.db, oldDeps.config, SOURCE);

  const before = await openEverything(oldDeps);
  assert.ok(before.plain.size >= 5, `values to rotate: ${[...before.plain.keys()].join(", ")}`);
  assert.deepEqual([...before.keyIds].sort(), ["k1", secretKeyId(TEST_SECRET_KEY)].sort());

  const rotating = withKeys(NEW_KEY, TEST_SECRET_KEY);
  await verifySecretKey(rotating.database.db, rotating.config, SOURCE); // the previous key opens the check
  const progress: RotationProgress[] = [];
  const n = await rotateSecret(rotating, (p) => progress.push(p));
  assert.equal(n, before.plain.size);
  for (const label of ["merchant API keys", "webhook endpoint secrets", "store IPN secrets", "card numbers", "staff TOTP secrets"]) {
    const last = progress.filter((p) => p.label === label).pop();
    assert.ok(last && last.done === last.total && last.total > 0, `progress for ${label}: ${JSON.stringify(progress)}`);
  }

  const newOnly = withKeys(NEW_KEY, null);
  const afterRotation = await openEverything(newOnly);
  assert.deepEqual(afterRotation.plain, before.plain);
  assert.deepEqual([...afterRotation.keyIds], [secretKeyId(NEW_KEY)]);
  await verifySecretKey(newOnly.database.db, newOnly.config, SOURCE);
  await assert.rejects(verifySecretKey(oldDeps.database.db, oldDeps.config, SOURCE), SecretKeyMismatchError);

  // The card's HMAC moved too: the new key alone finds the card again (a second add is a duplicate).
  const customer = await h.deps.database.db.selectFrom("card_cards").select("customer_id").where("id", "=", String(cardId)).executeTakeFirstOrThrow();
  const found = await findCardByHmac(h.deps.database.db, customer.customer_id, panHmacs(newOnly, PAN));
  assert.equal(String(found?.id), String(cardId));

  assert.equal(await rotateSecret(newOnly), 0, "a second run finds nothing left");
});
