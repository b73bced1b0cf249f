// The console's payments explorer and payment page in real headless Chromium (issue 18): search by the
// merchant's external id and by filters finds the right pay-in; its page shows every status change and
// each webhook attempt (a 500, then the delivery); a viewer sees no action and a decision it posts anyway
// is refused (role_forbidden, nothing changed); support decides the
// dispute and resends a webhook from the page and lands back on it; both pages pass axe at 390 px and
// desk size, as do an intent's page and a card payment's held for review, which support releases after
// the step that says what releasing does; and the page's CSV link downloads 10,000 payments (seeded
// set-based) complete; an admin refunds a paid pay-in from its page after its confirmation.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Browser, Page } from "playwright-core";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkBothSizes } from "../support/page-checks.js";
import { cardRowId, insertPaymentRows, intentRowId } from "../support/payment-rows.js";
import { createStaff, signInStaff, type StaffMember } from "../support/staff.js";
import { drainWorker, setupTrading, type TradingFixture, uploadPngReceipt, useFixedRate, verifyLedgerClean } from "../support/trading.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const skip = browserSkipReason();
const EXTERNAL_ID = "order-explorer-7";
const BULK = 10_000;
let h: Harness;
let fx: TradingFixture;
let bulk: MerchantFixture;
let browser: Browser;
let base: string;
let receiver: Receiver;
let staff: Record<"admin" | "support" | "viewer", StaffMember>;
let payinId: string;

