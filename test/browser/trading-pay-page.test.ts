// The hosted payer page in real headless Chromium: requisite and countdown visible, a sandbox bank
// transfer turns the page to paid without a reload. Screenshots go to test-artifacts/.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness } from "../support/harness.js";
import { setupTrading, useFixedRate } from "../support/trading.js";

test("payer page: requisite + countdown, then paid without reload after a sandbox bank transfer", { skip: browserSkipReason() }, async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  const browser = await launchBrowser();
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1 });
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    const created = await fetch(`${base}/payment/trading/pay-in`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": fx.merchant.apiKey },
      body: JSON.stringify({ fiatAmount: 6030, extra: { payerInfo: { ip: "203.0.113.9" } } }),
    });
    assert.equal(created.status, 201);
    const p = (await created.json()) as { id: string; requisite: { id: string; requisites: string } };

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/pay/${p.id}`);
    assert.equal(await page.textContent("#req-number"), p.requisite.requisites);
    assert.equal(await page.textContent("#req-amount"), "6030.00");
    assert.match((await page.textContent("#countdown")) ?? "", /^1[45]:\d\d$/);
    assert.equal(await page.getAttribute("#status", "data-status"), "active");
    await page.screenshot({ path: artifactPath("trading-pay-page-active.png"), fullPage: true });
    assert.ok(h.logs.lines.some((l) => l.includes("payer_ip_mismatch")), "IP mismatch logged as a risk signal");

    let navigations = 0;
    page.on("framenavigated", () => navigations++);
    const t = await fetch(`${base}/sandbox/bank-transfers`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": fx.merchant.apiKey },
      body: JSON.stringify({ requisiteId: p.requisite.id, amount: 6030 }),
    });
    assert.equal(((await t.json()) as { outcome: string }).outcome, "paid");
    await page.waitForSelector('#status[data-status="closed"]', { timeout: 10_000 });
    assert.equal(navigations, 0, "no reload");
    assert.equal(await page.textContent("#final-title"), "Payment received");
    await page.screenshot({ path: artifactPath("trading-pay-page-paid.png"), fullPage: true });
  } finally {
    await browser.close();
    await h.close();
  }
});
