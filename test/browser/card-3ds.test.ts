// The hosted 3-D Secure page in real Chromium: open authLink, approve, land on the merchant's
// successUrl; pay-callback then says SUCCESS.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { addCard, CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createMerchant } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;

before(async () => {
  if (skip) return;
  h = await createHarness({
    env: CARD_TEST_ENV,
    // The merchant's own return page, served on the same loopback server for the test.
    routes: (app) => app.get("/merchant/thanks", async (_req, reply) => reply.type("text/html").send("<h1 id=thanks>Thanks for your purchase</h1>")),
  });
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  h.deps.config.publicUrl = base; // authLink points at the listening server
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("3-D Secure challenge: open authLink, approve, land on successUrl, pay-callback SUCCESS", { skip }, async () => {
  const { merchantId } = await createMerchant(h.deps);
  await seedCardPairs(h.deps);
  const who = await registerCustomer(h.app, merchantId);
  const cardId = await addCard(h.app, who, 4000000000003220);
  const offer = (await h.app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 250, toCurrency: "USDT", operation: "PAYIN" } })).json();
  const successUrl = `${base}/merchant/thanks`;
  const pay = (await h.app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: who.headers, payload: { cardCVV: "123", successUrl } })).json();
  assert.ok(pay.authLink, "a challenge needs the hosted page");
  assert.ok(pay.authLink.startsWith(`${base}/3ds/`));

  const page = await browser.newPage({ viewport: { width: 420, height: 820 } });
  await page.goto(pay.authLink);
  assert.match((await page.textContent("#amount")) ?? "", /250\.00 EUR/);
  assert.match((await page.textContent("#card")) ?? "", /400000\*\*\*\*3220/);
  await page.screenshot({ path: artifactPath("card-3ds-challenge.png"), fullPage: true });
  await page.click("#approve");
  await page.waitForURL(successUrl);
  assert.match((await page.textContent("#thanks")) ?? "", /Thanks/);
  await page.screenshot({ path: artifactPath("card-3ds-success.png"), fullPage: true });

  const cb = await h.app.inject({ method: "GET", url: `/v3/payin/pay-callback?offerId=${offer.offerId}`, headers: who.headers });
  assert.equal(cb.json().status, "SUCCESS");
  // The link now shows the outcome.
  await page.goto(pay.authLink);
  assert.equal(await page.textContent("#status"), "SUCCESS");
  await page.close();
});
