// A pay-in create that names a method or a bank answers "usable" from a per-process cache
// (src/app/trading/catalogue-cache.ts), which the trading_method_changed / trading_bank_changed
// notifications keep exact (migrations/0082_k_trading_catalogue_notify.sql). These tests switch a
// method and a bank off behind the API's back, as another process or an operator's SQL would, and
// through this process's own use cases.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { saveTradingBank, saveTradingMethod, tradingMethods } from "../../src/app/trading/methods.js";
import { createHarness, type Harness } from "../support/harness.js";
import { type ChannelFollower, followChannel } from "../support/notifications.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let t: TradingFixture;
let methods: ChannelFollower;
let banks: ChannelFollower;
let amount = 1000;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  t = await setupTrading(h.deps, { requisitesPerTrader: 4 });
  methods = await followChannel(h.deps.database, "trading_method_changed");
  banks = await followChannel(h.deps.database, "trading_bank_changed");
});
after(async () => {
  for (const f of [methods, banks]) await f.stop();
  await h.close();
});

const db = () => h.deps.database.db;

async function create(): Promise<{ statusCode: number; code?: string; body: string }> {
  const r = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": t.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: amount++, method: "card", bank: "SBER" }),
  });
  return { statusCode: r.statusCode, code: (r.json() as { code?: string }).code, body: r.body };
}

async function withTriggerOff(table: string, trigger: string, fn: () => Promise<void>): Promise<void> {
  await sql.raw(`ALTER TABLE ${table} DISABLE TRIGGER ${trigger}`).execute(db());
  try {
    await fn();
  } finally {
    await sql.raw(`ALTER TABLE ${table} ENABLE TRIGGER ${trigger}`).execute(db());
  }
}

async function switchMethod(enabled: boolean) {
  const card = (await tradingMethods(h.deps)).find((m) => m.code === "card")!;
  await saveTradingMethod(h.deps, { ...card, enabled });
}

const switchBank = (enabled: boolean) => saveTradingBank(h.deps, { code: "SBER", name: "Sberbank", methods: ["sbp", "card"], fiatCurrency: "RUB", enabled });

// A stale "usable" lets no pay-in through (the requisite pick joins only enabled methods and banks):
// it changes the refusal from the catalogue's to the pick's no_requisite_available, which shows here
// whether the answer came from the cache.
test("a method switched off anywhere is refused as such once its notification arrives; without it the cached answer stands", async () => {
  assert.equal((await create()).statusCode, 201);
  assert.equal((await create()).statusCode, 201); // "card" is cached as usable from here on
  await withTriggerOff("trading_methods", "trading_methods_changed", async () => {
    await sql`UPDATE trading_methods SET enabled = false WHERE code = 'card'`.execute(db());
    assert.equal((await create()).code, "no_requisite_available", "the cache said usable (no notification is sent)");
    await sql`UPDATE trading_methods SET enabled = true WHERE code = 'card'`.execute(db());
  });
  const announced = methods.announced("card");
  await sql`UPDATE trading_methods SET enabled = false WHERE code = 'card'`.execute(db());
  await announced;
  const refused = await create();
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.code, "method_not_available");
  await switchMethod(true);
  assert.equal((await create()).statusCode, 201);
});

test("a bank switched off anywhere is refused as such once its notification arrives; without it the cached answer stands", async () => {
  assert.equal((await create()).statusCode, 201);
  assert.equal((await create()).statusCode, 201); // "SBER" is cached as usable from here on
  await withTriggerOff("trading_banks", "trading_banks_changed", async () => {
    await sql`UPDATE trading_banks SET enabled = false WHERE code = 'SBER'`.execute(db());
    assert.equal((await create()).code, "no_requisite_available", "the cache said usable (no notification is sent)");
    await sql`UPDATE trading_banks SET enabled = true WHERE code = 'SBER'`.execute(db());
  });
  const announced = banks.announced("SBER");
  await sql`UPDATE trading_banks SET enabled = false WHERE code = 'SBER'`.execute(db());
  await announced;
  const refused = await create();
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.code, "bank_not_available");
  await switchBank(true);
  assert.equal((await create()).statusCode, 201);
});

test("this process's own switch-off is refused as such on the very next create, notification or not", async () => {
  assert.equal((await create()).statusCode, 201);
  assert.equal((await create()).statusCode, 201);
  await withTriggerOff("trading_methods", "trading_methods_changed", async () => {
    await switchMethod(false);
    assert.equal((await create()).code, "method_not_available");
    await switchMethod(true);
  });
  assert.equal((await create()).statusCode, 201);
  await withTriggerOff("trading_banks", "trading_banks_changed", async () => {
    await switchBank(false);
    assert.equal((await create()).code, "bank_not_available");
    await switchBank(true);
  });
  assert.equal((await create()).statusCode, 201);
});
