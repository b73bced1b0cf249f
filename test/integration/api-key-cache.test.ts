// Merchant API keys are checked through a per-process cache that the database keeps exact with NOTIFY
// at commit (migrations/0013_api_key_notify.sql). These tests revoke keys behind the API's back (as
// another process or an operator's SQL would) and check the cache is used and never outlives a change.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { API_KEY_CHANNEL } from "../../src/app/auth/api-key-cache.js";
import { authenticateMerchant } from "../../src/app/auth/authenticate.js";
import { revokeMerchantKey } from "../../src/app/merchants/merchants.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";

let h: Harness;
let keys: ChannelFollower;
before(async () => {
  h = await createHarness(); // its merchant routes start the key cache
  keys = await followChannel(h.deps.database, API_KEY_CHANNEL);
});
after(async () => {
  await keys.stop();
  await h.close();
});

const unauthorized = (e: unknown) => e instanceof AppError && e.code === "unauthorized";
const keyIdOf = (apiKey: string) => apiKey.split("_")[1]!;
/** The key with its last four characters changed: the right id, a wrong secret. */
const withWrongSecret = (apiKey: string) => apiKey.slice(0, -4) + (apiKey.endsWith("AAAA") ? "BBBB" : "AAAA");

async function withTriggerOff(fn: () => Promise<void>): Promise<void> {
  await sql`ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed`.execute(h.deps.database.db);
  try {
    await fn();
  } finally {
    await sql`ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed`.execute(h.deps.database.db);
  }
}

test("a key revoked anywhere is refused as soon as the revocation is announced; unannounced, the cached key is served", async () => {
  const m = await createMerchant(h.deps);
  const id = keyIdOf(m.apiKey);
  assert.equal((await authenticateMerchant(h.deps, m.apiKey, "read")).merchantId, m.merchantId);
  await withTriggerOff(async () => {
    await sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${id}`.execute(h.deps.database.db);
    assert.equal((await authenticateMerchant(h.deps, m.apiKey, "read")).merchantId, m.merchantId, "served from the cache (no notification was sent)");
  });
  const announced = keys.announced(id);
  await sql`UPDATE api_keys SET revoked_at = now() + interval '1 second' WHERE id = ${id}`.execute(h.deps.database.db);
  await announced;
  await assert.rejects(async () => authenticateMerchant(h.deps, m.apiKey, "read"), unauthorized, "the notification at commit dropped the key");
});

test("the process that revokes a key refuses it on the very next request", async () => {
  const m = await createMerchant(h.deps);
  assert.equal((await authenticateMerchant(h.deps, m.apiKey, "read")).merchantId, m.merchantId);
  await revokeMerchantKey(h.deps, m.merchantId, keyIdOf(m.apiKey));
  await assert.rejects(async () => authenticateMerchant(h.deps, m.apiKey, "read"), unauthorized);
});

test("a wrong secret for a cached key id never works", async () => {
  const m = await createMerchant(h.deps);
  assert.equal((await authenticateMerchant(h.deps, m.apiKey, "read")).merchantId, m.merchantId);
  const wrong = withWrongSecret(m.apiKey);
  await assert.rejects(async () => authenticateMerchant(h.deps, wrong, "read"), unauthorized, "the hash is compared on every request");
});

test("a cached key is answered at once, not in a promise, and its hash is still compared", async () => {
  const m = await createMerchant(h.deps);
  await authenticateMerchant(h.deps, m.apiKey, "read"); // read into the cache
  const again = authenticateMerchant(h.deps, m.apiKey, "read");
  assert.ok(!(again instanceof Promise), "a hit costs no promise (core/shared/maybe-async.ts)");
  assert.equal(again.merchantId, m.merchantId);
  const wrong = withWrongSecret(m.apiKey);
  assert.throws(() => authenticateMerchant(h.deps, wrong, "read"), unauthorized, "refused at once, by the hash");
});
