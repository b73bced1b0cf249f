// Test mode's message inbox in the portal (issue 19), in real headless Chromium: a developer sees no
// Test messages page in live mode (test_mode_only), switches to test mode, and there reads the code and
// the e-mail link sent to a test card customer, follows the link and the customer's e-mail is confirmed.
// axe-core and the 390 px fit at both sizes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { createCardHarness, registerCustomer } from "../support/card-customer.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import type { Harness } from "../support/harness.js";
import { createMerchantUser, signInMerchantUser } from "../support/merchant-users.js";
import { checkBothSizes } from "../support/page-checks.js";

const skip = browserSkipReason();
let h: Harness;
let merchantId: string;
let browser: Browser;
let base: string;

before(async () => {
  if (skip) return;
  ({ h, merchantId } = await createCardHarness());
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("a developer reads a test customer's code and e-mail link in test mode and the link confirms the e-mail", { skip }, async () => {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signInMerchantUser(page, base, h, await createMerchantUser(h, merchantId, "developer"));
  assert.equal(await page.locator('nav a[href="/merchant/test-messages"]').count(), 0, "no inbox in live mode");
  await page.goto(`${base}/merchant/test-messages`);
  assert.equal(await page.locator("#refusal").getAttribute("data-code"), "test_mode_only");

  await page.goto(`${base}/merchant/developer`);
  await page.click("#mode-toggle button[type=submit]");
  await page.waitForURL(/\/merchant\/developer$/);
  const twinId = (await page.locator("#merchant-id").textContent())!.trim();
  assert.notEqual(twinId, merchantId);

  const who = await registerCustomer(h.app, twinId, { survey: false });
  const email = `ada.${Date.now()}@example.com`;
  const add = await h.app.inject({ method: "PUT", url: "/v2/mobile/email/add", headers: who.headers, payload: { email } });
  assert.equal(add.statusCode, 200, add.body);

  await page.click('nav a[href="/merchant/test-messages"]');
  await page.waitForURL(/\/merchant\/test-messages$/);
  const sms = page.locator('#test-messages li[data-channel="sms"]');
  assert.match((await sms.textContent())!, new RegExp(`${who.phone.replace("+", "\\+")}[\\s\\S]*Your confirmation code is 1234`));
  const mail = page.locator('#test-messages li[data-channel="email"]');
  assert.match((await mail.textContent())!, new RegExp(email.replace(/\./g, "\\.")));
  await checkBothSizes(page, "portal-test-messages");

  // The link is a real anchor to the installation's public URL (not this test server's port): open its path here.
  const href = new URL((await mail.locator("a").getAttribute("href"))!);
  assert.equal(href.origin, new URL(h.deps.config.publicUrl).origin);
  assert.equal(href.pathname, "/v2/mobile/email/confirm");
  const opened = await page.goto(`${base}${href.pathname}${href.search}`);
  assert.equal(opened?.status(), 200);
  const profile = await h.app.inject({ method: "GET", url: "/v2/customer/profile", headers: who.headers });
  assert.equal(profile.json().confirmedEmail, true);

  // Back in the portal, switching to live from the inbox lands on the overview (live mode refuses the inbox).
  await page.goto(`${base}/merchant/test-messages`);
  await page.click("#mode-toggle button[type=submit]");
  await page.waitForURL(/\/merchant\/overview$/);
  assert.equal(await page.locator("#mode").textContent(), "Live");
});
