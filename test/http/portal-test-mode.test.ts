// The portal's Live/Test toggle (issue 19, test mode) through inject(): the switch puts the session in
// test mode (a cookie bound to that session), every page then acts for the merchant's test twin, so a
// live payment is not listed or openable under test and a test payment not under live; people and
// withdrawals refuse in test mode (403 live_mode_only); the keys page lists and makes test keys there;
// the Test messages page opens in test mode only, for developers and owners, with the twin's own messages.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sendCustomerSms } from "../../src/app/merchants/test-messages.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { configureStore, intentBody, INTENT_RATES_ENV } from "../support/intents.js";
import { createMerchantUser, portalSession, switchPortalMode } from "../support/merchant-users.js";
import { getPage, postForm } from "../support/staff.js";

let h: Harness;
let m: MerchantFixture;
type Session = { cookie: string; csrf: string };
let live: Session;
let testMode: Session;
let twin: { id: string; storeId: string; apiKey: string };

async function createIntent(apiKey: string, storeId: string): Promise<string> {
  const r = await h.app.inject({ method: "POST", url: "/payment/intent", headers: { "x-api-key": apiKey, "content-type": "application/json" }, payload: JSON.stringify(intentBody(storeId)) });
  assert.equal(r.statusCode, 201, r.body);
  return (r.json() as { paymentIntentId: string }).paymentIntentId;
}

const switchTo = (s: Session, mode: "test" | "live") => switchPortalMode(h, s, mode);

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  m = await createMerchant(h.deps);
  live = await portalSession(h, await createMerchantUser(h, m.merchantId, "owner"));
  testMode = await switchTo(live, "test");
  const db = h.deps.database.db;
  const row = await db.selectFrom("merchants").select("id").where("test_of", "=", m.merchantId).executeTakeFirstOrThrow();
  const store = await db.selectFrom("stores").select("id").where("merchant_id", "=", row.id).executeTakeFirstOrThrow();
  const key = await postForm(h, testMode, "/merchant/keys", { label: "checkout tests" });
  assert.equal(key.statusCode, 201, key.body);
  const apiKey = /rmp_test_[0-9a-f]{16}_[A-Za-z0-9_-]+/.exec(key.body)?.[0];
  assert.ok(apiKey, "the test key is shown once on the page");
  twin = { id: row.id, storeId: store.id, apiKey };
  await configureStore(h, m.storeId);
  await configureStore(h, twin.storeId);
});
after(async () => h?.close());

test("the switch makes the twin (its live store mirrored) and the banner shows on every test-mode page, never in live mode", async () => {
  const overview = await getPage(h, testMode, "/merchant/overview");
  assert.equal(overview.statusCode, 200);
  assert.match(overview.body, /id="test-mode-banner"/);
  assert.match(overview.body, /<strong id="mode">Test<\/strong>/);
  for (const page of ["payments", "balance", "keys", "webhooks", "settings", "developer"]) {
    const r = await getPage(h, testMode, `/merchant/${page}`);
    assert.equal(r.statusCode, 200, `${page}: ${r.body.slice(0, 300)}`);
    assert.match(r.body, /id="test-mode-banner"/, page);
  }
  const dev = await getPage(h, testMode, "/merchant/developer");
  assert.match(dev.body, new RegExp(`id="merchant-id">${twin.id}<`), "the developer page shows the twin's id");
  assert.match(dev.body, new RegExp(`data-store="${twin.storeId}"`), "and the test store's id");
  assert.doesNotMatch(dev.body, new RegExp(`data-store="${m.storeId}"`));
  const liveDev = await getPage(h, live, "/merchant/developer");
  assert.doesNotMatch(liveDev.body, /id="test-mode-banner"/);
  assert.match(liveDev.body, new RegExp(`data-store="${m.storeId}"`));
  assert.match(liveDev.body, /<strong id="mode">Live<\/strong>/);
});

test("a live payment is listed and opened only under live, a test payment only under test (404 in the other mode); the CSV likewise", async () => {
  const livePay = await createIntent(m.apiKey, m.storeId);
  const testPay = await createIntent(twin.apiKey, twin.storeId);
  const liveList = await getPage(h, live, "/merchant/payments");
  const testList = await getPage(h, testMode, "/merchant/payments");
  assert.match(liveList.body, new RegExp(`data-payment="${livePay}"`));
  assert.doesNotMatch(liveList.body, new RegExp(testPay));
  assert.match(testList.body, new RegExp(`data-payment="${testPay}"`));
  assert.doesNotMatch(testList.body, new RegExp(livePay));
  assert.equal((await getPage(h, live, `/merchant/payments/${livePay}?dialect=intent`)).statusCode, 200);
  assert.equal((await getPage(h, live, `/merchant/payments/${testPay}?dialect=intent`)).statusCode, 404);
  assert.equal((await getPage(h, testMode, `/merchant/payments/${testPay}?dialect=intent`)).statusCode, 200);
  assert.equal((await getPage(h, testMode, `/merchant/payments/${livePay}?dialect=intent`)).statusCode, 404);
  const testCsv = (await getPage(h, testMode, "/merchant/payments/export.csv")).body;
  assert.match(testCsv, new RegExp(testPay));
  assert.doesNotMatch(testCsv, new RegExp(livePay));
});

