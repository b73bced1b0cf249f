// The console overview's current levels leave test mode out (issue 19), like its activity: a test
// trader is not in the traders' free deposits, and a test twin's dispute and its store's KYC case in
// review are not counted (the live merchant's are).
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { createHarness } from "../support/harness.js";
import { insertPaymentRows, tradingRowId } from "../support/payment-rows.js";
import { staffSession } from "../support/staff.js";
import { setupTrading } from "../support/trading.js";

test("the overview's traders, open disputes and KYC waiting leave out test traders and twins", async () => {
  const h = await createHarness();
  try {
    const fx = await setupTrading(h.deps, { traders: 1 });
    const db = h.deps.database.db;
    // The test trader has the least free deposit, so it would head the list.
    const tester = await createTrader(h.deps, "Sandbox trader", undefined, undefined, true);
    await fundTraderDeposit(h.deps, tester.traderId, 1n, `test:fund:${tester.traderId}`);
    const testRequisite = await createRequisite(h.deps, { traderId: tester.traderId, bank: "SBER", method: "card", ownerName: "Test Owner", number: "2202200077770009", maxOpenPayins: 5 });
    const key = await h.app.inject({ method: "POST", url: "/merchant/v1/keys", headers: { "x-api-key": fx.merchant.apiKey }, payload: { label: "qa", mode: "test" } });
    assert.equal(key.statusCode, 201, key.body);
    const twin = await db.selectFrom("merchants").select("id").where("test_of", "=", fx.merchant.merchantId).executeTakeFirstOrThrow();
    const twinStore = await db.selectFrom("stores").select("id").where("merchant_id", "=", twin.id).executeTakeFirstOrThrow();

    const start = h.deps.clock.now();
    await insertPaymentRows(db, { tag: "live", merchantId: fx.merchant.merchantId, storeId: fx.merchant.storeId, trader: { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! }, trading: 1, start });
    await insertPaymentRows(db, { tag: "test", merchantId: twin.id, storeId: twinStore.id, trader: { traderId: tester.traderId, requisiteId: testRequisite }, trading: 1, start });
    for (const tag of ["live", "test"]) await sql`UPDATE trading_payins SET status = 'dispute', dispute_opened_at = created_at WHERE id = ${tradingRowId(tag, 0)}::uuid`.execute(db);
    for (const [n, storeId] of [[1, fx.merchant.storeId], [2, twinStore.id]] as const) {
      await db.insertInto("kyc_users").values({ id: `u${n}`, store_id: storeId, email: `u${n}@example.com`, created_at: start }).execute();
      await db.insertInto("kyc_cases").values({ id: `c${n}`, user_id: `u${n}`, level: "KYC_1", status: "review", files: "[]", created_at: start, updated_at: start }).execute();
    }

    const { cookie } = await staffSession(h, "viewer");
    const r = await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } });
    assert.equal(r.statusCode, 200, r.body);
    const text = (id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(r.body)?.[1];
    assert.equal(text("now-disputes"), "1", "the live dispute only");
    assert.equal(text("now-kyc"), "1", "the live store's case only");
    const traders = /<svg role="img" aria-label="Free deposit per trader, lowest first"[\s\S]*?<\/svg>/.exec(r.body)?.[0] ?? "";
    assert.deepEqual([...traders.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]), ["Trader 1", "1000000.000000 USDT"]);
  } finally {
    await h.close();
  }
});
