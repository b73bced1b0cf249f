// The merchant portal in real headless Chromium (issue 19): a person follows the operator's invitation
// (password, TOTP enrolment, recovery codes) and later signs in with a TOTP code; a developer changes
// the payment window and a trading pay-in created by the API afterwards uses it; a finance user
// allow-lists an address and requests a withdrawal; the statement on the balance page reconciles
// (opening + movements = closing = the ledger's balance); a developer adds a webhook endpoint and its
// test event reaches a loopback receiver, shown in the delivery log; a support user is refused keys and
// withdrawals with a 403 page; a bad currency on the settings page is shown at its field and a risk
// rule added there is listed. axe-core and the 390 px fit on every page at both sizes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { inviteMerchantUser } from "../../src/app/merchant-users/merchant-users.js";
import { runWebhookDelivery } from "../../src/app/outbox/deliver-webhooks.js";
import { merchantBalances } from "../../src/app/merchants/merchant-balance.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { createMerchantUser, type MerchantUser, signInMerchantUser } from "../support/merchant-users.js";
import { checkBothSizes, checkPage } from "../support/page-checks.js";
import { freshTotp } from "../support/staff.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;
let rx: Receiver;

before(async () => {
  if (skip) return;
  h = await createHarness({ env: { RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=1000" }, tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  await fundMerchantBalance(h.deps, fx.merchant.merchantId, 2_000_000_000n);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
  rx = await startReceiver((r) => ({ status: 200, body: `got ${r.url}` }));
});
after(async () => {
  await rx?.close();
  await browser?.close();
  await h?.close();
});

/** A fresh browser context (its own cookies) signed in as `user`. */
async function signedIn(user: MerchantUser): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInMerchantUser(page, base, h, user);
  return page;
}

const notice = async (page: Page) => (await page.locator(".notice, [role=status], .ok, .error").allTextContents()).join(" ");

test("an invited owner sets a password and TOTP from the link, signs in again with a code, and every page is axe-clean at both sizes", { skip }, async () => {
  const invite = await inviteMerchantUser(h.deps, { merchantId: fx.merchant.merchantId, email: "owner@portal.example", role: "owner", invitedBy: "operator:test" });
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await page.goto(invite.inviteUrl.replace(h.deps.config.publicUrl, base));
  await checkBothSizes(page, "portal-invite");
  await page.fill("#password", "a long enough passphrase");
  await page.click("button[type=submit]");
  await page.waitForURL(/\/merchant\/login\/enrol$/);
  await checkBothSizes(page, "portal-enrol");
  const secret = (await page.locator("#totp-secret").textContent())!.trim();
  await page.fill("#code", freshTotp(h, secret));
  await page.click("button[type=submit]");
  await page.locator("#recovery-codes").waitFor();
  await checkBothSizes(page, "portal-recovery-codes");
  await page.click("text=Continue to the portal");
  await page.waitForURL(/\/merchant\/overview$/);

  // Signing out, then in again with the password and a TOTP code.
  await page.click("text=Sign out");
  await page.waitForURL(/\/merchant\/login$/);
  await checkBothSizes(page, "portal-sign-in");
  const owner: MerchantUser = { userId: invite.userId, merchantId: fx.merchant.merchantId, email: invite.email, role: "owner", password: "a long enough passphrase", secret };
  await page.fill("#email", owner.email);
  await page.fill("#password", owner.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/merchant\/login\/second-factor$/);
  await checkBothSizes(page, "portal-second-factor");
  await page.fill("#code", freshTotp(h, secret));
  await page.click("button[type=submit]");
  await page.waitForURL(/\/merchant\/overview$/);

  const payin = await createPayinOverHttp(h.app, fx.merchant.apiKey, 2500);
  for (const section of ["overview", "payments", "balance", "withdrawals", "keys", "webhooks", "settings", "developer", "users"]) {
    await page.goto(`${base}/merchant/${section}`);
    await checkBothSizes(page, `portal-${section}`);
  }
  await page.goto(`${base}/merchant/payments`);
  await page.click(`[data-payment="${payin.id}"] a`);
  await page.waitForURL(/\/merchant\/payments\/.+\?dialect=trading$/);
  assert.equal(await page.locator("#summary").getAttribute("data-status"), "active");
  await checkBothSizes(page, "portal-payment");
  await page.goto(`${base}/merchant/developer`);
  assert.match((await page.locator("[data-dialect=trading] pre").textContent()) ?? "", new RegExp(`${h.deps.config.publicUrl}/payment/trading/pay-in`));
  assert.match((await page.locator("[data-dialect=card] pre").textContent()) ?? "", new RegExp(fx.merchant.merchantId));
});

test("a developer changes the payment window; a trading pay-in created by the API afterwards uses it", { skip }, async () => {
  const page = await signedIn(await createMerchantUser(h, fx.merchant.merchantId, "developer"));
  await page.goto(`${base}/merchant/settings`);
  await page.fill("#paymentWindowMinutes", "40");
  await page.click("#trading-settings button[type=submit]");
  await page.waitForURL(/\/merchant\/settings\?ok=/);
  assert.match(await page.locator("body").textContent() ?? "", /Trading settings saved\. Applies to payments created from now on\./);
  assert.equal(await page.inputValue("#paymentWindowMinutes"), "40");
  await checkPage(page, "portal-settings-saved-1280");
  const p = (await createPayinOverHttp(h.app, fx.merchant.apiKey, 1700)) as unknown as { expiresAt: string };
  assert.equal(Date.parse(p.expiresAt) - h.clock.now().getTime(), 40 * 60_000);
});

test("a developer's bad currency is shown at its field; a risk rule added in the portal is listed; every step axe-clean at both sizes", { skip }, async () => {
  const page = await signedIn(await createMerchantUser(h, fx.merchant.merchantId, "developer"));
  await page.goto(`${base}/merchant/settings`);
  await page.fill("#fiatCurrencies", "RUB, XYZ");
  await page.click("#trading-settings button[type=submit]");
  await page.waitForSelector("#fiatCurrencies-error");
  assert.equal(await page.getAttribute("#fiatCurrencies", "aria-describedby"), "fiatCurrencies-error");
  assert.match((await page.textContent("#fiatCurrencies-error")) ?? "", /XYZ is not an ISO 4217 fiat currency/);
  await checkBothSizes(page, "portal-settings-field-error");
  await page.click("[data-add-kind=velocity]");
  await page.fill("#rule-name", "Three per user");
  await page.fill("#rule-weight", "60");
  await page.fill("#rule-windowSeconds", "600");
  await page.fill("#rule-limit", "3");
  await checkBothSizes(page, "portal-risk-rule-form");
  await page.click("#rule-form button[type=submit]");
  await page.waitForURL(/\/merchant\/settings\?ok=/);
  assert.match((await page.textContent("#risk-rules tbody")) ?? "", /Three per user/);
  await checkBothSizes(page, "portal-settings-risk-rules");
});

test("a finance user allow-lists an address and requests a withdrawal; the statement reconciles with the ledger", { skip }, async () => {
  const finance = await createMerchantUser(h, fx.merchant.merchantId, "finance");
  let page = await signedIn(finance);
  await page.goto(`${base}/merchant/withdrawals`);
  await page.fill("#a-address", "0x52908400098527886E0F7030069857D2E4169EE7");
  await page.fill("#a-label", "treasury");
  await page.click("#add-address button[type=submit]");
  await page.waitForURL(/\/merchant\/withdrawals\?ok=/);
  assert.equal(await page.locator("#request-withdrawal").count(), 0, "the address is cooling off");
  // A day later (the cooling-off), past the 8-hour session: signed in again.
  h.clock.advance(25 * 3_600_000);
  page = await signedIn(finance);
  await page.goto(`${base}/merchant/withdrawals`);
  await page.fill("#w-amount", "250.5");
  await page.click("#request-withdrawal button[type=submit]");
  await page.waitForURL(/\/merchant\/withdrawals\?ok=/);
  const row = page.locator("#withdrawals tbody tr").first();
  assert.match((await row.textContent()) ?? "", /250\.5\d* USDT/);
  assert.match((await row.locator(".status").textContent()) ?? "", /approved|requested|sent|broadcast/);
  await checkBothSizes(page, "portal-withdrawal-requested");

  // The statement runs to now, exclusive: a second later, so the withdrawal's hold (booked at the test clock's now) is in it.
  h.clock.advance(1000);
  await page.goto(`${base}/merchant/balance?asset=USDT`);
  const opening = BigInt((await page.locator("#opening").getAttribute("data-minor"))!);
  const amounts = await Promise.all((await page.locator("#statement tbody tr").all()).map(async (r) => (await r.getAttribute("data-amount"))!));
  const closing = BigInt((await page.locator("#closing").getAttribute("data-minor"))!);
  assert.equal(opening + amounts.reduce((s, a) => s + BigInt(a), 0n), closing, "opening + movements = closing");
  const usdt = (await merchantBalances(h.deps, fx.merchant.merchantId)).find((b) => b.asset === "USDT")!;
  assert.equal(closing, usdt.available, "closing = the ledger's available balance");
  assert.ok(amounts.includes("-250500000"), "the withdrawal's hold is a movement");
  await verifyLedgerClean(h.deps);
  await checkBothSizes(page, "portal-statement");
});

test("a developer adds a webhook endpoint (secret shown once); its test event reaches a loopback receiver and the log shows the attempt", { skip }, async () => {
  const page = await signedIn(await createMerchantUser(h, fx.merchant.merchantId, "developer"));
  await page.goto(`${base}/merchant/webhooks`);
  await page.fill("#e-url", `${rx.url}/portal-hook`);
  await page.fill("#e-types", "withdrawal.*, trading.payin.*");
  await page.click("#create-endpoint button[type=submit]");
  await page.locator("#shown-once").waitFor();
  assert.match((await page.locator("#secret-value").textContent()) ?? "", /^whsec_/);
  await checkBothSizes(page, "portal-webhook-created");
  await page.click("#endpoints a");
  await page.click("#send-test button");
  await page.waitForURL(/\?ok=/);
  while ((await runWebhookDelivery(h.deps, { rand: () => 0.5 })) > 0);
  await rx.reached(1, (r) => r.url === "/portal-hook");
  await page.reload();
  const row = page.locator("#messages tbody tr").first();
  assert.equal(await row.locator("[data-status]").getAttribute("data-status"), "delivered");
  await row.locator("a").click();
  await page.locator("#message-detail").waitFor();
  assert.match((await page.locator("#message-detail li").first().textContent()) ?? "", /attempt 1: 200 .*got \/portal-hook/s);
  await checkBothSizes(page, "portal-webhook-log");
});

test("a support user is refused keys and withdrawals with a 403 page", { skip }, async () => {
  const page = await signedIn(await createMerchantUser(h, fx.merchant.merchantId, "support"));
  assert.equal(await page.locator("nav >> text=API keys").count(), 0);
  for (const section of ["keys", "withdrawals"]) {
    const r = await page.goto(`${base}/merchant/${section}`);
    assert.equal(r?.status(), 403);
    assert.equal(await page.locator("#refusal").getAttribute("data-code"), "role_forbidden");
  }
  await checkBothSizes(page, "portal-refused");
});