test("people and withdrawals refuse in test mode with 403 live_mode_only and act on nothing; they work in live mode", async () => {
  for (const page of ["users", "withdrawals"]) {
    const r = await getPage(h, testMode, `/merchant/${page}`);
    assert.equal(r.statusCode, 403, page);
    assert.match(r.body, /data-code="live_mode_only"/);
  }
  const invite = await postForm(h, testMode, "/merchant/users", { email: "new.person@merchant.example", role: "support" });
  assert.equal(invite.statusCode, 403);
  assert.match(invite.body, /data-code="live_mode_only"/);
  assert.equal((await postForm(h, testMode, "/merchant/withdrawals", { addressId: "x", asset: "USDT", amount: "1" })).statusCode, 403);
  const users = await getPage(h, live, "/merchant/users");
  assert.equal(users.statusCode, 200);
  assert.doesNotMatch(users.body, /new\.person@/, "the refused invitation made no user");
  assert.doesNotMatch((await getPage(h, testMode, "/merchant/overview")).body, /href="\/merchant\/users"/, "not in the test-mode menu");
  assert.equal((await postForm(h, live, "/merchant/users", { email: "new.person@merchant.example", role: "support" })).statusCode, 201);
});

test("the keys page lists the mode's keys only; a key made in test mode is rmp_test_ and acts for the twin", async () => {
  const testKeys = (await getPage(h, testMode, "/merchant/keys")).body;
  const liveKeys = (await getPage(h, live, "/merchant/keys")).body;
  const testId = twin.apiKey.split("_")[2]!;
  assert.match(testKeys, new RegExp(`data-key="${testId}"`));
  assert.match(testKeys, new RegExp(`rmp_test_${testId}`));
  assert.doesNotMatch(liveKeys, new RegExp(testId));
  const liveId = m.apiKey.split("_")[1]!;
  assert.match(liveKeys, new RegExp(`data-key="${liveId}"`));
  assert.doesNotMatch(testKeys, new RegExp(liveId));
  const viaKey = await h.app.inject({ method: "GET", url: "/merchant/v1/keys", headers: { "x-api-key": twin.apiKey } });
  assert.equal(viaKey.statusCode, 403, "the key made in the portal's test mode is a test key");
});

test("switching back to live clears the mode; a test-mode cookie of another session does not apply", async () => {
  const back = await switchTo(testMode, "live");
  assert.doesNotMatch((await getPage(h, back, "/merchant/payments")).body, /id="test-mode-banner"/);
  const other = await portalSession(h, await createMerchantUser(h, m.merchantId, "support"));
  const stolen = `${other.cookie}; ${testMode.cookie.split("; ")[1]}`;
  const r = await getPage(h, { cookie: stolen }, "/merchant/payments");
  assert.equal(r.statusCode, 200);
  assert.doesNotMatch(r.body, /id="test-mode-banner"/, "the mark is bound to the session it was made for");
});

test("Test messages: test mode only (403 test_mode_only in live), for developers and owners, the twin's own messages only", async () => {
  const other = await createMerchant(h.deps);
  const otherKey = await h.app.inject({ method: "POST", url: "/merchant/v1/keys", headers: { "x-api-key": other.apiKey, "content-type": "application/json" }, payload: JSON.stringify({ label: "t", mode: "test" }) });
  assert.equal(otherKey.statusCode, 201, otherKey.body);
  const otherTwin = (await h.deps.database.db.selectFrom("merchants").select("id").where("test_of", "=", other.merchantId).executeTakeFirstOrThrow()).id;
  await sendCustomerSms(h.deps, twin.id, "+447700900101", "Your confirmation code is 1234 (ours)");
  await sendCustomerSms(h.deps, otherTwin, "+447700900202", "Your confirmation code is 1234 (theirs)");

  const liveOverview = (await getPage(h, live, "/merchant/overview")).body;
  assert.doesNotMatch(liveOverview, /href="\/merchant\/test-messages"/, "not in the live menu");
  const refused = await getPage(h, live, "/merchant/test-messages");
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /data-code="test_mode_only"/);

  assert.match((await getPage(h, testMode, "/merchant/overview")).body, /href="\/merchant\/test-messages"/);
  const inbox = await getPage(h, testMode, "/merchant/test-messages");
  assert.equal(inbox.statusCode, 200, inbox.body.slice(0, 300));
  assert.match(inbox.body, /\(ours\)/);
  assert.doesNotMatch(inbox.body, /theirs|\+447700900202/, "another merchant's twin's message is not shown");

  for (const [role, status] of [["developer", 200], ["finance", 403], ["support", 403]] as const) {
    const s = await switchTo(await portalSession(h, await createMerchantUser(h, m.merchantId, role)), "test");
    const r = await getPage(h, s, "/merchant/test-messages");
    assert.equal(r.statusCode, status, `${role}: ${r.body.slice(0, 300)}`);
    if (status === 403) assert.match(r.body, /data-code="role_forbidden"/);
  }
});
