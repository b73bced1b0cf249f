// GET /payment/intent/{id}/status is served from a per-process cache that the database keeps exact
// with NOTIFY at commit. These tests change rows behind the API's back (as another process or an
// operator's SQL would) and check the cache is really used, and never outlives a change.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { intentStatus } from "../../src/app/intents/instructions.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore, intentBody } from "../support/intents.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { usePostgres } from "../support/test-db.js";

let h: Harness;
let m: MerchantFixture;
let intents: ChannelFollower;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  intents = await followChannel(h.deps.database, "intent_changed");
});
after(async () => {
  await intents.stop();
  await h.close();
});

/** A new intent, once its creation's own notification has passed (until then the cache reads through). */
async function createIntent(): Promise<string> {
  const res = await h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": m.apiKey }, payload: intentBody(m.storeId) });
  assert.equal(res.statusCode, 201, res.body);
  const id: string = res.json().paymentIntentId;
  await intents.announced(id, 1);
  return id;
}

async function statusOf(id: string): Promise<number> {
  const res = await h.app.inject({ method: "GET", url: `/payment/intent/${id}/status`, headers: { "x-api-key": m.apiKey } });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().status;
}

const setStatusBehindTheApi = (id: string, status: number) => sql`UPDATE payment_intents SET status = ${status} WHERE id = ${id}`.execute(h.deps.database.db);
const trigger = (on: boolean) => sql.raw(`ALTER TABLE payment_intents ${on ? "ENABLE" : "DISABLE"} TRIGGER payment_intents_changed`).execute(h.deps.database.db);

/** The cache serves `id` (a change without a notification goes unseen), and a notified change drops it. */
async function assertCachedAndNotified(id: string): Promise<void> {
  const first = await statusOf(id);
  await statusOf(id); // cached from here on
  await trigger(false);
  try {
    await setStatusBehindTheApi(id, 14);
    assert.equal(await statusOf(id), first, "served from the cache (no notification is sent)");
  } finally {
    await trigger(true);
  }
  const announced = intents.announced(id);
  await setStatusBehindTheApi(id, 10);
  await announced;
  assert.equal(await statusOf(id), 10, "the notification at commit dropped the cached row");
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
  const listening = intents.listening();
  try {
    const lost = intents.lost();
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`.execute(h.deps.database.db);
    await lost;
    await setStatusBehindTheApi(id, 14);
    assert.notEqual(first, 14);
    assert.equal(await statusOf(id), 14, "read from the database while nobody listens");
  } finally {
    await trigger(true);
  }
  // The listener reconnects by itself; then the cache is used and kept exact again.
  await listening;
  await assertCachedAndNotified(await createIntent());
});

test("the status read's risk decision follows a review decided anywhere: the decision's change announces its intent", async () => {
  const held = "held-by-rule@example.com";
  const rule = await h.app.inject({
    method: "POST",
    url: "/merchant/v1/risk/rules",
    headers: { "x-api-key": m.apiKey },
    payload: { name: "watched payer", weight: 60, spec: { kind: "list", signal: "email", mode: "block", values: [held] } },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  const res = await h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": m.apiKey }, payload: intentBody(m.storeId, { email: held }) });
  assert.equal(res.statusCode, 201, res.body);
  const id: string = res.json().paymentIntentId;
  await intents.announced(id, 1);
  const reviewOf = async () => {
    const r = await h.app.inject({ method: "GET", url: `/payment/intent/${id}/status`, headers: { "x-api-key": m.apiKey } });
    assert.equal(r.statusCode, 200, r.body);
    return r.json().risk.reviewStatus;
  };
  assert.equal(await reviewOf(), "pending");
  assert.equal(await reviewOf(), "pending"); // cached from here on
  // Another process (or an operator's SQL) releases the review: its notification drops the cached status.
  const announced = intents.announced(id);
  await sql`UPDATE risk_decisions SET review_status = 'released', reviewed_at = now() WHERE flow = 'intent' AND payment_id = ${id}`.execute(h.deps.database.db);
  await announced;
  assert.equal(await reviewOf(), "released");
});

test("a cached status is answered at once, not in a promise; another merchant's intent is still not found", async () => {
  const id = await createIntent();
  await statusOf(id); // read into the cache
  const view = intentStatus(h.deps, m.merchantId, id);
  assert.ok(!(view instanceof Promise), "the status comes from memory (core/shared/maybe-async.ts)");
  assert.equal(view.paymentIntentId, id);
  const other = await createMerchant(h.deps);
  assert.throws(() => intentStatus(h.deps, other.merchantId, id), (e: unknown) => e instanceof AppError && e.code === "not_found");
});
