// GET /admin/v1/payments and /admin/v1/payments.csv (issue 18): one list over the three flows for the
// operator (every tenant), search by each kind of id, filters, keyset paging that stays stable while
// new payments arrive, index-driven queries, and the streamed CSV export with its formula guard.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { parsePaymentFilter } from "../../src/app/payments/payment-explorer.js";
import { flowPageQuery } from "../../src/db/payments/payment-search.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { cardRowId, insertPaymentRows, intentRowId, tradingRowId } from "../support/payment-rows.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let op: string;
let fx: TradingFixture;
let other: MerchantFixture;
const START = new Date("2026-03-01T10:00:00.000Z");

before(async () => {
  h = await createHarness();
  op = await createOperatorKey(h.deps, "test");
  fx = await setupTrading(h.deps);
  other = await createMerchant(h.deps, { name: "Other Shop" });
  const trader = { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! };
  // Merchant A: 6 of each flow; merchant B: 4 intents. Rows of the three flows share instants.
  await insertPaymentRows(h.deps.database.db, { tag: "a", merchantId: fx.merchant.merchantId, storeId: fx.merchant.storeId, trader, trading: 6, intents: 6, cards: 6, start: START });
  await insertPaymentRows(h.deps.database.db, { tag: "b", merchantId: other.merchantId, storeId: other.storeId, trader: null, intents: 4, start: START, stepMs: 1500 });
});
after(async () => h.close());

const get = (url: string, key: string | null = op) => h.app.inject({ method: "GET", url, headers: key ? { "x-operator-key": key } : {} });
type Item = { dialect: string; id: string; merchantId: string; status: string; createdAt: string; externalId: string | null; payer: string | null; risk: string | null };
const list = async (query: string): Promise<{ items: Item[]; nextCursor: string | null }> => {
  const r = await get(`/admin/v1/payments?${query}`);
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
};
const ids = (items: Item[]) => items.map((i) => `${i.dialect}:${i.id}`);

