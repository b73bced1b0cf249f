// The operator dashboard's money and support pages in real headless Chromium: support resolves a
// dispute from the Disputes page (the pay-in closes, the merchant is credited, the ledger stays
// clean), the Money page draws balances by purpose and shows `ledger verify`, the Webhooks page
// re-enables an endpoint a 410 disabled and queues its failed messages again, and the Audit log page
// shows those actions with who did them and the status each changed; the Traders page (with the
// "Test trader" checkbox ticked and a test trader's card) and a store's settings page pass axe at both sizes.
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { merchantCryptoBalance } from "../../src/app/trading/ledger-postings.js";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkBothSizes } from "../support/page-checks.js";
import { createStaff, freshTotp, signInStaff, type StaffMember } from "../support/staff.js";
import { drainWorker, setupTrading, uploadPngReceipt, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;
let admin: StaffMember;
let gone: http.Server;
let goneHits = 0;

const api = (method: "GET" | "POST", url: string, body?: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method,
    url,
    headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });
const merchant = (method: "GET" | "POST", url: string, body?: unknown) => api(method, url, body, { "x-api-key": fx.merchant.apiKey });
const trader = (url: string) => api("POST", `/trader/v1${url}`, undefined, { "x-trader-key": fx.traders[0]!.traderKey });


/** A pay-in disputed by the merchant and taken into review by the trader (status checking). */
async function disputedPayin(fiatAmount: number, claimed: number) {
  const created = await merchant("POST", "/payment/trading/pay-in", { fiatAmount });
  assert.equal(created.statusCode, 201, created.body);
  const p = created.json() as { id: string; cryptoAmount: string; merchantFee: string };
  const inv = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  const d = await merchant("POST", `/payment/trading/pay-in/${p.id}/dispute`, { invoiceKey: inv, fiatAmount: claimed, comment: "paid by card" });
  assert.equal(d.statusCode, 200, d.body);
  assert.equal((await trader(`/pay-ins/${p.id}/review`)).json().status, "checking");
  return { ...p, invoiceKey: inv };
}

async function signIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await signInStaff(page, base, h, admin);
  return page;
}

before(async () => {
  if (skip) return;
  gone = http.createServer((_req, res) => {
    goneHits++;
    res.writeHead(410).end("gone");
  });
  await new Promise<void>((r) => gone.listen(0, "127.0.0.1", r));
  // Step-up above 9,000 RUB: the disputes below stay under it; the step-up test's is above.
  h = await createHarness({ env: { RAMPART_STEP_UP_AMOUNT: "RUB=9000" }, tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { settings: { webhookUrl: `http://127.0.0.1:${(gone.address() as AddressInfo).port}/hook` } });
  admin = await createStaff(h, "admin");
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
  await new Promise<void>((r) => (gone ? gone.close(() => r()) : r()));
});

test("support resolves a dispute from the Disputes page: pay-in closed, merchant credited, ledger clean", { skip }, async () => {
  const before = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const p = await disputedPayin(6100, 6100);
  const q = await disputedPayin(6200, 6250);
  const page = await signIn();
  await page.click("nav >> text=Disputes");
  await page.waitForURL(/\/dashboard\/disputes$/);
  const card = page.locator(`[data-payin="${p.id}"]`);
  assert.match((await card.textContent()) ?? "", /6100\.00 RUB/);
  assert.match((await card.textContent()) ?? "", /checking/);
  // The merchant's receipt downloads with the operator's session.
  const [download] = await Promise.all([page.waitForEvent("download"), card.locator("a[download]").first().click()]);
  assert.equal(download.suggestedFilename(), `${p.invoiceKey}.png`);

  // The decision first opens what will happen; nothing changes until its "yes" is sent.
  const yes = card.locator("button[value=paid]");
  assert.equal(await yes.isVisible(), false, "the decision is behind its confirmation");
  await card.locator("summary", { hasText: "Paid as claimed" }).click();
  assert.match((await card.locator("details[open]").textContent()) ?? "", /closes as paid at the amount claimed, 6100\.00 RUB: the trader's hold on their deposit settles/);
  await checkBothSizes(page, "dashboard-dispute-confirm");
  assert.equal((await merchant("GET", `/payment/trading/${p.id}`)).json().status, "checking", "opening the confirmation changed nothing");
  await yes.click();
  await page.waitForURL(/\/dashboard\/disputes\?ok=/);
  assert.match((await page.textContent("body")) ?? "", new RegExp(`Pay-in ${p.id} is now closed`));
  assert.equal(await page.locator(`[data-payin="${p.id}"]`).count(), 0, "no longer waiting");

  // A different amount: the form's amount field goes to the same use case.
  const other = page.locator(`[data-payin="${q.id}"]`);
  await other.locator("summary", { hasText: "Paid a different amount" }).click();
  await other.locator("input[name=actualFiatAmount]").fill("6150.00");
  await other.locator("button", { hasText: "Yes, settle at this amount" }).click();
  await page.waitForURL(/\/dashboard\/disputes\?ok=/);
  await page.screenshot({ path: artifactPath("dashboard-disputes.png"), fullPage: true });
  assert.equal((await merchant("GET", `/payment/trading/${q.id}`)).json().status, "re_calculation");
  await drainWorker(h.deps); // the settlement job books the recalculated amount and closes it

  const closedP = (await merchant("GET", `/payment/trading/${p.id}`)).json();
  assert.equal(closedP.status, "closed");
  const closedQ = (await merchant("GET", `/payment/trading/${q.id}`)).json();
  assert.equal(closedQ.status, "closed");
  assert.equal(closedQ.fiatAmount, "6150.00");
  const credited = BigInt(p.cryptoAmount) - BigInt(p.merchantFee) + BigInt(closedQ.cryptoAmount) - BigInt(closedQ.merchantFee);
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), before + credited);
  // The event log names the operator's key as the actor, like the admin API.
  const events = await h.deps.database.db.selectFrom("trading_payin_events").selectAll().where("payin_id", "=", p.id).where("to_status", "=", "closed").execute();
  assert.equal(events[0]!.actor, "support");
  await verifyLedgerClean(h.deps);

  // A decision on a pay-in already closed is refused with the status named, not a 500.
  await page.goto(`${base}/dashboard/traders`);
  const csrf = (await page.locator("input[name=csrf]").first().getAttribute("value"))!;
  const again = await page.request.post(`${base}/dashboard/disputes/${p.id}/resolve`, { form: { csrf, outcome: "not_paid" }, maxRedirects: 0 });
  assert.equal(again.status(), 303);
  assert.match(new URL(again.headers().location!, base).searchParams.get("error") ?? "", /closed/);
  await page.close();
});

