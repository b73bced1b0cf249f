// Payer page access (issue 17, docs/risk.md#payer-page-access) in real headless Chromium. The merchant
// sent the payer's IP and user agent in extra.payerInfo. In deny mode the payer on that device opens
// the page with its payment details; another user agent, or another client address (X-Forwarded-For
// from a trusted proxy), gets a refusal page in its language with no payment details, and the page's
// panel, status poll and claim refuse it too. In log mode the page opens and the mismatch is logged;
// off, nothing is logged. The refusal page passes axe-core and fits 390 px.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { createRequisite } from "../../src/app/trading/traders.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkBothSizes } from "../support/page-checks.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

const skip = browserSkipReason();
const ACCOUNT = "40817810099910004312";
const PAYER_UA = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36";
const OTHER_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

let h: Harness;
let fx: TradingFixture;
let browser: Browser;
let base: string;

const merchant = (method: "GET" | "POST" | "PUT", url: string, body?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: { "x-api-key": fx.merchant.apiKey, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
  });

async function setPageAccess(pageAccess: "off" | "log" | "deny"): Promise<void> {
  const r = await merchant("PUT", "/merchant/v1/risk/settings", { pageAccess });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().pageAccess, pageAccess);
}

/** A pay-in whose payer is on 127.0.0.1 (the loopback Chromium connects from) with PAYER_UA. */
let amount = 5000;
async function createPayin(): Promise<string> {
  const r = await merchant("POST", "/payment/trading/pay-in", {
    fiatAmount: amount++,
    method: "account",
    extra: { payerInfo: { ip: "127.0.0.1", userId: "u-1", userAgent: PAYER_UA } },
  });
  assert.equal(r.statusCode, 201, r.body);
  return (r.json() as { id: string }).id;
}

const mismatchLogs = (payinId: string) => h.logs.records().filter((l) => l.risk === "payer_page_mismatch" && l.payinId === payinId);

before(async () => {
  if (skip) return;
  // The test's "proxy" is loopback: X-Forwarded-For from it names the client, as behind a real one.
  h = await createHarness({ config: { trustProxy: ["127.0.0.1"] }, tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { requisitesPerTrader: 0 });
  await createRequisite(h.deps, { traderId: fx.traders[0]!.traderId, bank: "ALFA", method: "account", ownerName: "Ivan Petrov", number: ACCOUNT, maxOpenPayins: 50 });
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("deny: the payer's own device sees the details; another user agent or IP gets the refusal in its language, with no details", { skip }, async () => {
  await setPageAccess("deny");
  const id = await createPayin();

  const payer = await browser.newContext({ locale: "en-US", userAgent: PAYER_UA });
  const own = await payer.newPage();
  await own.setViewportSize({ width: 390, height: 844 });
  const ok = await own.goto(`${base}/pay/${id}`);
  assert.equal(ok?.status(), 200);
  assert.equal(await own.textContent("#req-number"), ACCOUNT);
  assert.deepEqual(mismatchLogs(id), [], "the matching payer is not a mismatch");

  // Another browser (user agent), same network: refused in Russian, no requisite anywhere in the page.
  const otherDevice = await browser.newContext({ locale: "ru-RU", userAgent: OTHER_UA });
  const refused = await otherDevice.newPage();
  await refused.setViewportSize({ width: 390, height: 844 });
  const r1 = await refused.goto(`${base}/pay/${id}`);
  assert.equal(r1?.status(), 403);
  assert.equal(await refused.getAttribute("html", "lang"), "ru");
  assert.equal(await refused.textContent("h1"), "Эту страницу оплаты нельзя открыть здесь");
  assert.equal(await refused.title(), "Страница оплаты недоступна");
  const content = await refused.content();
  assert.ok(!content.includes(ACCOUNT) && !content.includes("Ivan Petrov") && !content.includes("5\u00a0000"), "no payment details on the refusal page");
  assert.equal(await refused.locator("#details").count(), 0);
  await checkBothSizes(refused, "pay-refused-ru");

  // The same user agent from another address (behind the trusted proxy): refused too, in English.
  const otherNetwork = await browser.newContext({ locale: "en-US", userAgent: PAYER_UA, extraHTTPHeaders: { "x-forwarded-for": "203.0.113.9" } });
  const fromElsewhere = await otherNetwork.newPage();
  await fromElsewhere.setViewportSize({ width: 390, height: 844 });
  const r2 = await fromElsewhere.goto(`${base}/pay/${id}`);
  assert.equal(r2?.status(), 403);
  assert.equal(await fromElsewhere.textContent("h1"), "This payment page cannot be opened here");
  await checkBothSizes(fromElsewhere, "pay-refused-en");

  // The page's parts refuse the other visitor as well; the claim changes nothing.
  const other = { "user-agent": OTHER_UA, accept: "application/json" };
  for (const [method, url] of [["GET", `/pay/${id}/panel`], ["GET", `/pay/${id}/status`], ["POST", `/pay/${id}/claim`]] as const) {
    const r = await h.app.inject({ method, url, headers: other, remoteAddress: "127.0.0.1" });
    assert.equal(r.statusCode, 403, `${method} ${url}: ${r.body}`);
    assert.equal(r.json().error, "payer_page_refused");
  }
  const read = (await merchant("GET", `/payment/trading/${id}`)).json() as { payerClaimedAt: string | null };
  assert.equal(read.payerClaimedAt, null, "a refused claim is not recorded");
  assert.deepEqual(mismatchLogs(id).map((l) => l.mismatch), [["userAgent"], ["ip"], ["userAgent"], ["userAgent"], ["userAgent"]]);
  const claim = await h.app.inject({ method: "POST", url: `/pay/${id}/claim`, headers: { "user-agent": PAYER_UA, accept: "application/json" }, remoteAddress: "127.0.0.1" });
  assert.equal(claim.statusCode, 200, "the payer's own claim goes through");
  await Promise.all([payer.close(), otherDevice.close(), otherNetwork.close()]);
});

test("log: the page opens for another visitor and the mismatch is logged; off: it opens and nothing is logged", { skip }, async () => {
  await setPageAccess("log");
  const logged = await createPayin();
  const context = await browser.newContext({ locale: "en-US", userAgent: OTHER_UA });
  const page = await context.newPage();
  assert.equal((await page.goto(`${base}/pay/${logged}`))?.status(), 200);
  assert.equal(await page.textContent("#req-number"), ACCOUNT);
  const [record] = mismatchLogs(logged);
  assert.deepEqual(record?.mismatch, ["userAgent"]);
  assert.equal(record?.level, 40, "a warning");
  assert.ok(!JSON.stringify(record).includes(OTHER_UA), "the log names the field, not the visitor's value");

  await setPageAccess("off");
  const quiet = await createPayin();
  assert.equal((await page.goto(`${base}/pay/${quiet}`))?.status(), 200);
  assert.equal(await page.textContent("#req-number"), ACCOUNT);
  assert.deepEqual(mismatchLogs(quiet), []);
  await context.close();
});