const merchant = (url: string, body: unknown) =>
  h.app.inject({ method: "POST", url, headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" }, payload: JSON.stringify(body) });

before(async () => {
  if (skip) return;
  // The first webhook is refused with a 500, every later one delivered.
  receiver = await startReceiver((_req, i) => (i === 0 ? { status: 500, body: "down" } : { status: 200, body: "ok" }));
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { settings: { webhookUrl: `${receiver.url}/hook` } });
  staff = { admin: await createStaff(h, "admin"), support: await createStaff(h, "support"), viewer: await createStaff(h, "viewer") };

  // A pay-in with the merchant's external id, disputed by the merchant and taken into review by the trader.
  const created = await merchant("/payment/trading/pay-in", { fiatAmount: 7300, extra: { externalTransactionId: EXTERNAL_ID } });
  assert.equal(created.statusCode, 201, created.body);
  payinId = created.json().id;
  const invoiceKey = await uploadPngReceipt(h.app, fx.merchant.apiKey, payinId);
  assert.equal((await merchant(`/payment/trading/pay-in/${payinId}/dispute`, { invoiceKey, fiatAmount: 7300, comment: "paid" })).statusCode, 200);
  const review = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${payinId}/review`, headers: { "x-trader-key": fx.traders[0]!.traderKey } });
  assert.equal(review.json().status, "checking", review.body);
  await drainWorker(h.deps); // first delivery: 500
  h.clock.advance(60 * 60_000); // past the retry backoff
  await drainWorker(h.deps); // retried: delivered

  // 10,000 payments of another merchant, inserted set-based, for the export.
  bulk = await createMerchant(h.deps, { name: "Bulk Shop" });
  const trader = { traderId: fx.traders[0]!.traderId, requisiteId: fx.requisiteIds[0]! };
  await insertPaymentRows(h.deps.database.db, { tag: "bulk", merchantId: bulk.merchantId, storeId: bulk.storeId, trader, trading: 4000, intents: 3000, cards: 3000, start: new Date("2026-01-01T00:00:00Z") });

  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
  await receiver?.close();
});

async function signedIn(who: keyof typeof staff): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInStaff(page, base, h, staff[who]);
  return page;
}

const shownIds = (page: Page) => page.locator("#payments tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-payment")));

test("search by external id and by filters finds the pay-in; the explorer passes axe at both sizes", { skip }, async () => {
  const page = await signedIn("support");
  await page.click("nav >> text=Payments");
  await page.waitForURL(/\/dashboard\/payments$/);
  await page.fill("#f-q", EXTERNAL_ID);
  await page.click("#payment-filters button[type=submit]");
  await page.waitForURL(/q=order-explorer-7/);
  assert.deepEqual(await shownIds(page), [payinId]);

  await page.click("text=Clear");
  await page.selectOption("#f-dialect", "trading");
  await page.fill("#f-status", "checking");
  await page.fill("#f-merchant", fx.merchant.merchantId);
  await page.selectOption("#f-risk", "none");
  await page.click("#payment-filters button[type=submit]");
  await page.waitForURL(/status=checking/);
  assert.deepEqual(await shownIds(page), [payinId]);
  assert.equal(await page.locator(`#payments [data-status="checking"]`).count(), 1);
  await checkBothSizes(page, "dashboard-payments");

  // A filter the query refuses is a message on the page, not an error page.
  await page.goto(`${base}/dashboard/payments?from=2026-02-30`);
  assert.match((await page.textContent("#filter-error")) ?? "", /not a real date/);
  await page.close();
});

test("the payment page shows its status changes and each webhook attempt, and passes axe at both sizes", { skip }, async () => {
  const page = await signedIn("support");
  await page.goto(`${base}/dashboard/payments?q=${EXTERNAL_ID}`);
  await page.click(`#payments a[href$="${payinId}"]`);
  await page.waitForURL(new RegExp(`/dashboard/payments/${payinId}$`));
  assert.equal(await page.textContent("#payment-id"), payinId);
  assert.deepEqual(await page.locator("#timeline li").evaluateAll((li) => li.map((x) => x.getAttribute("data-to"))), ["active", "dispute", "checking"]);
  const timeline = (await page.textContent("#timeline")) ?? "";
  for (const actor of ["merchant", "trader"]) assert.match(timeline, new RegExp(`by ${actor}`));

  const attempts = await page.locator("#webhooks tr.attempt td:nth-child(3)").allTextContents();
  assert.ok(attempts.includes("500") && attempts.includes("200"), `attempts: ${attempts.join(", ")}`);
  assert.ok((await page.locator("#webhooks button", { hasText: "Resend" }).count()) >= 1, "support may resend a webhook");
  assert.equal(await page.locator("#receipts a[download]").count(), 1);
  assert.ok((await page.locator("#ledger [data-transfer]").count()) >= 1, "the pay-in's hold is booked");
  assert.equal(await page.locator("#actions button[value=paid]").count(), 1);
  await checkBothSizes(page, "dashboard-payment");
  await page.close();
});

test("a viewer sees the payment page without a single action; a decision it posts anyway is refused with role_forbidden", { skip }, async () => {
  const page = await signedIn("viewer");
  await page.goto(`${base}/dashboard/payments/${payinId}`);
  assert.equal(await page.textContent("#payment-id"), payinId);
  assert.equal(await page.locator("#timeline li").count(), 3);
  // The only form that posts is signing out.
  assert.deepEqual(await page.locator("form[method=post]").evaluateAll((f) => f.map((x) => x.getAttribute("action"))), ["/dashboard/logout"]);
  assert.equal(await page.locator("#actions").count(), 0);
  // Sent anyway (the form support sees, with the viewer's own CSRF token): the refusal page names the
  // code and what the role lacks, passes axe, and the pay-in is still in review.
  const csrf = await page.getAttribute("form[action='/dashboard/logout'] input[name=csrf]", "value");
  await page.evaluate(`(() => {
    const f = document.createElement("form");
    f.method = "post";
    f.action = "/dashboard/disputes/${payinId}/resolve";
    for (const [name, value] of [["csrf", ${JSON.stringify(csrf)}], ["outcome", "paid"]]) {
      const i = document.createElement("input");
      i.type = "hidden"; i.name = name; i.value = value;
      f.append(i);
    }
    document.body.append(f);
    f.submit();
  })()`);
  await page.waitForSelector("#refusal");
  assert.equal(await page.getAttribute("#refusal", "data-code"), "role_forbidden");
  assert.match((await page.textContent("#refusal")) ?? "", /The viewer role may not decide trading disputes/);
  await checkBothSizes(page, "dashboard-refusal");
  assert.equal((await h.deps.database.db.selectFrom("trading_payins").select("status").where("id", "=", payinId).executeTakeFirstOrThrow()).status, "checking");
  await page.close();
});

test("support decides the dispute and resends a webhook from the payment page, and is brought back to it", { skip }, async () => {
  const page = await signedIn("support");
  const back = new RegExp(`/dashboard/payments/${payinId}\\?ok=`);
  await page.goto(`${base}/dashboard/payments/${payinId}`);
  await page.click("#actions summary >> text=Paid as claimed…");
  await page.click("#actions button[value=paid]");
  await page.waitForURL(back);
  assert.match((await page.textContent("main")) ?? "", /is now closed/);
  assert.equal(await page.getAttribute("#summary", "data-status"), "closed");
  assert.equal(await page.locator("#actions").count(), 0, "nothing left to decide");
  const last = page.locator("#timeline li").last();
  assert.equal(await last.getAttribute("data-to"), "closed");
  assert.match((await last.textContent()) ?? "", new RegExp(`by support ${staff.support.email}`), "the operator by e-mail");

  const first = page.locator("#webhooks [data-event]").first();
  const eventId = (await first.getAttribute("data-event"))!;
  await first.locator("button", { hasText: "Resend" }).click();
  await page.waitForURL(back);
  assert.match((await page.textContent("main")) ?? "", /queued again/);
  const m = await h.deps.database.db.selectFrom("webhook_messages").select("status").where("event_id", "=", eventId).executeTakeFirstOrThrow();
  assert.equal(m.status, "pending");
  await page.close();
});

test("an intent's and a held card payment's pages pass axe; support releases the card payment after the step that says what it does", { skip }, async () => {
  const held = cardRowId("bulk", 7);
  await sql`INSERT INTO risk_decisions (id, merchant_id, flow, payment_id, decision, score, reasons, review_status, created_at)
    VALUES (gen_random_uuid(), ${bulk.merchantId}::uuid, 'card', ${held}, 'review', 70, '[]'::jsonb, 'pending', now())`.execute(h.deps.database.db);
  const page = await signedIn("support");
  await page.goto(`${base}/dashboard/payments/${intentRowId("bulk", 7)}`);
  assert.equal(await page.getAttribute("#summary", "data-dialect"), "intent");
  await checkBothSizes(page, "dashboard-payment-intent");

  await page.goto(`${base}/dashboard/payments/${held}`);
  await page.click("#risk-review summary >> text=Release…");
  assert.ok(await page.isVisible("text=The offer may be paid."));
  await checkBothSizes(page, "dashboard-payment-card-review");
  await page.click("#risk-review button >> text=Release the payment");
  await page.waitForURL(new RegExp(`/dashboard/payments/${held}\\?ok=`));
  assert.match((await page.textContent("#risk")) ?? "", new RegExp(`released by ${staff.support.email}`));
  assert.equal(await page.locator("#risk-review").count(), 0);
  await page.close();
});

test("the page's CSV link downloads the filtered 10,000 payments complete", { skip }, async () => {
  const page = await signedIn("viewer");
  await page.goto(`${base}/dashboard/payments?merchant=${bulk.merchantId}`);
  const started = Date.now();
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const text = fs.readFileSync((await download.path())!, "utf8");
  const seconds = (Date.now() - started) / 1000;
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  assert.equal(lines[0], "dialect,id,created_at,status,merchant_id,merchant_name,store_id,trader_id,external_id,payer,fiat_amount,fiat_currency,crypto_amount_minor,crypto_currency,crypto_network,risk");
  assert.equal(lines.length, BULK + 1);
  assert.ok(lines.slice(1).every((l) => l.includes(bulk.merchantId)), "only the filtered merchant");
  console.log(`# CSV export of ${BULK} payments through the console link: ${seconds.toFixed(2)} s`);
  assert.ok(seconds < 20, `export took ${seconds} s`);
  await page.close();
});

test("an admin refunds a paid pay-in from its page after the confirmation that says what the ledger does; the page passes axe before and after", { skip }, async () => {
  const created = await merchant("/payment/trading/pay-in", { fiatAmount: 4100 });
  const id = created.json().id as string;
  const confirmed = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${id}/confirm`, headers: { "x-trader-key": fx.traders[0]!.traderKey } });
  assert.equal(confirmed.json().status, "closed", confirmed.body);
  const page = await signedIn("admin");
  await page.goto(`${base}/dashboard/payments/${id}`);
  await page.click("#refund summary >> text=Refund the payment…");
  assert.ok(await page.isVisible("text=returns to the trader's deposit"));
  await checkBothSizes(page, "dashboard-payment-refund-confirm");
  await page.fill("#refund-reason", "the order was never shipped");
  await page.click("#refund button >> text=Yes, refund 4100.00 RUB");
  await page.waitForURL(new RegExp(`/dashboard/payments/${id}\\?ok=`));
  assert.equal(await page.getAttribute("#refund", "data-status"), "pending");
  assert.match((await page.textContent("#refund")) ?? "", /Owed to the payer\s*4100\.00 RUB/);
  await checkBothSizes(page, "dashboard-payment-refunded");
  // The Refund orders page lists it as owed to the payer, linking back to the pay-in.
  await page.goto(`${base}/dashboard/refunds`);
  assert.equal(await page.locator(`#payment-refunds-owed a[href="/dashboard/payments/${id}"]`).count(), 1);
  await checkBothSizes(page, "dashboard-refunds-owed");
  await verifyLedgerClean(h.deps);
  await page.close();
});
