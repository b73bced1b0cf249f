// Test mode beside live mode (issue 19), in a live installation (manual KYC, manual chain, no card
// acquirer) whose live adapters record and refuse every call: a test key (`rmp_test_…`) acts for the
// merchant's test twin, its intent runs end to end on the sandbox adapters (KYC, bank feed, chain) and
// no live adapter is called; live and test are isolated like two merchants; live-only routes refuse
// test keys; the sandbox bank feed takes test keys only. The harness verifies the ledger at the end.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { Deps } from "../../src/app/deps.js";
import { receiveBankTransfer } from "../../src/app/bank-transfers/receive-bank-transfer.js";
import { verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { paymentActivity, overviewRange } from "../../src/app/payments/payment-overview.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import type { ChainPayout, KycVendor } from "../../src/app/ports.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { platformBalances } from "../support/platform-balances.js";
import { jsonCall, operatorHeader, type Method } from "../support/json-call.js";
import { advanceAndDrain, configureStore, drain, intentBody, kycFields, paidIntent } from "../support/intents.js";

let h: Harness;
let live: MerchantFixture;
let other: MerchantFixture;
let operatorKey: string;
/** Every call that reached a live KYC vendor or chain. */
const liveCalls: string[] = [];

/** Live adapters that record each call and fail it: a test payment must never reach one. */
function refuseLiveVendors(deps: Deps): void {
  const refuse = (what: string) => async () => {
    liveCalls.push(what);
    throw new Error(`live ${what} called`);
  };
  deps.ports.kyc = { name: "live-kyc", submit: refuse("kyc.submit"), check: refuse("kyc.check") } satisfies KycVendor;
  deps.ports.chain = { name: "live-chain", send: refuse("chain.send"), status: refuse("chain.status") } satisfies ChainPayout;
}

const call = (key: string, method: Method, url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": key }, body);

async function testKey(merchant: MerchantFixture, label = "integration"): Promise<string> {
  const r = await call(merchant.apiKey, "POST", "/merchant/v1/keys", { label, mode: "test" });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.mode, "test");
  return r.json.apiKey as string;
}

/** The intent flow's Prometheus counters: created, and finished as paid. */
async function intentCounters(): Promise<{ created: number; paid: number }> {
  const value = async (name: string, labels: Record<string, string>) => {
    const m = await h.deps.metrics.registry.getSingleMetric(name)!.get();
    return m.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value ?? 0;
  };
  return { created: await value("rampart_payments_created_total", { dialect: "intent" }), paid: await value("rampart_payments_finished_total", { dialect: "intent", outcome: "paid" }) };
}

async function twinOf(merchantId: string) {
  const db = h.deps.database.db;
  const twin = await db.selectFrom("merchants").selectAll().where("test_of", "=", merchantId).executeTakeFirstOrThrow();
  const stores = await db.selectFrom("stores").select(["id", "test_of"]).where("merchant_id", "=", twin.id).execute();
  return { twin, stores };
}

before(async () => {
  h = await createHarness({ env: LIVE_ENV, tweak: refuseLiveVendors });
  live = await createMerchant(h.deps);
  other = await createMerchant(h.deps);
  operatorKey = await createOperatorKey(h.deps, "test mode");
});
after(async () => {
  await h?.close();
});

describe("test keys", () => {
  test("a test key is rmp_test_…, belongs to one twin (made once, even by racing creates) with a mirror of each live store; listings show the mode", async () => {
    const [a, b] = await Promise.all([testKey(live, "one"), testKey(live, "two")]);
    assert.match(a, /^rmp_test_[0-9a-f]{16}_/);
    assert.match(b, /^rmp_test_[0-9a-f]{16}_/);
    const count = await h.deps.database.db.selectFrom("merchants").select((eb) => eb.fn.countAll().as("n")).where("test_of", "=", live.merchantId).executeTakeFirstOrThrow();
    assert.equal(Number(count.n), 1, "one twin");
    const { twin, stores } = await twinOf(live.merchantId);
    assert.deepEqual(stores.map((s) => s.test_of), [live.storeId], "the live store mirrored under a fresh id");
    assert.notEqual(stores[0]!.id, live.storeId);
    assert.equal(twin.name, "Test Merchant");

    const listed = await call(live.apiKey, "GET", "/merchant/v1/keys");
    assert.equal(listed.status, 200);
    const modes = (listed.json.items as { label: string; mode: string }[]).map((k) => `${k.label}:${k.mode}`).sort();
    assert.deepEqual(modes, ["one:test", "test:live", "two:test"]);
    const byOperator = await jsonCall(h.app, "GET", `/admin/v1/merchants/${live.merchantId}`, operatorHeader(operatorKey));
    assert.deepEqual((byOperator.json.apiKeys as { mode: string }[]).map((k) => k.mode).sort(), ["live", "test", "test"]);

    const viaOperator = await jsonCall(h.app, "POST", `/admin/v1/merchants/${other.merchantId}/api-keys`, operatorHeader(operatorKey), { label: "qa", mode: "test" });
    assert.equal(viaOperator.status, 201, viaOperator.text);
    assert.match(viaOperator.json.apiKey, /^rmp_test_/);
    assert.equal((await call(viaOperator.json.apiKey, "GET", "/merchant/v1/balance")).status, 200, "the operator's test key works");

    const ofTwin = await jsonCall(h.app, "POST", `/admin/v1/merchants/${twin.id}/api-keys`, operatorHeader(operatorKey), { label: "x", mode: "test" });
    assert.equal(ofTwin.status, 404, "a twin has no keys of its own to ask for: the live merchant's are asked");
    const list = await jsonCall(h.app, "GET", "/admin/v1/merchants?limit=100", operatorHeader(operatorKey));
    assert.ok(!(list.json.items as { merchantId: string }[]).some((m) => m.merchantId === twin.id), "the twin is not listed as a merchant");
  });

  test("a live key revokes a test key; the revoked key is refused", async () => {
    const key = await testKey(live, "short-lived");
    const id = key.split("_")[2]!;
    const r = await call(live.apiKey, "DELETE", `/merchant/v1/keys/${id}`);
    assert.equal(r.status, 200, r.text);
    assert.equal((await call(key, "GET", "/merchant/v1/balance")).status, 401);
    assert.equal((await call(other.apiKey, "DELETE", `/merchant/v1/keys/${(await testKey(live)).split("_")[2]}`)).status, 404, "another merchant's test key");
  });

  test("live-only routes refuse a test key with 403 live_mode_only", async () => {
    const key = await testKey(live);
    for (const [method, url, body] of [
      ["GET", "/merchant/v1/keys", undefined],
      ["POST", "/merchant/v1/keys", { label: "more" }],
      ["DELETE", "/merchant/v1/keys/0123456789abcdef", undefined],
      ["POST", "/merchant/v1/withdrawals", { addressId: "x", amount: "1.00" }],
      ["POST", "/merchant/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" }],
    ] as const) {
      const r = await call(key, method, url, body);
      assert.equal(r.status, 403, `${method} ${url}: ${r.text}`);
      assert.equal(r.json.error, "live_mode_only");
    }
    assert.equal((await call(key, "GET", "/merchant/v1/withdrawals")).status, 200, "reading is not live-only");
  });

  test("operator merchant routes answer 404 for a test twin (its merchant's test key configures it)", async () => {
    await testKey(live);
    const { twin } = await twinOf(live.merchantId);
    const op = operatorHeader(operatorKey);
    const settings = { fiatCurrency: "RUB", feeRate: "0.05" };
    for (const [method, url, body] of [
      ["PUT", `/admin/v1/trading/merchants/${twin.id}/settings`, settings],
      ["GET", `/admin/v1/trading/merchants/${twin.id}/settings`, undefined],
      ["GET", `/admin/v1/merchants/${twin.id}`, undefined],
      ["GET", `/admin/v1/merchants/${twin.id}/users`, undefined],
    ] as const) {
      const r = await jsonCall(h.app, method, url, op, body);
      assert.equal(r.status, 404, `${method} ${url}: ${r.text}`);
    }
    const own = await jsonCall(h.app, "PUT", `/admin/v1/trading/merchants/${live.merchantId}/settings`, op, settings);
    assert.equal(own.status, 200, own.text);
  });
});

