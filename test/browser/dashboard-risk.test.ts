// The console's Risk page in real headless Chromium (issue 17): an admin signs in, finds the trading
// pay-in a merchant rule held with the rule that fired and the value it saw, passes axe-core at desk
// and phone size, releases it after the confirmation (the merchant's read then says released and the
// trader may confirm it), disables a merchant rule from the rules list, adds one through its kind's
// form (a refused field first, shown next to its input) and edits it; each form passes axe at both sizes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkBothSizes } from "../support/page-checks.js";
import { createStaff, signInStaff, type StaffMember } from "../support/staff.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;
let admin: StaffMember;
let operatorKey: string;

before(async () => {
  if (skip) return;
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  admin = await createStaff(h, "admin");
  operatorKey = await createOperatorKey(h.deps, "risk-console");
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("an admin sees a held pay-in with its reasons, releases it after confirming, and manages the merchant's rules", { skip }, async () => {
  const rule = await h.app.inject({
    method: "POST",
    url: `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`,
    headers: { "x-operator-key": operatorKey },
    payload: { name: "Shared device", weight: 60, spec: { kind: "list", signal: "fingerprint", mode: "block", values: ["fp-farm-7"] } },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  const created = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": fx.merchant.apiKey },
    payload: { fiatAmount: 5000, extra: { payerInfo: { userId: "payer-7", fingerprint: "fp-farm-7" } } },
  });
  assert.equal(created.statusCode, 201, created.body);
  const payinId: string = created.json().id;

  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInStaff(page, base, h, admin);
  await page.click("nav >> text=Risk");
  await page.waitForURL(/\/dashboard\/risk$/);
  const card = page.locator(`[data-review="${payinId}"]`);
  const text = (await card.textContent()) ?? "";
  assert.match(text, /score 60/);
  assert.match(text, /Shared device/);
  assert.match(text, /fired/);
  assert.match(text, /fingerprint=fp-farm-7/);
  await checkBothSizes(page, "dashboard-risk");

  // Release: the summary opens the confirmation, and only its button changes anything.
  await page.setViewportSize({ width: 1280, height: 800 });
  await card.locator("summary", { hasText: "Release" }).click();
  await card.locator("button", { hasText: "Yes, release" }).click();
  await page.waitForURL(/\/dashboard\/risk\?ok=/);
  assert.match((await page.textContent("body")) ?? "", new RegExp(`Payment ${payinId} released`));
  assert.equal(await page.locator(`[data-review="${payinId}"]`).count(), 0, "no longer waiting");
  const read = await h.app.inject({ method: "GET", url: `/payment/trading/${payinId}`, headers: { "x-api-key": fx.merchant.apiKey } });
  assert.equal(read.json().risk.reviewStatus, "released");
  const decided = await h.deps.database.db.selectFrom("risk_decisions").select("reviewed_by").where("payment_id", "=", payinId).executeTakeFirstOrThrow();
  assert.equal(decided.reviewed_by, admin.id, "recorded with the staff person, as on the payment's page");

  // The merchant's rules: disable the one that held the pay-in, then add one from the form.
  await page.fill("#rules-merchant", fx.merchant.merchantId);
  await page.click("text=Show its rules");
  await page.waitForURL(new RegExp(`merchant=${fx.merchant.merchantId}`));
  const ruleRow = page.locator(`[data-rule="${rule.json().id}"]`);
  assert.match((await ruleRow.textContent()) ?? "", /enabled/);
  await ruleRow.locator("button", { hasText: "Disable" }).click();
  await page.waitForURL(/ok=/);
  assert.match((await page.locator(`[data-rule="${rule.json().id}"]`).textContent()) ?? "", /disabled/);
  // Add a rule through its kind's form: a refused field is shown next to its input, in the API's words.
  await page.click('[data-add-kind="velocity"]');
  await page.waitForURL(/\/dashboard\/risk\/new-velocity\?merchant=/);
  await page.fill("#rule-name", "Burst");
  await page.fill("#rule-weight", "80");
  await page.selectOption("#rule-signal", "userId");
  await page.selectOption("#rule-measure", "count");
  await page.fill("#rule-windowSeconds", "600");
  await page.fill("#rule-limit", "three");
  await page.click('button:has-text("Add the rule")');
  await page.waitForSelector("#rule-limit-error");
  assert.equal(await page.textContent("#rule-limit-error"), "spec.limit must be an integer from 0 to 1000000.");
  assert.equal(await page.getAttribute("#rule-limit", "aria-invalid"), "true");
  assert.equal(await page.inputValue("#rule-name"), "Burst", "what was typed comes back");
  await checkBothSizes(page, "dashboard-risk-rule-refused");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.fill("#rule-limit", "3");
  await page.click('button:has-text("Add the rule")');
  await page.waitForURL(/ok=/);
  const added = page.locator("#rules tr", { hasText: "Burst" });
  assert.match((await added.textContent()) ?? "", /"limit":3/);

  // Edit it: name, weight and a parameter, through its own form.
  await added.locator("a", { hasText: "Edit" }).click();
  await page.waitForURL(/\/dashboard\/risk\/[0-9a-f-]{36}\?merchant=/);
  assert.equal(await page.inputValue("#rule-limit"), "3");
  await checkBothSizes(page, "dashboard-risk-rule-edit");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.fill("#rule-name", "Burst per payer");
  await page.fill("#rule-weight", "90");
  await page.fill("#rule-limit", "5");
  await page.click('button:has-text("Save the rule")');
  await page.waitForURL(/ok=/);
  assert.match((await page.textContent("[role=status]")) ?? "", /Burst per payer.*saved/);
  // The merchant's rules list with its Edit links and Add-a-rule kinds.
  await checkBothSizes(page, "dashboard-risk-rules");
  const rules = await h.app.inject({ method: "GET", url: `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`, headers: { "x-operator-key": operatorKey } });
  assert.deepEqual(
    rules.json().items.map((r: { name: string; enabled: boolean }) => [r.name, r.enabled]).sort(),
    [["Burst per payer", true], ["Shared device", false]],
  );
  const edited = rules.json().items.find((r: { name: string }) => r.name === "Burst per payer");
  assert.deepEqual([edited.weight, edited.spec], [90, { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 5 }]);
  await page.close();
});