async function allPages(query: string, limit: number, between?: () => Promise<void>): Promise<Item[]> {
  const out: Item[] = [];
  let cursor: string | null = null;
  do {
    const page = await list(`${query}&limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    assert.ok(page.items.length <= limit);
    out.push(...page.items);
    cursor = page.nextCursor;
    await between?.();
  } while (cursor);
  return out;
}

test("operator key required", async () => {
  assert.equal((await get("/admin/v1/payments", null)).statusCode, 401);
  assert.equal((await get("/admin/v1/payments.csv", "rk_op_wrong")).statusCode, 401);
});

test("one list over every tenant and flow, newest first; merchant filter narrows to one tenant", async () => {
  const all = (await list("limit=200")).items;
  assert.equal(all.length, 22);
  assert.deepEqual(new Set(all.map((i) => i.merchantId)), new Set([fx.merchant.merchantId, other.merchantId]));
  assert.deepEqual(new Set(all.map((i) => i.dialect)), new Set(["trading", "intent", "card"]));
  const times = all.map((i) => i.createdAt);
  assert.deepEqual(times, [...times].sort().reverse(), "newest first");
  // At one instant: trading, then intent, then card.
  const newestOfA = all.filter((i) => i.createdAt === "2026-03-01T10:00:05.000Z");
  assert.deepEqual(ids(newestOfA), [`trading:${tradingRowId("a", 5)}`, `intent:${intentRowId("a", 5)}`, `card:${cardRowId("a", 5)}`]);
  const b = (await list(`merchant=${other.merchantId}`)).items;
  assert.equal(b.length, 4);
  assert.ok(b.every((i) => i.merchantId === other.merchantId && i.dialect === "intent"));
  assert.equal(b[0]!.status, "payment_received", "an intent's status is named");
});

test("paging: every row once, in order, also while newer payments arrive between pages", async () => {
  const whole = ids((await list("limit=200")).items);
  for (const limit of [1, 4, 7]) assert.deepEqual(ids(await allPages("", limit)), whole, `limit ${limit}`);
  const ofA = ids((await list(`merchant=${fx.merchant.merchantId}&limit=200`)).items);
  let k = 0;
  const arrive = async () => {
    k++;
    await insertPaymentRows(h.deps.database.db, {
      tag: `late${k}`,
      merchantId: fx.merchant.merchantId,
      storeId: fx.merchant.storeId,
      trader: null,
      intents: 1,
      cards: 1,
      start: new Date("2026-04-01T00:00:00Z"),
    });
  };
  assert.deepEqual(ids(await allPages(`merchant=${fx.merchant.merchantId}`, 5, arrive)), ofA, "newer rows never shift the pages");
  const fresh = (await list(`q=${encodeURIComponent(intentRowId("late1", 0))}`)).items;
  assert.equal(fresh.length, 1, "and they are listed on a fresh first page");
});

test("search by every kind of id, e-mail, requisite and amount", async () => {
  const db = h.deps.database.db;
  await sql`UPDATE payment_intents SET tx_hash = ${"0x" + "ab".repeat(32)} WHERE id = ${intentRowId("a", 2)}`.execute(db);
  await sql`INSERT INTO bank_transfers (id, external_id, feed, amount_minor, currency, requisite_id, received_at, outcome, trading_payin_id)
    VALUES ('btr_explorer_1', 'BANK-TX-778', 'sandbox', 10003, 'RUB', ${fx.requisiteIds[0]!}::uuid, ${START}, 'paid', ${tradingRowId("a", 3)}::uuid)`.execute(db);
  await sql`INSERT INTO bank_transfers (id, external_id, feed, amount_minor, currency, reference, received_at, outcome, intent_id)
    VALUES ('btr_explorer_2', 'BANK-TX-779', 'sandbox', 10004, 'EUR', 'REFA4', ${START}, 'paid', ${intentRowId("a", 4)})`.execute(db);
  const offer = await sql<{ offer_id: string }>`SELECT offer_id::text FROM card_payments WHERE id = ${cardRowId("a", 1)}::uuid`.execute(db);
  const requisite = await sql<{ number: string }>`SELECT number FROM trading_requisites WHERE id = ${fx.requisiteIds[0]!}::uuid`.execute(db);

  const cases: [string, string, string[]][] = [
    ["Rampart id (trading)", tradingRowId("a", 1), [`trading:${tradingRowId("a", 1)}`]],
    ["Rampart id, upper case", tradingRowId("a", 1).toUpperCase(), [`trading:${tradingRowId("a", 1)}`]],
    ["Rampart id (intent)", intentRowId("b", 2), [`intent:${intentRowId("b", 2)}`]],
    ["Rampart id (card)", cardRowId("a", 0), [`card:${cardRowId("a", 0)}`]],
    ["external transaction id", "ext-a-4", [`trading:${tradingRowId("a", 4)}`]],
    ["order number", "ord-b-1", [`intent:${intentRowId("b", 1)}`]],
    ["payment reference", "REFA3", [`intent:${intentRowId("a", 3)}`]],
    ["card offer id", offer.rows[0]!.offer_id, [`card:${cardRowId("a", 1)}`]],
    ["acquirer reference", "acq-a-2", [`card:${cardRowId("a", 2)}`]],
    ["tx hash", "0x" + "ab".repeat(32), [`intent:${intentRowId("a", 2)}`]],
    ["bank transaction id (trading)", "BANK-TX-778", [`trading:${tradingRowId("a", 3)}`]],
    ["bank transaction id (intent)", "BANK-TX-779", [`intent:${intentRowId("a", 4)}`]],
    ["payer e-mail (intent), any case", "Payer3.B@example.com", [`intent:${intentRowId("b", 3)}`]],
    ["payer e-mail (card)", "card.a@example.com", [5, 4, 3, 2, 1, 0].map((n) => `card:${cardRowId("a", n)}`)],
    ["requisite number, spaced", requisite.rows[0]!.number.replace(/(\d{4})/g, "$1 ").trim(), [5, 4, 3, 2, 1, 0].map((n) => `trading:${tradingRowId("a", n)}`)],
    ["amount in major units", "100.05", [`trading:${tradingRowId("a", 5)}`, `intent:${intentRowId("a", 5)}`, `card:${cardRowId("a", 5)}`]],
    ["nothing", "no-such-thing", []],
  ];
  for (const [what, q, expected] of cases) assert.deepEqual(ids((await list(`q=${encodeURIComponent(q)}`)).items), expected, what);
});

test("filters: flow, status by name, store, trader, date range, risk; combined with search", async () => {
  const db = h.deps.database.db;
  assert.ok((await list("dialect=card")).items.every((i) => i.dialect === "card"));
  assert.equal((await list("dialect=trading&status=closed&limit=200")).items.length, 6);
  assert.deepEqual(new Set((await list("status=succeeded&limit=200")).items.map((i) => i.dialect)), new Set(["card"]));
  assert.equal((await list("status=payment_received&limit=200")).items.filter((i) => i.merchantId === other.merchantId).length, 4);
  assert.equal((await list("status=active")).items.length, 0);
  const store = (await list(`store=${other.storeId}&limit=200`)).items;
  assert.equal(store.length, 4);
  assert.ok((await list(`trader=${fx.traders[0]!.traderId}&limit=200`)).items.every((i) => i.dialect === "trading"));
  const window = (await list(`merchant=${fx.merchant.merchantId}&from=2026-03-01T10:00:02Z&to=2026-03-01T10:00:04Z`)).items;
  assert.deepEqual([...new Set(window.map((i) => i.createdAt))], ["2026-03-01T10:00:03.000Z", "2026-03-01T10:00:02.000Z"]);
  await sql`INSERT INTO risk_decisions (id, merchant_id, flow, payment_id, decision, score, reasons, review_status, created_at)
    VALUES (gen_random_uuid(), ${fx.merchant.merchantId}::uuid, 'intent', ${intentRowId("a", 0)}, 'review', 70, '[]', 'pending', ${START})`.execute(db);
  assert.deepEqual(ids((await list("risk=review")).items), [`intent:${intentRowId("a", 0)}`]);
  assert.equal((await list("risk=review")).items[0]!.risk, "review");
  assert.ok(!ids((await list(`risk=none&merchant=${fx.merchant.merchantId}&limit=200`)).items).includes(`intent:${intentRowId("a", 0)}`));
  assert.deepEqual(ids((await list(`q=100.01&dialect=intent&merchant=${fx.merchant.merchantId}`)).items), [`intent:${intentRowId("a", 1)}`]);
});

test("bad filters are 400 validation_failed naming the field", async () => {
  const cases: [string, string][] = [
    ["dialect=crypto", "dialect"],
    ["status=bogus", "status"],
    ["dialect=card&status=closed", "status"],
    ["merchant=not-a-uuid", "merchant"],
    ["from=yesterday", "from"],
    ["from=2026-03-02&to=2026-03-01", "to"],
    ["from=2026-02-30", "from"],
    ["risk=maybe", "risk"],
    ["cursor=abc", "cursor"],
    [`cursor=${Buffer.from(JSON.stringify(["2026-03-01T10:00:00.000000Z", "trading", "x"])).toString("base64url")}`, "cursor"],
    ["limit=0", "limit"],
    ["limit=201", "limit"],
    [`q=${"x".repeat(201)}`, "q"],
    ["unknown=1", "unknown"],
  ];
  for (const [query, field] of cases) {
    const r = await get(`/admin/v1/payments?${query}`);
    assert.equal(r.statusCode, 400, `${query}: ${r.body}`);
    assert.equal(r.json().error, "validation_failed", query);
    if (field !== "unknown") assert.equal(r.json().field, field, query);
  }
  const csv = await get("/admin/v1/payments.csv?status=bogus");
  assert.equal(csv.statusCode, 400, "the export checks its filter before it starts");
});

test("every query is index-driven: no sequential scan of a payments table", async () => {
  const db = h.deps.database.db;
  const plans: string[] = [];
  const queries: Record<string, string>[] = [
    {},
    { q: tradingRowId("a", 1) },
    { q: "ext-a-4" },
    { q: "payer3.b@example.com" },
    { q: "100.05" },
    { q: "BANK-TX-778" },
    { merchant: fx.merchant.merchantId, status: "closed" },
    { store: other.storeId },
    { risk: "review" },
  ];
  for (const query of queries) {
    for (const flow of parsePaymentFilter(query).flows) {
      const after = { at: "2026-03-01T10:00:03.000000Z", dialect: "intent" as const, id: intentRowId("a", 3) };
      const plan = await db.transaction().execute(async (trx) => {
        // With sequential scans priced out, a plan that still has one has no index to use instead.
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        return (await sql<{ "QUERY PLAN": string }>`EXPLAIN ${flowPageQuery(flow.dialect, { ...flow.filter, after, limit: 51 })}`.execute(trx)).rows.map((r) => r["QUERY PLAN"]).join("\n");
      });
      plans.push(plan);
      assert.doesNotMatch(plan, /Seq Scan on (trading_payins|payment_intents|card_payments|card_customers|bank_transfers|card_offers)\b/, `${JSON.stringify(query)} ${flow.dialect}:\n${plan}`);
    }
  }
  assert.ok(plans.length >= 20);
});

test("CSV export: 10,000 payments streamed with an exact header and row count; formula cells guarded", async () => {
  const big = await createMerchant(h.deps, { name: "=Big, \"Shop\"" });
  const trader = { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! };
  const t0 = Date.now();
  await insertPaymentRows(h.deps.database.db, { tag: "big", merchantId: big.merchantId, storeId: big.storeId, trader, trading: 3334, intents: 3333, cards: 3333, start: new Date("2025-01-01T00:00:00Z"), stepMs: 10 });
  const inserted = Date.now() - t0;
  await sql`UPDATE payment_intents SET email = '+1-555@example.com' WHERE id = ${intentRowId("big", 7)}`.execute(h.deps.database.db);
  await sql`UPDATE trading_payins SET external_transaction_id = '@SUM(A1)' WHERE id = ${tradingRowId("big", 8)}::uuid`.execute(h.deps.database.db);
  await sql`UPDATE payment_intents SET order_number = '-2+3' WHERE id = ${intentRowId("big", 9)}`.execute(h.deps.database.db);

  const r = await get(`/admin/v1/payments.csv?merchant=${big.merchantId}`);
  assert.equal(r.statusCode, 200, r.body.slice(0, 500));
  assert.match(String(r.headers["content-type"]), /^text\/csv/);
  assert.match(String(r.headers["content-disposition"]), /attachment; filename="payments.csv"/);
  const lines = r.body.split("\r\n");
  assert.equal(lines.pop(), "", "ends with a line break");
  assert.equal(
    lines[0],
    "dialect,id,created_at,status,merchant_id,merchant_name,store_id,trader_id,external_id,payer,fiat_amount,fiat_currency,crypto_amount_minor,crypto_currency,crypto_network,risk",
  );
  assert.equal(lines.length - 1, 10_000);
  const rows = lines.slice(1);
  assert.equal(new Set(rows.map((l) => l.split(",")[1])).size, 10_000, "every payment once");
  assert.equal(rows.filter((l) => l.startsWith("trading,")).length, 3334);
  const byId = (id: string) => rows.find((l) => l.split(",")[1] === id)!;
  assert.ok(byId(intentRowId("big", 7)).includes(",'+1-555@example.com,"), "a leading + is guarded");
  assert.ok(byId(tradingRowId("big", 8)).includes(",'@SUM(A1),"), "a leading @ is guarded");
  assert.ok(byId(intentRowId("big", 9)).includes(",'-2+3,"), "a leading - is guarded");
  assert.ok(byId(intentRowId("big", 9)).includes(`,"'=Big, ""Shop""",`), "a leading = is guarded and the cell quoted");
  assert.ok(byId(tradingRowId("big", 0)).includes(",100.00,RUB,"), "fiat amounts in major units");
  console.log(`# inserted 10,000 payments in ${inserted} ms; CSV ${r.body.length} bytes`);
});