describe("a test payment in a live installation", () => {
  test("runs end to end on the sandbox adapters (KYC, bank feed, chain), never a live one, and stays apart from live", async () => {
    const key = await testKey(live);
    const { twin, stores } = await twinOf(live.merchantId);
    const testStore = stores[0]!.id;
    await configureStore(h, testStore);
    await configureStore(h, live.storeId);

    const countersBefore = await intentCounters();
    const liveBefore = await platformBalances(h.deps, "platform");
    const testBefore = await platformBalances(h.deps, "platform:test");
    const id = await paidIntent(h, { storeId: testStore, apiKey: key });
    await advanceAndDrain(h, 60_000, 6);
    const st = await call(key, "GET", `/payment/intent/${id}/status`);
    assert.equal(st.status, 200, st.text);
    assert.equal(st.json.status, 6, "paid out by the sandbox chain");
    assert.match(String(st.json.txHash), /^[0-9a-f]{64}$/);
    assert.deepEqual(liveCalls, [], "no live adapter was called");

    // Test money never touches live balances: the fiat in, fee and payout moved the test platform's accounts.
    assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore, "the live platform accounts did not move");
    const testAfter = await platformBalances(h.deps, "platform:test");
    assert.notDeepEqual(testAfter, testBefore);
    for (const moved of ["EUR fiat_clearing", "EUR platform_inventory", "EUR fee_revenue", "USDT platform_inventory"]) {
      assert.notEqual(testAfter[moved] ?? "0", testBefore[moved] ?? "0", `${moved} moved on the test platform`);
    }
    assert.ok((await verifyLedger(h.deps.database.db)).ok, "the ledger still balances");
    assert.deepEqual(await intentCounters(), countersBefore, "/metrics counts no test payment");

    // Live and test are two tenants: each one's objects are not found with the other's key.
    const liveIntent = await call(live.apiKey, "POST", "/payment/intent", intentBody(live.storeId));
    assert.equal(liveIntent.status, 201, liveIntent.text);
    const liveId = liveIntent.json.paymentIntentId as string;
    assert.equal((await intentCounters()).created, countersBefore.created + 1, "a live payment is counted");

    // The console's overview is live volume: the paid test intent is not in it, the live one is; the
    // twin's own figures (the portal's test mode) have it.
    const operatorView = (await paymentActivity(h.deps, overviewRange(undefined), null)).flows.find((f) => f.dialect === "intent")!;
    assert.deepEqual([operatorView.created, operatorView.paid], [1, 0]);
    const ofTwin = (await paymentActivity(h.deps, overviewRange(undefined), twin.id)).flows.find((f) => f.dialect === "intent")!;
    assert.deepEqual([ofTwin.created, ofTwin.paid], [1, 1]);
    for (const [k, intent] of [
      [live.apiKey, id],
      [key, liveId],
    ] as const) {
      for (const url of [`/payment/intent/${intent}/status`, `/payment/intent/${intent}/instructions`, `/merchant/v1/payments/intent/${intent}`]) {
        const r = await call(k, "GET", url);
        assert.equal(r.status, 404, `${url}: ${r.text}`);
      }
    }
    const crossed = await call(key, "POST", "/payment/intent", intentBody(live.storeId));
    assert.equal(crossed.status, 403);
    assert.equal(crossed.json.error, "store_mismatch");
    assert.equal((await call(live.apiKey, "POST", "/payment/intent", intentBody(testStore))).json.error, "store_mismatch");
    const listedLive = await call(live.apiKey, "GET", "/merchant/v1/payments?limit=100");
    assert.ok(!JSON.stringify(listedLive.json).includes(id), "the live listing has no test payment");
    const listedTest = await call(key, "GET", "/merchant/v1/payments?limit=100");
    assert.ok(JSON.stringify(listedTest.json).includes(id));
    assert.ok(!JSON.stringify(listedTest.json).includes(liveId), "the test listing has no live payment");
    await drain(h);
    assert.deepEqual(liveCalls, []);
  });

  test("the sandbox bank feed takes test keys only: a live key and the operator key are refused", async () => {
    const body = { reference: "RMP0000000000", amount: "1.00", currency: "EUR" };
    const byLive = await sandboxTransfer(h.app, { apiKey: live.apiKey }, body);
    assert.equal(byLive.status, 403);
    assert.equal(byLive.json.error, "test_mode_only");
    assert.equal((await sandboxTransfer(h.app, { operatorKey }, body)).json.error, "test_mode_only");
    const byTest = await sandboxTransfer(h.app, { apiKey: await testKey(live) }, body);
    assert.equal(byTest.status, 404, "matches nothing of the twin's: refused, not kept");
  });

  test("a test key's transfers stay apart from the live feed: no squatted ids, no oracle, nothing in the live unmatched queue", async () => {
    const key = await testKey(live);
    const { twin, stores } = await twinOf(live.merchantId);
    await configureStore(h, stores[0]!.id);
    await configureStore(h, live.storeId);
    const db = h.deps.database.db;
    const transfers = async () => Number((await db.selectFrom("bank_transfers").select((e) => e.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
    const liveLine = (externalId: string) =>
      receiveBankTransfer(h.deps, { externalId, feed: "statement", amountMinor: 100n, currency: "EUR", requisiteId: null, reference: null, payerName: null, payerIban: null, receivedAt: h.deps.clock.now() });

    // A twin's payment paid under a real statement line's id does not take that id from the live feed.
    const created = await call(key, "POST", "/payment/intent", intentBody(stores[0]!.id, kycFields()));
    assert.equal(created.status, 201, created.text);
    const ins = await call(key, "GET", `/payment/intent/${created.json.paymentIntentId}/instructions`);
    const squat = { reference: ins.json.bankTransfer.reference, amount: ins.json.fiatAmount, currency: "EUR", externalId: "stmt:ES00LIVE:REF1" };
    const paid = await sandboxTransfer(h.app, { apiKey: key }, squat);
    assert.equal(paid.json.outcome, "paid", paid.text);
    assert.equal((await liveLine("stmt:ES00LIVE:REF1")).duplicate, false, "the real line is recorded, not ignored as a duplicate");
    const again = await sandboxTransfer(h.app, { apiKey: key }, squat);
    assert.equal(again.json.duplicate, true, "the twin's own redelivery is still one");
    assert.equal(again.json.transferId, paid.json.transferId);

    // A live line's id resent by a test key reveals nothing of it; a live intent's reference is refused like none.
    await liveLine("stmt:ES00LIVE:REF2");
    const liveIntent = await call(live.apiKey, "POST", "/payment/intent", intentBody(live.storeId));
    const liveRef = (await db.selectFrom("payment_intents").select("reference").where("id", "=", liveIntent.json.paymentIntentId).executeTakeFirstOrThrow()).reference;
    const before = await transfers();
    for (const body of [
      { reference: "RMP0000000000", amount: "1.00", currency: "EUR", externalId: "stmt:ES00LIVE:REF2" },
      { reference: liveRef, amount: "1.00", currency: "EUR" },
      { reference: "RMP0000000000", amount: "1.00", currency: "EUR" },
    ]) {
      const r = await sandboxTransfer(h.app, { apiKey: key }, body);
      assert.equal(r.status, 404, r.text);
      assert.equal(r.json.message, "No payment of this merchant matches the transfer", "the same answer whatever exists");
    }
    assert.equal(await transfers(), before, "nothing was recorded: no test transfer waits in the live unmatched queue");
    const twinTransfers = await db.selectFrom("bank_transfers").select("external_id").where("feed", "=", "sandbox").execute();
    assert.ok(twinTransfers.every((t) => t.external_id.startsWith(`sandbox:${twin.id}:`)), "a live test key's ids are namespaced");
  });
});