test("the Money page draws balances by purpose per asset and shows ledger verify OK", { skip }, async () => {
  const page = await signIn();
  await page.click("nav >> text=Money");
  await page.waitForURL(/\/dashboard\/money$/);
  assert.equal(await page.textContent("#ledger-verify"), "OK");
  const chart = page.locator('[data-asset="USDT"] svg[role=img]');
  assert.equal(await chart.count(), 1);
  const labels = await chart.locator("text").allTextContents();
  // trader_escrow holds the active pay-ins' crypto between create and close.
  // Each purpose by the name an operator reads, and the ledger's own name in the table beside it.
  for (const name of ["Fee revenue", "Merchants' balances", "Platform funding (the other side of deposits)", "Traders' free deposits", "Held for open pay-ins"]) {
    assert.ok(labels.includes(name), name);
  }
  assert.match((await page.textContent('[data-asset="USDT"] table')) ?? "", /Fee revenue fee_revenue/);
  assert.equal(await chart.locator("rect").count(), 5);
  // On the logarithmic scale the fee revenue, thousands of times smaller than the funding, is no sliver.
  const widths = await chart.locator("rect").evaluateAll((rects) => rects.map((r) => Number(r.getAttribute("width"))));
  const feeWidth = Number(await chart.locator("rect").nth(labels.filter((l) => !/\d/.test(l)).indexOf("Fee revenue")).getAttribute("width"));
  assert.ok(feeWidth * 10 >= Math.max(...widths), `fee revenue bar ${feeWidth} of ${Math.max(...widths)}`);
  assert.equal(await chart.locator('rect[fill="#c62828"]').count(), 1, "platform funding is the negative side");
  const merchantBalance = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const shown = (merchantBalance / 1_000_000n).toString();
  assert.ok(labels.some((l) => l.startsWith(`${shown}.`)), `merchant balance ${shown}.… captioned`);
  await checkBothSizes(page, "dashboard-money");
  await page.close();
});

