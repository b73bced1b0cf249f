// The console overview's figures over inject() (issue 18): payments created and paid per flow over the
// chosen range (by the day they were created), conversion, the median time to pay, the fiat paid per
// currency with trading's scale-2 amounts and the intents' own added exactly, what needs attention now
// (disputes, KYC, webhooks due, jobs failed for good), the traders' free deposits lowest first, and a
// range that is not offered refused with its code. The browser test draws the same page.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { enqueueJob, enqueueWebhook } from "../../src/app/outbox/outbox.js";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { TestClock } from "../support/clock.js";
import { createHarness, type Harness } from "../support/harness.js";
import { insertPaymentRows, intentRowId, tradingRowId } from "../support/payment-rows.js";
import { staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let cookie: string;

before(async () => {
  h = await createHarness({ clock: new TestClock(new Date("2026-03-10T12:00:00.000Z")) });
  // Two traders with 1,000,000 USDT each; the second gets 5 more, so the first is the lowest.
  fx = await setupTrading(h.deps, { traders: 2 });
  await fundTraderDeposit(h.deps, fx.traders[1]!.traderId, 5_000_000n, "test:fund:extra");
  const db = h.deps.database.db;
  const rows = { merchantId: fx.merchant.merchantId, storeId: fx.merchant.storeId, trader: { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! } };
  // Four trading pay-ins on 8 March (10000..10003 kopecks): two paid after 10 and 30 minutes, one
  // canceled, one in dispute. One more on 20 February, paid: inside 30 days, outside 7.
  await insertPaymentRows(db, { ...rows, tag: "a", trading: 4, start: new Date("2026-03-08T10:00:00.000Z"), stepMs: 3_600_000 });
  await insertPaymentRows(db, { ...rows, tag: "c", trading: 1, start: new Date("2026-02-20T10:00:00.000Z") });
  const closeAfter = (tag: string, n: number, minutes: number) =>
    sql`UPDATE trading_payins SET closed_at = created_at + ${minutes} * interval '1 minute' WHERE id = ${tradingRowId(tag, n)}::uuid`.execute(db);
  await closeAfter("a", 0, 10);
  await closeAfter("a", 1, 30);
  await closeAfter("c", 0, 5);
  await sql`UPDATE trading_payins SET status = 'canceled' WHERE id = ${tradingRowId("a", 2)}::uuid`.execute(db);
  await sql`UPDATE trading_payins SET status = 'dispute', dispute_opened_at = created_at WHERE id = ${tradingRowId("a", 3)}::uuid`.execute(db);
  // Three intents on 10 March (EUR 100.00, 100.01, 100.02); only the first reached 5, a minute in.
  await insertPaymentRows(db, { ...rows, tag: "b", intents: 3, start: new Date("2026-03-10T08:00:00.000Z"), stepMs: 3_600_000 });
  await sql`INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at)
    VALUES (${intentRowId("b", 0)}, 4, 5, 'bank_feed', '2026-03-10T08:01:00Z')`.execute(db);
  // One webhook message due for delivery, and one job failed for good.
  await enqueueWebhook(db, {
    merchantId: fx.merchant.merchantId,
    format: "envelope",
    url: "https://merchant.example/hook",
    eventId: "evt_overview_due",
    orderingKey: "overview",
    body: "{}",
    signingKeyRef: { kind: "webhook_secret", merchantId: fx.merchant.merchantId },
  });
  await enqueueJob(db, "files.delete", { keys: [] }, { key: "overview:dead" });
  await sql`UPDATE jobs SET status = 'failed' WHERE key = 'overview:dead'`.execute(db);
  ({ cookie } = await staffSession(h, "viewer"));
});
after(async () => h.close());

const overview = (query = "") => h.app.inject({ method: "GET", url: `/dashboard/overview${query}`, headers: { cookie } });

/** The summary table's cells for one flow: created, paid, conversion, median time to pay. */
function flowRow(body: string, flow: string): string[] {
  const row = new RegExp(`<tr data-flow="${flow}">([\\s\\S]*?)</tr>`).exec(body)?.[1];
  assert.ok(row, `a summary row for ${flow}`);
  return [...row.matchAll(/<td class="mono">([^<]*)<\/td>/g)].map((m) => m[1]!);
}
const text = (body: string, id: string) => new RegExp(`id="${id}">([^<]*)<`).exec(body)?.[1];

test("over 7 days: created, paid, conversion and median time to pay per flow, fiat paid per currency, what needs attention, traders' free deposits", async () => {
  const r = await overview("?range=7");
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, /<strong aria-current="page">7 days<\/strong>/);
  assert.deepEqual(flowRow(r.body, "trading"), ["4", "2", "50.0 %", "20 min"]);
  assert.deepEqual(flowRow(r.body, "intent"), ["3", "1", "33.3 %", "60 s"]);
  assert.deepEqual(flowRow(r.body, "card"), ["0", "0", "—", "—"]);
  assert.equal(text(r.body, "volume-RUB"), "200.01 RUB", "the two paid pay-ins of 8 March");
  assert.equal(text(r.body, "volume-EUR"), "100.00 EUR", "only the intent that reached 5");
  assert.equal(text(r.body, "now-disputes"), "1");
  assert.equal(text(r.body, "now-kyc"), "0");
  assert.equal(text(r.body, "now-webhooks"), "1");
  assert.equal(text(r.body, "now-dead-jobs"), "1");
  // The traders' free deposits, lowest first, each with its exact figure.
  const traders = /<svg role="img" aria-label="Free deposit per trader, lowest first"[\s\S]*?<\/svg>/.exec(r.body)?.[0] ?? "";
  assert.deepEqual([...traders.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]), ["Trader 1", "1000000.000000 USDT", "Trader 2", "1000005.000000 USDT"]);
  assert.match(r.body, /<svg role="img" aria-label="Payments created per day over 7 days, by flow"/);
  assert.match(r.body, /<td>2026-03-08<\/td><td class="mono">200.01<\/td>/, "the RUB chart's figures per day");
  assert.match(r.body, /setInterval\(/, "the page refreshes its figures");
});

test("30 days is the default and takes in the February pay-in", async () => {
  const r = await overview();
  assert.equal(r.statusCode, 200, r.body);
  assert.match(r.body, /<strong aria-current="page">30 days<\/strong>/);
  assert.deepEqual(flowRow(r.body, "trading"), ["5", "3", "60.0 %", "10 min"]);
  assert.equal(text(r.body, "volume-RUB"), "300.01 RUB");
});

test("a range the page does not offer is a 400 page with the stable code", async () => {
  const r = await overview("?range=8");
  assert.equal(r.statusCode, 400);
  assert.match(r.body, /data-code="validation_failed"/);
  assert.match(r.body, /range must be one of 7, 30, 90/);
});
