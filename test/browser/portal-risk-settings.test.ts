// The portal's risk settings form in real headless Chromium at phone size (issue 19): a developer raises
// the review threshold and it is saved (what GET /merchant/v1/risk/settings' use case reads); a block
// threshold out of range comes back with its error at its field and nothing changed. axe-clean, 390 px.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { readRiskSettings } from "../../src/app/risk/manage-rules.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { createMerchantUser, signInMerchantUser } from "../support/merchant-users.js";
import { checkPage, VIEWPORTS } from "../support/page-checks.js";

const skip = browserSkipReason();
let h: Harness;
let m: MerchantFixture;
let browser: Browser;
let base: string;

before(async () => {
  if (skip) return;
  h = await createHarness();
  m = await createMerchant(h.deps);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("a developer changes a risk threshold at phone size; an out-of-range one is shown at its field", { skip }, async () => {
  const phone = VIEWPORTS[0];
  const page: Page = await (await browser.newContext({ viewport: { width: phone.width, height: phone.height } })).newPage();
  await signInMerchantUser(page, base, h, await createMerchantUser(h, m.merchantId, "developer"));
  await page.goto(`${base}/merchant/settings`);
  await checkPage(page, "portal-risk-settings-390");

  await page.fill("#risk-reviewAt", "35");
  await page.selectOption("#risk-pageAccess", "log");
  await page.click("#risk-settings button[type=submit]");
  await page.waitForURL(/\/merchant\/settings\?ok=/);
  assert.match((await page.locator("body").textContent()) ?? "", /Risk settings saved: they apply from the next payment\./);
  assert.equal(await page.inputValue("#risk-reviewAt"), "35");
  const saved = await readRiskSettings(h.deps, m.merchantId);
  assert.deepEqual([saved.reviewAt, saved.pageAccess], [35, "log"]);
  await checkPage(page, "portal-risk-settings-saved-390");

  await page.fill("#risk-blockAt", "500");
  await page.click("#risk-settings button[type=submit]");
  await page.waitForSelector("#risk-blockAt-error");
  assert.equal(await page.getAttribute("#risk-blockAt", "aria-describedby"), "risk-blockAt-error");
  assert.match((await page.textContent("#risk-blockAt-error")) ?? "", /blockAt is a whole number from 1 to 101/);
  assert.equal(await page.inputValue("#risk-blockAt"), "500", "what was typed is shown again");
  await checkPage(page, "portal-risk-settings-field-error-390");
  assert.deepEqual(await readRiskSettings(h.deps, m.merchantId), saved);
});