test("the Webhooks page shows an endpoint disabled by 410 and re-enables it, queueing its failed messages", { skip }, async () => {
  await drainWorker(h.deps);
  assert.ok(goneHits > 0, "the receiver answered 410");
  const page = await signIn();
  await page.click("nav >> text=Webhooks");
  const body = (await page.textContent("body")) ?? "";
  assert.match(body, /Webhook endpoint disabled/);
  assert.match(body, /disabled/);
  const failed = await h.deps.database.db.selectFrom("webhook_messages").select(["event_id", "status", "ordering_key", "body"]).where("status", "=", "failed").execute();
  assert.ok(failed.length >= 1);
  assert.equal(await page.locator(`tr[data-event="${failed[0]!.event_id}"]`).count(), 1);
  await page.click(`a[href*="event=${failed[0]!.event_id}"]`);
  assert.match((await page.textContent("#attempts")) ?? "", /410/);
  // The message's event and the payload as sent (the pay-in's status and id).
  const sent = JSON.parse(failed[0]!.body!) as { status: string };
  assert.equal(await page.textContent("#message-event"), `status ${sent.status}`);
  await page.click("#attempts summary");
  assert.ok(((await page.textContent("#message-payload")) ?? "").includes(failed[0]!.ordering_key), "the payload names the pay-in");
  await page.click("text=Re-enable and redeliver failed");
  await page.waitForURL(/\/dashboard\/webhooks\?ok=/);
  assert.match((await page.textContent("body")) ?? "", /failed message\(s\) queued again/);
  // Queued again, due at once: the pending list says so instead of a date.
  assert.match((await page.textContent(`tr[data-event="${failed[0]!.event_id}"]`)) ?? "", /next due now/);
  const after = await h.deps.database.db.selectFrom("webhook_messages").select("status").where("event_id", "=", failed[0]!.event_id).executeTakeFirstOrThrow();
  assert.equal(after.status, "pending");
  const endpoints = await h.deps.database.db.selectFrom("webhook_endpoints").select("disabled_at").execute();
  assert.ok(endpoints.every((e) => e.disabled_at === null), "endpoint enabled again");
  // The list and a message's page with its attempts open, at both sizes.
  await checkBothSizes(page, "dashboard-webhooks");
  await page.click(`a[href*="event=${failed[0]!.event_id}"]`);
  await page.click("#attempts summary");
  await checkBothSizes(page, "dashboard-webhook-message");
  await page.close();
});

test("the Audit log page lists the console's actions with who, from where and the status change, filters, exports, passes axe at 1280 and 390 px", { skip }, async () => {
  const page = await signIn();
  await page.click("nav >> text=Audit log");
  await page.waitForURL(/\/dashboard\/audit$/);
  assert.match((await page.textContent("#chain-status")) ?? "", /Head: seq \d+, hash [0-9a-f]{64}/);
  await page.click("#verify-chain");
  await page.waitForURL(/\/dashboard\/audit\?verify=1$/);
  assert.equal(await page.getAttribute("#chain-status", "data-ok"), "true");
  // The two decisions that committed; the refused one on a closed pay-in rolled back and left none.
  const decisions = page.locator('tr[data-action="disputes.resolve"]');
  assert.equal(await decisions.count(), 2);
  const newest = (await decisions.first().textContent()) ?? "";
  assert.match(newest, new RegExp(`${admin.email}.*staff:${admin.id}`, "s"));
  assert.match(newest, /127\.0\.0\.1/);
  assert.match(newest, /checking → re_calculation/);
  assert.match((await decisions.nth(1).textContent()) ?? "", /checking → closed/);

  await page.fill("#f-action", "disputes");
  await page.click("#audit-filters button[type=submit]");
  await page.waitForURL(/\/dashboard\/audit\?.*action=disputes/);
  assert.equal(await page.locator("tr[data-entry]").count(), 2);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  assert.equal(download.suggestedFilename(), "audit-log.csv");
  const csv = fs.readFileSync((await download.path())!, "utf8").trim().split("\r\n");
  assert.equal(csv.length, 3);
  assert.match(csv[1]!, /,disputes\.resolve,/);
  await checkBothSizes(page, "dashboard-audit");
  await page.close();
});

test("the Merchants page: an admin creates a merchant (its key shown once), enables its trading settings, issues and revokes a key behind a confirmation; axe at 1280 and 390 px", { skip }, async () => {
  const page = await signIn();
  await page.click("nav >> text=Merchants");
  await page.waitForURL(/\/dashboard\/merchants$/);
  await page.fill("#merchant-name", "Browser Shop S.L.");
  await page.click("#create-merchant button[type=submit]");
  await page.waitForSelector("#shown-once");
  assert.match((await page.textContent("#secret-value")) ?? "", /^rmp_/);
  await page.fill("#key-label", "checkout servers");
  await page.click("#issue-key button[type=submit]");
  await page.waitForSelector("#shown-once >> text=New API key");
  const merchantId = await page.getAttribute("#merchant", "data-merchant");
  await page.goto(`${base}/dashboard/merchants/${merchantId}`);
  assert.equal(await page.locator("#shown-once").count(), 0, "a key is shown only on the answer that made it");
  await checkBothSizes(page, "dashboard-merchant");
  // Its trading settings: enabled from the page, then shown; the open form passes axe too.
  await page.click("#trading-settings summary >> text=Enable trading…");
  await page.fill("#ts-fiatCurrency", "RUB");
  await page.fill("#ts-feeRate", "0.07");
  await checkBothSizes(page, "dashboard-merchant-trading-form");
  await page.click("#trading-settings-form button[type=submit]");
  await page.waitForSelector("p.notice[role=status] >> text=Trading settings saved.");
  assert.match((await page.textContent("#trading-settings")) ?? "", /Fee rate\s*0\.07/);
  await checkBothSizes(page, "dashboard-merchant-trading");
  const row = page.locator("tr", { hasText: "checkout servers" });
  await row.locator("summary").click();
  await row.locator("button.danger").click();
  await page.waitForSelector("p.notice[role=status] >> text=revoked");
  assert.match((await row.textContent()) ?? "", /revoked/);
  await page.goto(`${base}/dashboard/merchants`);
  await checkBothSizes(page, "dashboard-merchants");
  await page.close();
});

