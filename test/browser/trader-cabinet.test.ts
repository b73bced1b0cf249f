// The trader cabinet in real headless Chromium, in Russian on a phone: sign-in, a new pay-in and the
// payer's "I have paid" appear without a reload (server-sent events over the database's NOTIFY),
// with a countdown; Confirm received asks first, showing the amount and the payer; a dispute shows
// the payer's receipt inline and takes an answer typed with a decimal comma; requisite switches stay
// on screen at 390 px; the language switch. Every state at 390×844 and 1280×800 (test-artifacts/).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { merchantCryptoBalance, traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { assertNoRepeatedSentence, checkBothSizes } from "../support/page-checks.js";
import { setupTrading, uploadPngReceipt, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let context: BrowserContext;
let base: string;
let page: Page;
let navigations = 0;

const PNG = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9, 9]);

const merchant = (method: "GET" | "POST", url: string, body?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: { "x-api-key": fx.merchant.apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

async function createPayin(fiatAmount: number) {
  const r = await merchant("POST", "/payment/trading/pay-in", { fiatAmount, extra: { payerInfo: { userId: "user-42" } } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json() as { id: string; cryptoAmount: string; merchantFee: string; status: string };
}

before(async () => {
  if (skip) return;
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
  context = await browser.newContext({ locale: "ru-RU", viewport: { width: 390, height: 844 }, isMobile: true });
  page = await context.newPage();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("sign-in in Russian; a new pay-in and the payer's claim appear live; Confirm received asks with the amount and the payer", { skip }, async () => {
  await page.goto(`${base}/cabinet`);
  assert.match(page.url(), /\/cabinet\/login$/, "no session: sent to sign-in");
  assert.equal(await page.getAttribute("html", "lang"), "ru");
  await page.fill("#key", "rtr_0000000000000000_wrongwrongwrongwrongwrongwrong");
  await page.click("form[action='/cabinet/login'] button[type=submit]");
  assert.equal(await page.textContent("#key-error"), "Этот ключ трейдера недействителен.");
  await checkBothSizes(page, "cabinet-ru-login-refused");
  await page.fill("#key", fx.traders[0]!.traderKey);
  await page.click("form[action='/cabinet/login'] button[type=submit]");
  await page.waitForURL(/\/cabinet$/);
  assert.equal(await page.textContent("h1"), "Кабинет трейдера · Trader 1");
  page.on("framenavigated", () => navigations++);

  const balanceBefore = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await createPayin(7300);
  const card = page.locator(`[data-payin="${p.id}"]`);
  await card.waitFor();
  assert.match((await card.textContent()) ?? "", /7\u00a0300,00\u00a0₽/);
  assert.match((await card.textContent()) ?? "", /user-42/);
  await page.locator("#live", { hasText: "Новый платёж: 7\u00a0300,00\u00a0₽" }).waitFor({ state: "attached" });
  assert.match((await card.locator("[data-expires]").textContent()) ?? "", /^1[45]:\d\d$/, "a countdown, not a UTC time");

  const claimed = await h.app.inject({ method: "POST", url: `/pay/${p.id}/claim`, headers: { accept: "application/json" } });
  assert.equal(claimed.statusCode, 200, claimed.body);
  await page.locator(`[data-payin="${p.id}"][data-claimed="1"]`).waitFor();
  assert.match((await page.locator(`[data-payin="${p.id}"] .claim`).textContent()) ?? "", /Плательщик нажал «Я оплатил»/);
  await page.locator("#live", { hasText: "Плательщик сообщил об оплате" }).waitFor({ state: "attached" });
  assert.equal(navigations, 0, "both arrived without a reload");
  await page.click("#alerts-btn");
  await page.locator("#alerts-btn", { hasText: "Оповещения включены" }).waitFor();
  await assertNoRepeatedSentence(page, "cabinet open");
  await checkBothSizes(page, "cabinet-ru-open-claimed");

  // Confirm received asks first: the amount, the payer, the requisite.
  const open = page.locator(`[data-payin="${p.id}"]`);
  await open.locator("summary").click();
  const question = (await open.locator("details.confirm p").first().textContent()) ?? "";
  assert.match(question, /7\u00a0300,00\u00a0₽.*user-42/);
  await checkBothSizes(page, "cabinet-ru-confirm-step");
  await open.locator("text=Да, деньги поступили").click();
  await page.waitForURL(/\/cabinet\?ok=confirmed/);
  assert.equal(await page.textContent(".notice"), "Платёж подтверждён: деньги поступили.");
  assert.equal(await page.locator(`[data-payin="${p.id}"]`).count(), 0);
  assert.equal((await merchant("GET", `/payment/trading/${p.id}`)).json().status, "closed");
  const net = BigInt(p.cryptoAmount) - BigInt(p.merchantFee);
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), balanceBefore + net);
  assert.equal((await traderDepositBalance(h.deps, fx.traders[0]!.traderId)).pendingDebits, 0n, "hold posted");
  await verifyLedgerClean(h.deps);
});

test("a dispute arrives live with the payer's receipt inline; the answer takes a decimal comma", { skip }, async () => {
  await page.goto(`${base}/cabinet`);
  navigations = 0;
  const p = await createPayin(7400);
  await page.locator(`[data-payin="${p.id}"]`).waitFor();
  await merchant("POST", `/payment/trading/pay-in/${p.id}/cancel`);
  const d = await merchant("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id), fiatAmount: 7400 });
  assert.equal(d.statusCode, 200, d.body);
  const card = page.locator(`[data-payin="${p.id}"]`, { hasText: "оспорен" });
  await card.waitFor();
  assert.equal(navigations, 0);
  const img = card.locator(".receipt img");
  const src = (await img.getAttribute("src"))!;
  const preview = await page.request.get(`${base}${src}`);
  assert.deepEqual([preview.status(), preview.headers()["content-type"]], [200, "image/png"], "the preview is served inline");
  await assertNoRepeatedSentence(page, "cabinet dispute");
  await checkBothSizes(page, "cabinet-ru-dispute");

  await card.locator("text=Начать проверку").click();
  await page.waitForURL(/\/cabinet\?ok=reviewOpened/);
  assert.equal((await merchant("GET", `/payment/trading/${p.id}`)).json().status, "checking");
  const review = page.locator(`[data-payin="${p.id}"]`);
  await review.locator("input[name=fiatAmount]").fill("7 000,50");
  await review.locator("input[type=file]").setInputFiles({ name: "bank.png", mimeType: "image/png", buffer: PNG });
  await checkBothSizes(page, "cabinet-ru-dispute-answer");
  await review.locator("text=Отправить ответ").click();
  await page.waitForURL(/\/cabinet\?ok=answered/);
  assert.equal(await page.textContent(".notice"), "Ответ отправлен. Решение примет поддержка.");
  const answered = (await merchant("GET", `/payment/trading/${p.id}`)).json();
  assert.deepEqual([answered.status, answered.disputeTraderFiatAmount], ["checking", "7000.50"]);
  assert.match(answered.disputeTraderCheckUrl, /\/file\/trading\/pay-in\/invoice\/inv_/);

  await review.locator("input[name=fiatAmount]").fill("семь тысяч");
  await review.locator("input[type=file]").setInputFiles({ name: "bank.png", mimeType: "image/png", buffer: PNG });
  await review.locator("text=Отправить ответ").click();
  await page.waitForURL(/\/cabinet\?error=amount/);
  assert.equal(await page.textContent("p.error"), "Укажите поступившую сумму, например 5 000,00.");
});

test("requisite switches stay on screen at 390 px; the language switch turns the cabinet English", { skip }, async () => {
  const requisiteId = fx.requisiteIds[0]!;
  await page.goto(`${base}/cabinet#requisites`);
  const button = page.locator(`[data-requisite="${requisiteId}"] button`);
  const box = (await button.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `switch at ${JSON.stringify(box)} is on a 390 px screen`);
  await button.click();
  await page.waitForURL(/\/cabinet\?ok=disabled/);
  const off = await h.deps.database.db.selectFrom("trading_requisites").select("enabled").where("id", "=", requisiteId).executeTakeFirstOrThrow();
  assert.equal(off.enabled, false);
  assert.notEqual((await merchant("POST", "/payment/trading/pay-in", { fiatAmount: 7500 })).statusCode, 201, "no pay-in lands on a disabled requisite");
  await checkBothSizes(page, "cabinet-ru-requisite-off");
  await page.locator(`[data-requisite="${requisiteId}"]`).locator("text=Включить").click();
  await page.waitForURL(/\/cabinet\?ok=enabled/);
  assert.equal((await createPayin(7500)).status, "active");

  await page.click('nav.langs a[lang="en"]');
  await page.waitForSelector('html[lang="en"]');
  assert.equal(await page.textContent("h1"), "Trader cabinet · Trader 1");
  await page.goto(`${base}/cabinet`);
  assert.equal(await page.getAttribute("html", "lang"), "en", "remembered");
  await checkBothSizes(page, "cabinet-en-open");
});
