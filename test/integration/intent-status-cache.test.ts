// GET /payment/intent/{id}/status is served from a per-process cache that the database keeps exact
// with NOTIFY at commit. These tests change rows behind the API's back (as another process or an
// operator's SQL would) and check the cache is really used, and never outlives a change.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore, intentBody } from "../support/intents.js";
import { usePostgres } from "../support/test-db.js";

let h: Harness;
let m: MerchantFixture;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
});
after(() => h.close());

async function createIntent(): Promise<string> {
  const res = await h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": m.apiKey }, payload: intentBody(m.storeId) });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().paymentIntentId;
}

async function statusOf(id: string): Promise<number> {
  const res = await h.app.inject({ method: "GET", url: `/payment/intent/${id}/status`, headers: { "x-api-key": m.apiKey } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().status;
}

/** Polls until the API shows `status` or `ms` pass; returns what it showed last. */
async function statusWithin(id: string, status: number, ms: number): Promise<number> {
  const until = Date.now() + ms;
  let seen = await statusOf(id);
  while (seen !== status && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 10));
    seen = await statusOf(id);
  }
  return seen;
}

const setStatusBehindTheApi = (id: string, status: number) => sql`UPDATE payment_intents SET status = ${status} WHERE id = ${id}`.execute(h.deps.database.db);
const trigger = (on: boolean) => sql.raw(`ALTER TABLE payment_intents ${on ? "ENABLE" : "DISABLE"} TRIGGER payment_intents_changed`).execute(h.deps.database.db);

/** The cache serves `id` (a change without a notification goes unseen), and a notified change drops it. */
async function assertCachedAndNotified(id: string): Promise<void> {
  await new Promise((r) => setTimeout(r, 300)); // the creation's own notification lands first
  const first = await statusOf(id);
  await statusOf(id); // cached from here on
  await trigger(false);
  try {
    await setStatusBehindTheApi(id, 14);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await statusOf(id), first, "served from the cache (no notification was sent)");
  } finally {
    await trigger(true);
  }
  await setStatusBehindTheApi(id, 10);
  assert.equal(await statusWithin(id, 10, 2_000), 10, "the notification at commit dropped the cached row");
}

test("a change committed anywhere reaches the status endpoint at once; without the notification the cached row is served", async () => {
  await assertCachedAndNotified(await createIntent());
});

test("another merchant's intent is 404 from the cache too", async () => {
  const other = await createMerchant(h.deps);
  const id = await createIntent();
  await statusOf(id);
  const res = await h.app.inject({ method: "GET", url: `/payment/intent/${id}/status`, headers: { "x-api-key": other.apiKey } });
  assert.equal(res.statusCode, 404);
});

test("losing the listening session turns the cache off until it listens again", { skip: usePostgres() ? false : "PGlite's session cannot be lost" }, async () => {
  const id = await createIntent();
  const first = await statusOf(id);
  await statusOf(id);
  await trigger(false);
  try {
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`.execute(h.deps.database.db);
    await new Promise((r) => setTimeout(r, 100));
    await setStatusBehindTheApi(id, 14);
    assert.notEqual(first, 14);
    assert.equal(await statusOf(id), 14, "read from the database while nobody listens");
  } finally {
    await trigger(true);
  }
  // The listener reconnects within about a second; then the cache is used and kept exact again.
  await new Promise((r) => setTimeout(r, 1_500));
  await assertCachedAndNotified(await createIntent());
});
