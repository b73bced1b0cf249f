// GET /payment/trading/{id} and the signature rule of every trading request are served from
// per-process caches that the database keeps exact with NOTIFY at commit
// (migrations/0062_r_status_read_notify.sql). These tests change rows behind the API's back (as another
// process or an operator's SQL would) and check the caches are really used, never outlive a committed
// change, and never widen who may read what.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { API_KEY_CHANNEL } from "../../src/app/auth/api-key-cache.js";
import { readMerchantPayin } from "../../src/app/trading/payin-read-cache.js";
import { checkRequestSignature } from "../../src/app/trading/request-signature.js";
import { saveTradingSettings } from "../../src/app/trading/settings-admin.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let t: TradingFixture;
let payins: ChannelFollower;
let requisites: ChannelFollower;
let settings: ChannelFollower;
let keys: ChannelFollower;
let amount = 1000;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  t = await setupTrading(h.deps, { requisitesPerTrader: 4 });
  payins = await followChannel(h.deps.database, "trading_payin_row_changed");
  requisites = await followChannel(h.deps.database, "trading_requisite_changed");
  settings = await followChannel(h.deps.database, "trading_settings_changed");
  keys = await followChannel(h.deps.database, API_KEY_CHANNEL);
});
after(async () => {
  for (const f of [payins, requisites, settings, keys]) await f.stop();
  await h.close();
});

const db = () => h.deps.database.db;
const newPayin = () => createPayinOverHttp(h.app, t.merchant.apiKey, amount++);

async function read(id: string, apiKey = t.merchant.apiKey) {
  return h.app.inject({ method: "GET", url: `/payment/trading/${id}`, headers: { "x-api-key": apiKey } });
}

async function readOk(id: string) {
  const res = await read(id);
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function withTriggerOff(table: string, trigger: string, fn: () => Promise<void>): Promise<void> {
  await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`).execute(db());
  try {
    await fn();
  } finally {
    await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`).execute(db());
  }
}

test("a pay-in change committed anywhere reaches the GET at once; without the notification the cached object is served", async () => {
  const { id } = await newPayin();
  assert.equal((await readOk(id)).status, "active");
  await readOk(id); // cached from here on
  await withTriggerOff("trading_payins", "trading_payins_notify_update", async () => {
    await sql`UPDATE trading_payins SET status = 'canceled' WHERE id = ${id}`.execute(db());
    assert.equal((await readOk(id)).status, "active", "served from the cache (no notification is sent)");
  });
  const announced = payins.announced(id);
  await sql`UPDATE trading_payins SET status = 'dispute' WHERE id = ${id}`.execute(db());
  await announced;
  assert.equal((await readOk(id)).status, "dispute", "the notification at commit dropped the cached pay-in");
});

test("one statement that changes several pay-ins announces each of them: none stays cached", async () => {
  const ids = [(await newPayin()).id, (await newPayin()).id, (await newPayin()).id];
  for (const id of ids) {
    await readOk(id);
    await readOk(id); // cached from here on
  }
  const announced = Promise.all(ids.map((id) => payins.announced(id)));
  await sql`UPDATE trading_payins SET status = 'dispute' WHERE id = ANY(${ids}::uuid[])`.execute(db());
  await announced;
  for (const id of ids) assert.equal((await readOk(id)).status, "dispute", `pay-in ${id}`);
});

test("the process that cancels a pay-in reads it back canceled on the very next request", async () => {
  const { id } = await newPayin();
  await readOk(id);
  await readOk(id);
  const cancel = await h.app.inject({ method: "POST", url: `/payment/trading/pay-in/${id}/cancel`, headers: { "x-api-key": t.merchant.apiKey, "idempotency-key": `cancel-${id}` } });
  assert.equal(cancel.statusCode, 200, cancel.body);
  assert.equal((await readOk(id)).status, "canceled");
});

test("another merchant's pay-in is 404 from the cache too, and an unknown id stays 404", async () => {
  const { id } = await newPayin();
  await readOk(id);
  await readOk(id);
  const other = await createMerchant(h.deps);
  const res = await read(id, other.apiKey);
  assert.equal(res.statusCode, 404, res.body);
  assert.equal((await read("0b7c1f0e-1111-4222-8333-444455556666")).statusCode, 404);
});

