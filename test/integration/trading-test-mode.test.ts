// Test mode (issue 19) in trading: a test twin's pay-ins go only to test traders' requisites and a live
// merchant's only to live traders', so test money never lands on a live trader's card (nor live money
// on a test trader's). The twin relation comes from isTestMerchant's cache: no extra round trip.
import assert from "node:assert/strict";
import { test } from "node:test";
import { platformAccount } from "../../src/core/ledger/accounts.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { TRADING_CRYPTO } from "../../src/app/trading/amounts.js";
import { type BatchOutcome, runBatch } from "../../src/app/trading/create-batch.js";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import type { Deps } from "../../src/app/deps.js";
import { createHarness, type Harness } from "../support/harness.js";
import { batchMembers, createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

/** A funded test trader with one SBER card requisite; its requisite's id. */
async function testTraderRequisite(deps: Deps, number: string): Promise<string> {
  const tester = await createTrader(deps, "Test trader", undefined, undefined, true);
  await fundTraderDeposit(deps, tester.traderId, 1_000_000_000_000n, `test:fund:${tester.traderId}`);
  return createRequisite(deps, { traderId: tester.traderId, bank: "SBER", method: "card", ownerName: "Test Owner", number, maxOpenPayins: 50 });
}

/** The merchant's first test key (which makes its test twin): the key and the twin's id. */
async function firstTestKey(h: Harness, fx: TradingFixture): Promise<{ apiKey: string; twinId: string }> {
  const key = await h.app.inject({ method: "POST", url: "/merchant/v1/keys", headers: { "x-api-key": fx.merchant.apiKey }, payload: { label: "qa", mode: "test" } });
  assert.equal(key.statusCode, 201, key.body);
  const twin = await h.deps.database.db.selectFrom("merchants").select("id").where("test_of", "=", fx.merchant.merchantId).executeTakeFirstOrThrow();
  return { apiKey: key.json().apiKey as string, twinId: twin.id };
}

test("a twin's trading pay-ins go only to the test trader, a live merchant's only to live traders", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2 });
    const testRequisite = await testTraderRequisite(h.deps, "2202200077770001");

    await h.deps.database.db.updateTable("trading_merchant_settings").set({ webhook_url: "https://merchant.example/live-hook" }).where("merchant_id", "=", fx.merchant.merchantId).execute();
    const live = await h.deps.database.db.selectFrom("trading_merchant_settings").selectAll().where("merchant_id", "=", fx.merchant.merchantId).executeTakeFirstOrThrow();
    const key = await firstTestKey(h, fx);
    // The twin took the live merchant's trading settings with its first test key, but not its callback URL.
    const twinSettings = await h.deps.database.db.selectFrom("trading_merchant_settings").selectAll().where("merchant_id", "=", key.twinId).executeTakeFirstOrThrow();
    assert.deepEqual({ ...twinSettings, merchant_id: live.merchant_id, webhook_url: live.webhook_url, created_at: live.created_at }, live);
    assert.equal(twinSettings.webhook_url, null);

    // Alternating, so least-recently-used rotation alone would hand each side the other's requisites.
    for (let i = 0; i < 3; i++) {
      const testPayin = await createPayinOverHttp(h.app, key.apiKey, 5000 + i);
      assert.equal(testPayin.requisite.id, testRequisite, "the twin's pay-in is on the test trader's requisite");
      const livePayin = await createPayinOverHttp(h.app, fx.merchant.apiKey, 6000 + i);
      assert.ok(fx.requisiteIds.includes(livePayin.requisite.id), "the live pay-in is on a live trader's requisite");
    }
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("in one create batch a twin's member and a live member each get a requisite of their own kind of trader", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1 });
    const testRequisite = await testTraderRequisite(h.deps, "2202200077770002");
    const { twinId } = await firstTestKey(h, fx);
    // The test trader's requisite is the least recently used: a batch that matched both members alike
    // would give it to the live member (or the live one to the twin's).
    await h.deps.database.db.updateTable("trading_requisites").set({ last_assigned_at: new Date(0) }).where("id", "=", testRequisite).execute();
    const exact = { kind: "exact" as const, amountMinor: 500_000n };
    // Priced before the transaction: on PGlite it holds the one connection the pricing would wait for.
    const members = [...(await batchMembers(h.deps, fx, [exact])), ...(await batchMembers(h.deps, { ...fx, merchant: { ...fx.merchant, merchantId: twinId } }, [exact]))];
    const outs = await h.deps.database.db.transaction().execute((trx) => runBatch(trx, members));
    const requisiteOf = (o: BatchOutcome) => (o.kind === "created" ? o.result.payin.requisite_id : o.kind);
    assert.equal(requisiteOf(outs[0]!), fx.requisiteIds[0], "the live member is on the live trader's requisite");
    assert.equal(requisiteOf(outs[1]!), testRequisite, "the twin's member is on the test trader's requisite");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});

test("funding a test trader's deposit draws on the test platform's funding account, never the live one", async () => {
  const h = await createHarness();
  try {
    const live = await createTrader(h.deps, "Live trader");
    const tester = await createTrader(h.deps, "Test trader", undefined, undefined, true);
    await fundTraderDeposit(h.deps, live.traderId, 700n, `test:fund:${live.traderId}`);
    await fundTraderDeposit(h.deps, tester.traderId, 300n, `test:fund:${tester.traderId}`);
    const funding = async (owner: string) => (await getBalance(h.deps.database.db, platformAccount(owner, TRADING_CRYPTO.asset, "platform_funding"))).available;
    assert.equal(await funding("platform:test"), -300n);
    assert.equal(await funding("platform"), -700n);
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
