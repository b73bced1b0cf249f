// The trader cabinet in real headless Chromium at phone size: the trader signs in with a trader key,
// confirms an open pay-in (it closes and the merchant's balance is credited, as through
// POST /trader/v1/pay-ins/:id/confirm), opens review of a dispute and answers it with a receipt upload
// and the amount that arrived, and switches a requisite off and on.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { merchantCryptoBalance, traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, uploadPngReceipt, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;
let page: Page;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9, 9]);

const merchant = (method: "GET" | "POST", url: string, body?: unknown, extra: Record<string, string> = {}) =>
  h.app.inject({
    method,
    url,
    headers: { "x-api-key": fx.merchant.apiKey, ...extra, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

async function createPayin(fiatAmount: number) {
  const r = await merchant("POST", "/payment/trading/pay-in", { fiatAmount });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as { id: string; cryptoAmount: string; merchantFee: string; status: string };
}

before(async () => {
  if (skip) return;
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true });
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("trader signs in and confirms an open pay-in: closed, merchant credited, deposit hold posted", { skip }, async () => {
  const p = await createPayin(7300);
  const balanceBefore = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const traderId = fx.traders[0]!.traderId;
  assert.ok((await traderDepositBalance(h.deps, traderId)).pendingDebits > 0n, "crypto held while open");

  await page.goto(`${base}/cabinet`);
  assert.match(page.url(), /\/cabinet\/login$/, "no session: sent to sign-in");
  await page.fill("#key", "rtr_0000000000000000_wrongwrongwrongwrongwrongwrong");
  await page.click("button[type=submit]");
  assert.match((await page.textContent("body")) ?? "", /not valid/);
  await page.fill("#key", fx.traders[0]!.traderKey);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/cabinet$/);

  const card = page.locator(`[data-payin="${p.id}"]`);
  assert.match((await card.textContent()) ?? "", /7300\.00 RUB/);
  await page.screenshot({ path: artifactPath("cabinet-open-payin.png"), fullPage: true });
  await card.locator("text=Confirm received").click();
  await page.waitForURL(/\/cabinet\?ok=/);
  assert.match((await page.textContent("body")) ?? "", new RegExp(`Pay-in ${p.id} confirmed: closed`));
  assert.equal(await page.locator(`[data-payin="${p.id}"]`).count(), 0);

  assert.equal((await merchant("GET", `/payment/trading/${p.id}`)).json().status, "closed");
  const net = BigInt(p.cryptoAmount) - BigInt(p.merchantFee);
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), balanceBefore + net);
  assert.equal((await merchant("GET", "/payment/account")).json().balance, (balanceBefore + net).toString());
  assert.equal((await traderDepositBalance(h.deps, traderId)).pendingDebits, 0n, "hold posted");
  const events = await h.deps.database.db.selectFrom("trading_payin_events").selectAll().where("payin_id", "=", p.id).execute();
  assert.deepEqual(events.at(-1)!.actor, "trader");
  await verifyLedgerClean(h.deps);
});

test("trader opens review of a dispute and answers with a receipt and the amount that arrived", { skip }, async () => {
  const p = await createPayin(7400);
  await merchant("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  const d = await merchant("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id), fiatAmount: 7400 });
  assert.equal(d.statusCode, 200, d.body);

  await page.goto(`${base}/cabinet#disputes`);
  const card = page.locator(`[data-payin="${p.id}"]`);
  assert.match((await card.textContent()) ?? "", /disputed/);
  await card.locator("text=Open review").click();
  await page.waitForURL(/\/cabinet\?ok=/);
  assert.equal((await merchant("GET", `/payment/trading/${p.id}`)).json().status, "checking");

  const review = page.locator(`[data-payin="${p.id}"]`);
  assert.match((await review.textContent()) ?? "", /under review/);
  await review.locator("input[name=fiatAmount]").fill("7000.00");
  await review.locator("input[type=file]").setInputFiles({ name: "bank.png", mimeType: "image/png", buffer: PNG });
  await page.screenshot({ path: artifactPath("cabinet-dispute-answer.png"), fullPage: true });
  await review.locator("text=Send answer").click();
  await page.waitForURL(/\/cabinet\?ok=/);
  assert.match((await page.textContent("body")) ?? "", /Answer sent/);

  const after = (await merchant("GET", `/payment/trading/${p.id}`)).json();
  assert.equal(after.status, "checking");
  assert.equal(after.disputeTraderFiatAmount, "7000.00");
  assert.match(after.disputeTraderCheckUrl, /\/file\/trading\/pay-in\/invoice\/inv_/);
  const receipts = await h.deps.database.db.selectFrom("trading_receipts").selectAll().where("payin_id", "=", p.id).where("uploaded_by", "=", "trader").execute();
  assert.equal(receipts.length, 1);
  assert.equal(receipts[0]!.content_type, "image/png");
});

test("trader switches a requisite off and on from the cabinet", { skip }, async () => {
  const requisiteId = fx.requisiteIds[0]!;
  await page.goto(`${base}/cabinet#requisites`);
  const row = page.locator(`[data-requisite="${requisiteId}"]`);
  await row.locator("text=Disable").click();
  await page.waitForURL(/\/cabinet\?ok=/);
  const off = await h.deps.database.db.selectFrom("trading_requisites").select("enabled").where("id", "=", requisiteId).executeTakeFirstOrThrow();
  assert.equal(off.enabled, false);
  const refused = await merchant("POST", "/payment/trading/pay-in", { fiatAmount: 7500 });
  assert.notEqual(refused.statusCode, 201, "no pay-in lands on a disabled requisite");
  await page.locator(`[data-requisite="${requisiteId}"]`).locator("text=Enable").click();
  await page.waitForURL(/\/cabinet\?ok=/);
  assert.equal((await createPayin(7500)).status, "active");
  await page.screenshot({ path: artifactPath("cabinet-requisites.png"), fullPage: true });
});
