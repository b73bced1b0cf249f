// An intent create reads its store (owner, settings) and its pair (with the asset) from per-process
// caches that the database keeps exact with NOTIFY at commit (migrations/0083_n_intent_create_reads_notify.sql).
// These tests change the rows behind the API's back, as another process or an operator's SQL would:
// with the trigger off the cached row is still served (the cache is really used), and once a change's
// notification has passed the next create sees it.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, configureStore, intentBody } from "../support/intents.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";

let h: Harness;
let m: MerchantFixture;
let stores: ChannelFollower;
let pairs: ChannelFollower;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  m = await createMerchant(h.deps);
  stores = await followChannel(h.deps.database, "intent_store_changed");
  pairs = await followChannel(h.deps.database, "pricing_pair_changed");
  await configureStore(h, m.storeId);
  await stores.announced(m.storeId, 1); // until then this process reads its own settings write through
});
after(async () => {
  await stores.stop();
  await pairs.stop();
  await h.close();
});

async function create(apiKey = m.apiKey): Promise<{ statusCode: number; body: { status?: number; error?: string } }> {
  const res = await h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": apiKey }, payload: intentBody(m.storeId) });
  return { statusCode: res.statusCode, body: res.json() };
}

const run = (q: string) => sql.raw(q).execute(h.deps.database.db);

/** `change` made with `table`'s trigger off is not seen (the cached row is served); `assertServed` checks that. */
async function unannounced(table: string, trigger: string, change: string, assertServed: () => Promise<void>): Promise<void> {
  await run(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`);
  try {
    await run(change);
    await assertServed();
  } finally {
    await run(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`);
  }
}

test("a store's settings changed by SQL reach the next create once announced; unannounced, the cached store is served", async () => {
  assert.notEqual((await create()).body.status, 10002);
  await create(); // cached from here on
  await unannounced("intent_store_settings", "intent_store_settings_changed", `UPDATE intent_store_settings SET served_countries = '{FR}' WHERE store_id = '${m.storeId}'`, async () => {
    assert.notEqual((await create()).body.status, 10002, "served from the cache (no notification was sent)");
  });
  const announced = stores.announced(m.storeId);
  await run(`UPDATE intent_store_settings SET served_countries = '{PT}' WHERE store_id = '${m.storeId}'`);
  await announced;
  assert.equal((await create()).body.status, 10002, "ES is no longer served: the notification dropped the cached store");
  const back = stores.announced(m.storeId);
  await run(`UPDATE intent_store_settings SET served_countries = '{ES}' WHERE store_id = '${m.storeId}'`);
  await back;
  assert.notEqual((await create()).body.status, 10002);
});

test("a store moved to another merchant is refused to its former owner at once", async () => {
  const other = await createMerchant(h.deps);
  assert.equal((await create()).statusCode, 201);
  const announced = stores.announced(m.storeId);
  await run(`UPDATE stores SET merchant_id = '${other.merchantId}' WHERE id = '${m.storeId}'`);
  await announced;
  assert.equal((await create()).body.error, "store_mismatch");
  const back = stores.announced(m.storeId);
  await run(`UPDATE stores SET merchant_id = '${m.merchantId}' WHERE id = '${m.storeId}'`);
  await back;
  assert.equal((await create()).statusCode, 201);
});

test("a pair or its asset disabled by SQL is refused by the next create once announced; unannounced, the cached pair is served", async () => {
  const pair = `fiat = 'EUR' AND crypto = 'USDT' AND network = 'trc20'`;
  assert.equal((await create()).statusCode, 201);
  await create(); // cached from here on
  await unannounced("pairs", "pairs_pricing_changed", `UPDATE pairs SET enabled = false WHERE ${pair}`, async () => {
    assert.equal((await create()).statusCode, 201, "served from the cache (no notification was sent)");
  });
  let announced = pairs.announced("trc20");
  await run(`UPDATE pairs SET enabled = false WHERE ${pair}`);
  await announced;
  assert.equal((await create()).body.error, "pair_unavailable");
  announced = pairs.announced("trc20");
  await run(`UPDATE pairs SET enabled = true WHERE ${pair}`);
  await announced;
  assert.equal((await create()).statusCode, 201);

  announced = pairs.announced("trc20");
  await run(`UPDATE assets SET enabled = false WHERE symbol = 'USDT' AND network = 'trc20'`);
  await announced;
  assert.equal((await create()).body.error, "pair_unavailable", "the asset's notification dropped the pairs on its network");
  announced = pairs.announced("trc20");
  await run(`UPDATE assets SET enabled = true WHERE symbol = 'USDT' AND network = 'trc20'`);
  await announced;
  assert.equal((await create()).statusCode, 201);
});
