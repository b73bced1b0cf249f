// GET /merchant/v1/payments, /payments.csv and /payments/{dialect}/{id} (issue 19): the operator's
// explorer with the merchant forced: only its own payments of every dialect, the filters and cursor
// paging, never the trader; one payment with its timeline; another merchant's payment 404.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { addMerchantKey } from "../../src/app/merchants/merchants.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { cardRowId, insertPaymentRows, intentRowId, tradingRowId } from "../support/payment-rows.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let other: MerchantFixture;
let readOnly: string;
let live: { id: string };
const START = new Date("2026-03-01T10:00:00.000Z");

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "95.5") });
  fx = await setupTrading(h.deps);
  other = await createMerchant(h.deps, { name: "Other Shop" });
  const trader = { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! };
  await insertPaymentRows(h.deps.database.db, { tag: "a", merchantId: fx.merchant.merchantId, storeId: fx.merchant.storeId, trader, trading: 3, intents: 3, cards: 3, start: START });
  await insertPaymentRows(h.deps.database.db, { tag: "b", merchantId: other.merchantId, storeId: other.storeId, trader, trading: 2, intents: 2, start: START });
  live = await createPayinOverHttp(h.app, fx.merchant.apiKey, 1500);
  readOnly = (await addMerchantKey(h.deps, fx.merchant.merchantId, "reports", true)).apiKey;
});
after(async () => h.close());

const get = (url: string, key: string | null = fx.merchant.apiKey) => jsonCall(h.app, "GET", url, key ? { "x-api-key": key } : {});
type Item = { dialect: string; id: string; merchantId: string; createdAt: string };

test("a key is required; a wrong key is 401", async () => {
  for (const url of ["/merchant/v1/payments", "/merchant/v1/payments.csv", `/merchant/v1/payments/trading/${live.id}`]) {
    assert.equal((await get(url, null)).status, 401, url);
    assert.equal((await get(url, "rmp_wrong_key")).status, 401, url);
  }
});

test("only the merchant's own payments of every dialect, newest first, without the trader; a read-only key reads", async () => {
  const r = await get("/merchant/v1/payments?limit=200", readOnly);
  assert.equal(r.status, 200, r.text);
  const items = r.json.items as Item[];
  assert.equal(items.length, 10);
  assert.ok(items.every((i) => i.merchantId === fx.merchant.merchantId));
  assert.deepEqual(new Set(items.map((i) => i.dialect)), new Set(["trading", "intent", "card"]));
  assert.ok(items.some((i) => i.id === live.id), "the pay-in created over the API is listed");
  const times = items.map((i) => i.createdAt);
  assert.deepEqual(times, [...times].sort().reverse(), "newest first");
  assert.ok(!r.text.includes("traderId") && !r.text.includes(fx.traders[0]!.traderId), "the trader is never shown");
  const b = (await get("/merchant/v1/payments", other.apiKey)).json.items as Item[];
  assert.deepEqual(new Set(b.map((i) => i.merchantId)), new Set([other.merchantId]));
  assert.equal(b.length, 4);
});

test("filters and paging; the tenant cannot be chosen; bad input names its field", async () => {
  const intents = (await get("/merchant/v1/payments?dialect=intent")).json.items as Item[];
  assert.deepEqual(intents.map((i) => i.id).sort(), [0, 1, 2].map((n) => intentRowId("a", n)).sort());
  // Searching another merchant's id finds nothing.
  assert.deepEqual((await get(`/merchant/v1/payments?q=${tradingRowId("b", 0)}`)).json.items, []);
  assert.equal((await get(`/merchant/v1/payments?q=${tradingRowId("a", 0)}`)).json.items[0].id, tradingRowId("a", 0));
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await get(`/merchant/v1/payments?limit=3${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    assert.ok(page.json.items.length <= 3);
    seen.push(...page.json.items.map((i: Item) => i.id));
    cursor = page.json.nextCursor;
  } while (cursor);
  assert.equal(seen.length, 10);
  assert.equal(new Set(seen).size, 10);
  for (const [query, field] of [
    [`merchant=${other.merchantId}`, "merchant"],
    [`trader=${fx.traders[0]!.traderId}`, "trader"],
    ["limit=201", "limit"],
    ["from=2026-02-30", "from"],
    ["status=nonsense&dialect=trading", "status"],
  ]) {
    const r = await get(`/merchant/v1/payments?${query}`);
    assert.equal(r.status, 400, query);
    assert.equal(r.json.error, "validation_failed");
    assert.equal(r.json.field, field, query);
  }
});

test("one payment with its timeline; another merchant's payment or the wrong dialect is 404", async () => {
  const r = await get(`/merchant/v1/payments/trading/${live.id}`, readOnly);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.payment.id, live.id);
  assert.ok(r.json.events.length >= 1);
  assert.deepEqual(
    { from: r.json.events[0].fromStatus, to: r.json.events[0].toStatus, actor: r.json.events[0].actor },
    { from: null, to: "active", actor: "merchant" },
  );
  assert.ok(!r.text.includes(fx.traders[0]!.traderId));
  assert.equal((await get(`/merchant/v1/payments/intent/${intentRowId("a", 1)}`)).status, 200);
  assert.equal((await get(`/merchant/v1/payments/card/${cardRowId("a", 1)}`)).status, 200);
  for (const url of [
    `/merchant/v1/payments/trading/${tradingRowId("b", 0)}`,
    `/merchant/v1/payments/intent/${intentRowId("b", 0)}`,
    `/merchant/v1/payments/intent/${live.id}`,
    "/merchant/v1/payments/trading/not-a-payment",
  ]) {
    const x = await get(url);
    assert.equal(x.status, 404, url);
    assert.equal(x.json.error, "not_found");
  }
  assert.equal((await get(`/merchant/v1/payments/trading/${tradingRowId("b", 0)}`, other.apiKey)).status, 200, "its own merchant sees it");
});

test("CSV: the merchant's own rows, no trader column", async () => {
  const r = await h.app.inject({ method: "GET", url: "/merchant/v1/payments.csv", headers: { "x-api-key": readOnly } });
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers["content-type"]), /text\/csv/);
  const lines = r.body.trim().split("\r\n");
  assert.ok(!lines[0]!.includes("trader_id"));
  assert.ok(lines[0]!.startsWith("dialect,id,created_at,status,merchant_id"));
  assert.equal(lines.length, 11);
  assert.ok(lines.slice(1).every((l) => l.includes(fx.merchant.merchantId)));
  const filtered = await h.app.inject({ method: "GET", url: "/merchant/v1/payments.csv?dialect=card", headers: { "x-api-key": fx.merchant.apiKey } });
  assert.equal(filtered.body.trim().split("\r\n").length, 4);
  const bad = await h.app.inject({ method: "GET", url: `/merchant/v1/payments.csv?merchant=${other.merchantId}`, headers: { "x-api-key": fx.merchant.apiKey } });
  assert.equal(bad.statusCode, 400);
});