test("step-up: a dispute decision above RAMPART_STEP_UP_AMOUNT is refused with a wrong code, taken with a fresh one", { skip }, async () => {
  const p = await disputedPayin(9500, 9500);
  const page = await signIn();
  await page.goto(`${base}/dashboard/disputes`);
  const card = page.locator(`[data-payin="${p.id}"]`);
  const code = card.locator(`#totp-${p.id}-decide`);
  assert.equal(await code.getAttribute("data-step-up"), "required");
  const good = freshTotp(h, admin.secret);
  await card.locator("summary", { hasText: "Paid as claimed" }).click();
  await code.fill(`${(Number(good[0]) + 5) % 10}${good.slice(1)}`);
  await card.locator("button[value=paid]").click();
  await page.waitForSelector("p.error[role=status] >> text=authentication code is wrong");
  assert.equal((await h.deps.database.db.selectFrom("trading_payins").select("status").where("id", "=", p.id).executeTakeFirstOrThrow()).status, "checking");
  await page.locator(`[data-payin="${p.id}"] summary`, { hasText: "Paid as claimed" }).click();
  await page.locator(`#totp-${p.id}-decide`).fill(good);
  await page.locator(`[data-payin="${p.id}"] button[value=paid]`).click();
  await page.waitForSelector("p.notice[role=status] >> text=is now closed");
  await verifyLedgerClean(h.deps);
  await page.close();
});

test("the Traders page (a requisite's limits form open, a test trader made with its checkbox) and a store's settings page pass axe at 1280 and 390 px", { skip }, async () => {
  const page = await signIn();
  await page.click("nav >> text=Traders");
  await page.waitForURL(/\/dashboard\/traders$/);
  assert.equal(await page.locator("#create-trader").count(), 1, "an admin's page carries its forms");
  await page.locator("[data-limits] summary").first().click();
  // The create form with its "Test trader" checkbox ticked, then the list with that test trader's card
  // (its "test" tag and its play-money top-up form).
  await page.fill("#trader-name", "Axe Test Trader");
  await page.getByLabel(/^Test trader/).check();
  await checkBothSizes(page, "dashboard-traders");
  // At 390 px (checkBothSizes ends there) the box sits on its label's line, not alone above it.
  const box = (await page.locator("#trader-test").boundingBox())!;
  const label = (await page.locator('label[for="trader-test"]').boundingBox())!;
  assert.ok(box.y < label.y + label.height && box.y + box.height > label.y, `the checkbox ${JSON.stringify(box)} beside its label ${JSON.stringify(label)}`);
  await page.click("#create-trader button[type=submit]");
  await page.waitForSelector("#secret-value");
  await page.goto(`${base}/dashboard/traders`);
  const card = page.locator("[data-trader]", { hasText: "Axe Test Trader" });
  assert.equal(await card.locator("[data-test-trader]").textContent(), "test");
  assert.equal(await card.getByLabel("Test top-up (USDT, play money)").count(), 1);
  await checkBothSizes(page, "dashboard-traders-test");
  // A store made from its merchant's page, then its payment-intent settings page with its form.
  await page.goto(`${base}/dashboard/merchants/${fx.merchant.merchantId}`);
  await page.fill("#store-name", "Axe Shop");
  await page.fill("#store-id", "axe_shop");
  await page.click("#create-store button[type=submit]");
  await page.waitForSelector("p.notice[role=status] >> text=Store axe_shop created.");
  await page.goto(`${base}/dashboard/merchants/stores/axe_shop`);
  await page.locator("#intent-settings").waitFor();
  await checkBothSizes(page, "dashboard-store-settings");
  await page.close();
});
