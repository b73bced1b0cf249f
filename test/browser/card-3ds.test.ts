// The hosted 3-D Secure page in real Chromium, every state at phone and desk size: the challenge (the
// merchant named, a countdown that runs), approve → successUrl and pay-callback SUCCESS, fail → the
// merchant's failUrl and the page's "try another card", a challenge left to time out, Russian words,
// and an unknown link.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { addCard, CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkPage, VIEWPORTS } from "../support/page-checks.js";
import { drainWorker } from "../support/trading.js";

const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;
let merchantId: string;

before(async () => {
  if (skip) return;
  h = await createHarness({
    env: CARD_TEST_ENV,
    // The merchant's own return pages, served on the same loopback server for the test.
    routes: (app) => {
      app.get("/merchant/thanks", async (_req, reply) => reply.type("text/html").send("<h1 id=thanks>Thanks for your purchase</h1>"));
      app.get("/merchant/cards", async (_req, reply) => reply.type("text/html").send("<h1 id=cards>Choose a card</h1>"));
    },
  });
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  h.deps.config.publicUrl = base; // authLink points at the listening server
  ({ merchantId } = await createMerchant(h.deps));
  await seedCardPairs(h.deps);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

/** A card payment waiting at 3-D Secure: its authLink and offer id. */
async function challenge() {
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, 4000000000003220);
  const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 250, toCurrency: "USDT", operation: "PAYIN" } })).json();
  const pay = (
    await h.app.inject({
      method: "POST",
      url: `/v3/payin/pay/${offer.offerId}`,
      headers: who.headers,
      payload: { cardCVV: "123", successUrl: `${base}/merchant/thanks`, failUrl: `${base}/merchant/cards` },
    })
  ).json();
  assert.ok(String(pay.authLink).startsWith(`${base}/3ds/`), "a challenge needs the hosted page");
  return { authLink: String(pay.authLink), offerId: String(offer.offerId), who };
}

async function callbackStatus(c: Awaited<ReturnType<typeof challenge>>) {
  return (await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${c.offerId}`, headers: c.who.headers })).json().status as string;
}

/**
 * The server renders #status into the page (an outcome, or none while the challenge is open), so it is
 * read as loaded: a waiting read would sit out playwright's 30 s timeout on every page without one.
 */
async function atEachSize(url: string, name: string, check: (state: string | null) => void) {
  for (const vp of VIEWPORTS) {
    const page = await browser.newPage({ viewport: { width: vp.width, height: vp.height } });
    try {
      await page.goto(url);
      const status = await page.$("#status");
      check(status ? await status.getAttribute("data-state") : null);
      await checkPage(page, `${name}-${vp.name}`);
    } finally {
      await page.close();
    }
  }
}

test("challenge: merchant named, the countdown runs; approve lands on successUrl and pay-callback says SUCCESS", { skip }, async () => {
  const c = await challenge();
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(c.authLink);
  assert.match((await page.textContent("#merchant")) ?? "", /Payment to .+/);
  assert.match((await page.textContent("#amount")) ?? "", /€250\.00/);
  assert.match((await page.textContent("#card")) ?? "", /400000\*\*\*\*3220/);
  // 15 minutes on the server's (test) clock, counted down in real time from the page's load.
  const left = Number(await page.getAttribute("#countdown", "data-left"));
  assert.ok(left > 0 && left <= 900, `seconds left: ${left}`);
  assert.match((await page.textContent("#countdown")) ?? "", /^\d\d:\d\d$/);
  await page.waitForSelector(`#countdown:not([data-left="${left}"])`); // it runs: the next second shows
  await atEachSize(c.authLink, "card-3ds-challenge", (state) => assert.equal(state, null, "no outcome while the challenge is open"));
  await page.click("#approve");
  await page.waitForURL(`${base}/merchant/thanks`);
  assert.equal(await callbackStatus(c), "SUCCESS");
  // The link now shows the outcome, in words.
  await atEachSize(c.authLink, "card-3ds-approved", (state) => assert.equal(state, "approved"));
  await page.goto(c.authLink);
  assert.equal(await page.textContent("#status"), "Payment approved");
  assert.equal(await page.getAttribute("#back", "href"), `${base}/merchant/thanks`);
  await page.close();
});

test("fail: back on the merchant's page; the link then offers another card; a timed-out challenge says the time ran out", { skip }, async () => {
  const c = await challenge();
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(c.authLink);
  await page.click("#fail");
  await page.waitForURL(`${base}/merchant/cards`);
  assert.equal(await callbackStatus(c), "FAILURE");
  await atEachSize(c.authLink, "card-3ds-declined", (state) => assert.equal(state, "declined"));
  await page.goto(c.authLink);
  assert.equal(await page.textContent("#status"), "Payment declined");
  await page.click("#retry");
  await page.waitForURL(`${base}/merchant/cards`);

  const late = await challenge();
  h.clock.advance(15 * 60_000 + 1);
  await drainWorker(h.deps);
  assert.equal(await callbackStatus(late), "FAILURE");
  await atEachSize(late.authLink, "card-3ds-timeout", (state) => assert.equal(state, "timeout"));

  // The payer's language from Accept-Language.
  const ru = await browser.newPage({ viewport: { width: 390, height: 844 }, extraHTTPHeaders: { "accept-language": "ru" } });
  await ru.goto(late.authLink);
  assert.equal(await ru.getAttribute("html", "lang"), "ru");
  assert.equal(await ru.textContent("#status"), "Время вышло");
  assert.equal(await ru.textContent("#retry"), "Попробовать другую карту");
  await ru.close();

  const unknown = c.authLink.replace(/\.[A-Za-z0-9_-]{24}$/, ".AAAAAAAAAAAAAAAAAAAAAAAA");
  assert.equal((await fetch(unknown)).status, 404);
  await atEachSize(unknown, "card-3ds-unknown", (state) => assert.equal(state, null));
  await page.close();
});
