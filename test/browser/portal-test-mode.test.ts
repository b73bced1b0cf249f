// The portal's Live/Test toggle in real headless Chromium (issue 19, test mode): an owner signs in,
// switches to test mode, sees the banner and no live payment, creates a test key (shown once, rmp_test_…),
// sees people refused with live_mode_only, and switches back to live where the live payment is again.
// axe-core and the 390 px fit on every test-mode page at both sizes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchantUser, signInMerchantUser } from "../support/merchant-users.js";
import { checkBothSizes } from "../support/page-checks.js";
import { createPayinOverHttp, setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;

before(async () => {
  if (skip) return;
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("an owner switches to test mode, sees the banner and no live payment, makes a test key, and switches back to live", { skip }, async () => {
  const livePay = await createPayinOverHttp(h.app, fx.merchant.apiKey, 2500);
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInMerchantUser(page, base, h, await createMerchantUser(h, fx.merchant.merchantId, "owner"));
  await page.goto(`${base}/merchant/payments`);
  await page.locator(`[data-payment="${livePay.id}"]`).waitFor();
  assert.equal(await page.locator("#test-mode-banner").count(), 0);

  await page.click("#mode-toggle button[type=submit]");
  await page.waitForURL(/\/merchant\/payments$/);
  await page.locator("#test-mode-banner").waitFor();
  assert.equal(await page.locator("#mode").textContent(), "Test");
  assert.equal(await page.locator("[data-payment]").count(), 0, "no live payment under test");
  for (const section of ["overview", "payments", "balance", "keys", "webhooks", "settings", "developer"]) {
    await page.goto(`${base}/merchant/${section}`);
    await page.locator("#test-mode-banner").waitFor();
    await checkBothSizes(page, `portal-test-${section}`);
  }
  assert.equal(await page.locator('nav a[href="/merchant/users"]').count(), 0, "people are live only");
  await page.goto(`${base}/merchant/users`);
  assert.equal(await page.locator("#refusal").getAttribute("data-code"), "live_mode_only");
  await checkBothSizes(page, "portal-test-live-only");

  await page.goto(`${base}/merchant/keys`);
  await page.fill("#key-label", "checkout tests");
  await page.click("#create-key button[type=submit]");
  const key = (await page.locator("#secret-value").textContent())!.trim();
  assert.match(key, /^rmp_test_/);
  await checkBothSizes(page, "portal-test-key-shown");
  await page.goto(`${base}/merchant/keys`);
  assert.equal(await page.locator("#secret-value").count(), 0, "shown once");
  assert.equal(await page.locator(`[data-key="${key.split("_")[2]}"]`).count(), 1);

  await page.click("#mode-toggle button[type=submit]");
  await page.waitForURL(/\/merchant\/keys$/);
  assert.equal(await page.locator("#mode").textContent(), "Live");
  assert.equal(await page.locator("#test-mode-banner").count(), 0);
  assert.equal(await page.locator(`[data-key="${key.split("_")[2]}"]`).count(), 0, "the test key is not among the live keys");
  await page.goto(`${base}/merchant/payments`);
  await page.locator(`[data-payment="${livePay.id}"]`).waitFor();
});
