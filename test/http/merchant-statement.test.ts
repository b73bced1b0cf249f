// GET /merchant/v1/balance and /merchant/v1/statement (issue 19): every movement of the merchant's
// available balance in a range (payment credits, an adjustment, a hold and its release, a pending
// credit posted), with opening + movements = closing, closing at the present = the live balance, pages
// that join up, and `ledger verify` clean.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { getBalance, postPending, postTransfer, voidPending } from "../../src/app/ledger/ledger.js";
import { addMerchantKey } from "../../src/app/merchants/merchants.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let other: MerchantFixture;
let readOnly: string;
const marks: Date[] = [];
const balanceAccount = () => ({ owner: `merchant:${fx.merchant.merchantId}`, asset: "USDT", purpose: "merchant_balance" as const });
const platform = { owner: "platform", asset: "USDT", purpose: "platform_funding" as const };

async function settledPayin(amount: number): Promise<void> {
  const p = await createPayinOverHttp(h.app, fx.merchant.apiKey, amount);
  h.clock.advance(60_000);
  const c = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${p.id}/confirm`, headers: { "x-trader-key": fx.traders[0]!.traderKey } });
  assert.equal(c.statusCode, 200, c.body);
}

const book = (f: Parameters<typeof postTransfer>[1]) => h.deps.database.db.transaction().execute((trx) => postTransfer(trx, f, h.clock.now()));

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "95.5") });
  fx = await setupTrading(h.deps);
  other = await createMerchant(h.deps, { name: "Other Shop" });
  readOnly = (await addMerchantKey(h.deps, fx.merchant.merchantId, "books", true)).apiKey;
  await settledPayin(1000);
  h.clock.advance(3_600_000);
  marks.push(h.clock.now());
  await settledPayin(2500);
  // An adjustment out of the balance, and a hold on it that is released later.
  h.clock.advance(60_000);
  await book({ id: "test:adjust", code: "manual_adjustment", ref: { type: "test", id: "adjust" }, entries: [{ account: balanceAccount(), amountMinor: -1_000_000n }, { account: platform, amountMinor: 1_000_000n }] });
  h.clock.advance(60_000);
  await book({ id: "test:hold", code: "test_hold", ref: { type: "test", id: "hold" }, pending: {}, entries: [{ account: balanceAccount(), amountMinor: -2_000_000n }, { account: platform, amountMinor: 2_000_000n }] });
  h.clock.advance(3_600_000);
  marks.push(h.clock.now());
  // A pending credit (as older trading holds booked them), posted later; and the hold released.
  await book({ id: "test:credit", code: "test_pending_credit", ref: { type: "test", id: "credit" }, pending: {}, entries: [{ account: platform, amountMinor: -3_000_000n }, { account: balanceAccount(), amountMinor: 3_000_000n }] });
  h.clock.advance(60_000);
  await h.deps.database.db.transaction().execute(async (trx) => {
    await postPending(trx, "test:credit", h.clock.now());
    await voidPending(trx, "test:hold", h.clock.now());
  });
  h.clock.advance(60_000);
  await settledPayin(700);
  h.clock.advance(1000);
});
after(async () => h.close());

const get = (url: string, key: string | null = fx.merchant.apiKey) => jsonCall(h.app, "GET", url, key ? { "x-api-key": key } : {});
type Line = { at: string; kind: string; code: string; amountMinor: string; balanceAfterMinor: string; transferId: string };
type Page = { items: Line[]; nextCursor: string | null; openingBalanceMinor: string };
const sum = (items: Line[]) => items.reduce((s, l) => s + BigInt(l.amountMinor), 0n);

test("a key is required; a wrong key is 401", async () => {
  for (const url of ["/merchant/v1/balance", "/merchant/v1/statement?asset=USDT"]) {
    assert.equal((await get(url, null)).status, 401);
    assert.equal((await get(url, "rmp_wrong")).status, 401);
  }
});

test("the whole history: opening 0, every movement, closing = the live balance; ledger verify is clean", async () => {
  const r = await get("/merchant/v1/statement?asset=USDT&limit=500", readOnly);
  assert.equal(r.status, 200, r.text);
  const s = r.json;
  const items = s.items as Line[];
  assert.equal(s.openingBalanceMinor, "0");
  assert.equal(BigInt(s.closingBalanceMinor), sum(items), "opening + movements = closing");
  const live = await getBalance(h.deps.database.db, balanceAccount());
  assert.equal(BigInt(s.closingBalanceMinor), live.available, "closing at the present = the live balance");
  assert.deepEqual(
    items.map((l) => [l.kind, l.code]),
    [
      ["posted", "trading_payin_credit"],
      ["posted", "trading_payin_credit"],
      ["posted", "manual_adjustment"],
      ["hold", "test_hold"],
      // Both resolved at one instant: in entry order (the hold was booked first).
      ["hold_released", "test_hold"],
      ["hold_posted", "test_pending_credit"],
      ["posted", "trading_payin_credit"],
    ],
  );
  assert.equal(items[2]!.amountMinor, "-1000000");
  assert.equal(items[3]!.amountMinor, "-2000000");
  assert.equal(items[4]!.amountMinor, "2000000");
  assert.equal(items[5]!.amountMinor, "3000000");
  let running = 0n;
  for (const l of items) {
    running += BigInt(l.amountMinor);
    assert.equal(l.balanceAfterMinor, running.toString());
  }
  const times = items.map((l) => l.at);
  assert.deepEqual(times, [...times].sort());
  const balance = await get("/merchant/v1/balance", readOnly);
  assert.equal(balance.status, 200);
  const usdt = balance.json.items.find((b: { asset: string }) => b.asset === "USDT");
  assert.equal(usdt.availableMinor, live.available.toString());
  assert.equal(usdt.scale, 6);
  await verifyLedgerClean(h.deps);
});

test("a range: opening is the balance at from, opening + the range's movements = closing", async () => {
  const [from, to] = [marks[0]!.toISOString(), marks[1]!.toISOString()];
  const r = await get(`/merchant/v1/statement?asset=usdt&from=${from}&to=${to}`);
  assert.equal(r.status, 200, r.text);
  const items = r.json.items as Line[];
  assert.deepEqual(
    items.map((l) => l.code),
    ["trading_payin_credit", "manual_adjustment", "test_hold"],
  );
  const whole = (await get("/merchant/v1/statement?asset=USDT")).json;
  assert.equal(r.json.openingBalanceMinor, whole.items[0].amountMinor, "the first credit came before the range");
  assert.equal(BigInt(r.json.closingBalanceMinor), BigInt(r.json.openingBalanceMinor) + sum(items));
  assert.equal(items[items.length - 1]!.balanceAfterMinor, r.json.closingBalanceMinor);
  // The next range opens where this one closed.
  const next = (await get(`/merchant/v1/statement?asset=USDT&from=${to}`)).json;
  assert.equal(next.openingBalanceMinor, r.json.closingBalanceMinor);
});

test("pages join up: same movements, running balance continuous", async () => {
  const whole = (await get("/merchant/v1/statement?asset=USDT")).json.items as Line[];
  const paged: Line[] = [];
  let cursor: string | null = null;
  do {
    const page = (await get(`/merchant/v1/statement?asset=USDT&limit=2${cursor ? `&cursor=${cursor}` : ""}`)).json as Page;
    assert.ok(page.items.length <= 2);
    assert.equal(page.openingBalanceMinor, "0");
    paged.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(paged, whole);
});

test("bad input names its field; another merchant's statement is its own (empty)", async () => {
  for (const [query, code, field] of [
    ["", "validation_failed", "asset"],
    ["asset=NOPE1", "unknown_currency", "asset"],
    ["asset=USDT&from=2026-05-01&to=2026-04-01", "validation_failed", "to"],
    ["asset=USDT&from=yesterday", "validation_failed", "from"],
    ["asset=USDT&cursor=bm9wZQ", "validation_failed", "cursor"],
    // Well-formed, but no such day: PostgreSQL would refuse it.
    [`asset=USDT&cursor=${Buffer.from(JSON.stringify(["2026-02-31T00:00:00.000000Z", "1", 0])).toString("base64url")}`, "validation_failed", "cursor"],
    ["asset=USDT&limit=501", "validation_failed", "limit"],
  ]) {
    const r = await get(`/merchant/v1/statement?${query}`);
    assert.equal(r.status, 400, `${query}: ${r.text}`);
    assert.equal(r.json.error, code, query);
    assert.equal(r.json.field, field, query);
  }
  const o = (await get("/merchant/v1/statement?asset=USDT", other.apiKey)).json;
  assert.deepEqual([o.openingBalanceMinor, o.closingBalanceMinor, o.items], ["0", "0", []]);
  assert.deepEqual((await get("/merchant/v1/balance", other.apiKey)).json.items, []);
});

// Last: it books a new movement after the fixture's history.
test("a cursor keeps its range: the next pages end at the first page's `to` although money moved since; another `to` with it is 400", async () => {
  const first = (await get("/merchant/v1/statement?asset=USDT&limit=2")).json;
  assert.equal(first.to, h.clock.now().toISOString(), "to defaults to now");
  const whole = (await get(`/merchant/v1/statement?asset=USDT&to=${first.to}`)).json;
  h.clock.advance(60_000);
  await settledPayin(300);
  const paged: Line[] = [...(first.items as Line[])];
  let cursor: string | null = first.nextCursor;
  while (cursor) {
    const page = (await get(`/merchant/v1/statement?asset=USDT&limit=2&cursor=${cursor}`)).json;
    assert.equal(page.to, first.to, "every page reads the first page's range");
    assert.equal(page.closingBalanceMinor, first.closingBalanceMinor);
    paged.push(...page.items);
    cursor = page.nextCursor;
  }
  assert.deepEqual(paged, whole.items, "the pay-in settled after the first page is not in its range");
  assert.equal(paged[paged.length - 1]!.balanceAfterMinor, first.closingBalanceMinor);
  h.clock.advance(1000);
  const now = (await get("/merchant/v1/statement?asset=USDT")).json;
  assert.ok(BigInt(now.closingBalanceMinor) > BigInt(first.closingBalanceMinor), "a fresh statement sees it");

  const other = await get(`/merchant/v1/statement?asset=USDT&limit=2&cursor=${first.nextCursor}&to=${h.clock.now().toISOString()}`);
  assert.equal(other.status, 400, other.text);
  assert.equal(other.json.field, "to");
  const same = await get(`/merchant/v1/statement?asset=USDT&limit=2&cursor=${first.nextCursor}&to=${first.to}`);
  assert.equal(same.status, 200, "the same to is fine");
});