test("a key revoked anywhere is refused although the pay-in it read is cached", async () => {
  const m = await createMerchant(h.deps);
  await saveTradingSettings(h.deps, m.merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
  const { id } = await createPayinOverHttp(h.app, m.apiKey, amount++);
  assert.equal((await read(id, m.apiKey)).statusCode, 200);
  assert.equal((await read(id, m.apiKey)).statusCode, 200);
  const keyId = m.apiKey.split("_")[1]!;
  const announced = keys.announced(keyId);
  await sql`UPDATE api_keys SET revoked_at = now() WHERE id = ${keyId}`.execute(db());
  await announced;
  assert.equal((await read(id, m.apiKey)).statusCode, 401);
});

test("a risk review decided anywhere reaches the pay-in's GET: the decision's change announces the pay-in", async () => {
  const { id } = await newPayin();
  // The decision is written with the pay-in in the product; here by hand before the first read.
  await sql`INSERT INTO risk_decisions (id, merchant_id, flow, payment_id, decision, score, reasons, review_status, created_at)
    VALUES (gen_random_uuid(), ${t.merchant.merchantId}, 'trading', ${id}, 'review', 60, '[]', 'pending', now())`.execute(db());
  assert.equal((await readOk(id)).risk.reviewStatus, "pending");
  assert.equal((await readOk(id)).risk.reviewStatus, "pending"); // cached from here on
  const announced = payins.announced(id);
  await sql`UPDATE risk_decisions SET review_status = 'released', reviewed_at = now() WHERE flow = 'trading' AND payment_id = ${id}`.execute(db());
  await announced;
  assert.equal((await readOk(id)).risk.reviewStatus, "released");
});

test("a requisite's shown fields changed by SQL reach every pay-in on it", async () => {
  const { id, requisite } = await newPayin();
  const before = await readOk(id);
  await readOk(id);
  const announced = requisites.announced(requisite.id);
  await sql`UPDATE trading_requisites SET owner_name = 'Renamed Owner' WHERE id = ${requisite.id}`.execute(db());
  await announced;
  const after = await readOk(id);
  assert.notEqual(before.requisite.ownerName, "Renamed Owner");
  assert.equal(after.requisite.ownerName, "Renamed Owner");
});

test("request signing switched on anywhere is enforced at once; switched on in this process, on the very next request", async () => {
  const { id } = await newPayin();
  assert.equal((await read(id)).statusCode, 200);
  assert.equal((await read(id)).statusCode, 200); // the settings are cached from here on
  const announced = settings.announced(t.merchant.merchantId);
  await sql`UPDATE trading_merchant_settings SET require_request_signature = true WHERE merchant_id = ${t.merchant.merchantId}`.execute(db());
  await announced;
  const refused = await read(id);
  assert.equal(refused.statusCode, 401, refused.body);
  // Switched off and on again through the operator's use case, without waiting for any notification.
  // Each save announces the merchant once more: the test ends only once the caches heard all three,
  // so that none drops the settings the next test reads into them (it did, on a busy machine).
  const saved = settings.announced(t.merchant.merchantId, settings.count(t.merchant.merchantId) + 3);
  await saveTradingSettings(h.deps, t.merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", requireRequestSignature: false });
  assert.equal((await read(id)).statusCode, 200);
  await saveTradingSettings(h.deps, t.merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", requireRequestSignature: true });
  assert.equal((await read(id)).statusCode, 401);
  await saveTradingSettings(h.deps, t.merchant.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", requireRequestSignature: false });
  await saved;
});

test("a cached pay-in and the merchant's settings are answered at once, not in promises; another merchant's is still not found", async () => {
  const { id } = await newPayin();
  await readOk(id); // reads the pay-in, its requisite and the settings into the caches
  const view = readMerchantPayin(h.deps, t.merchant.merchantId, id);
  assert.ok(!(view instanceof Promise), "the pay-in and its requisite come from memory");
  assert.equal(view.id, id);
  const row = checkRequestSignature(h.deps, t.merchant.merchantId, t.merchant.apiKey, Buffer.alloc(0), undefined);
  assert.ok(!(row instanceof Promise), "the settings come from memory");
  const other = await createMerchant(h.deps);
  assert.throws(() => readMerchantPayin(h.deps, other.merchantId, id), (e: unknown) => e instanceof AppError && e.code === "not_found");
});
