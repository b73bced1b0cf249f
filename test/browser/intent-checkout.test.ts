// The hosted checkout of a payment intent in real headless Chromium, driven as a payer would: from the
// create's checkoutUrl through the KYC page, the transfer details (the EPC QR code decoded from a
// screenshot and checked against the instructions), the payment and payout followed live, and back to
// the shop's successUrl; cancel and timeout return to cancelUrl. Every state at phone and desk size.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import jsQRModule from "jsqr";
import type { Browser, Page } from "playwright-core";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain, intentBody, kycFields } from "../support/intents.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { passKycPage } from "../support/kyc-page.js";
import { checkPage, VIEWPORTS } from "../support/page-checks.js";

// jsqr is CommonJS (module.exports = jsQR): the default import is the function itself.
const jsQR = jsQRModule as unknown as typeof jsQRModule.default;
const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;
let m: MerchantFixture;


before(async () => {
  if (skip) return;
  h = await createHarness({
    env: { ...INTENT_RATES_ENV, RAMPART_SANDBOX_KYC_DELAY_MS: "5000", RAMPART_SANDBOX_CHAIN_CONFIRMATIONS: "2" },
    // The shop's own return pages, on the same loopback server for the test.
    routes: (app) => {
      app.get("/shop/paid", async (_req, reply) => reply.type("text/html").send("<h1 id=shop>Thanks for your order</h1>"));
      app.get("/shop/cart", async (_req, reply) => reply.type("text/html").send("<h1 id=shop>Your cart</h1>"));
    },
  });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  h.deps.config.publicUrl = base; // checkoutUrl and the KYC page's return point at the listening server
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

const api = (method: "GET" | "POST", url: string, payload?: unknown) =>
  h.app.inject({ method, url, headers: { "x-api-key": m.apiKey, "content-type": "application/json" }, ...(payload ? { payload: JSON.stringify(payload) } : {}) });

async function createIntent(over: Record<string, unknown> = {}) {
  const res = await api("POST", "/payment/intent", intentBody(m.storeId, { successUrl: `${base}/shop/paid`, cancelUrl: `${base}/shop/cart`, ...over }));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { paymentIntentId: string; status: number; checkoutUrl: string };
}

async function status(id: string) {
  const res = await api("GET", `/payment/intent/${id}/status`);
  assert.equal(res.statusCode, 200);
  return res.json() as { status: number; txHash: string | null; checkoutUrl: string };
}

/** Each viewport in turn: a fresh page at that size, checked and kept as `<name>-<viewport>.png`. */
async function atEachSize(url: string, name: string, check: (page: Page) => Promise<void> = async () => {}) {
  for (const vp of VIEWPORTS) {
    const page = await browser.newPage({ viewport: { width: vp.width, height: vp.height } });
    try {
      await page.goto(url);
      await check(page);
      await checkPage(page, `${name}-${vp.name}`);
    } finally {
      await page.close();
    }
  }
}

/** The QR code as a payer's banking app sees it: a screenshot of the rendered SVG, decoded by jsQR. */
async function decodeQr(page: Page): Promise<string> {
  const png = await page.locator("#epc-qr svg").screenshot();
  // PNG → RGBA pixels in a blank page (no CSP there), then jsQR here.
  const scratch = await browser.newPage();
  try {
    // A string: the tests are compiled without the DOM library.
    const { width, height, data } = (await scratch.evaluate(`(async () => {
      const img = new Image();
      img.src = "data:image/png;base64,${png.toString("base64")}";
      await img.decode();
      const c = document.createElement("canvas");
      c.width = img.naturalWidth;
      c.height = img.naturalHeight;
      const ctx = c.getContext("2d");
      ctx.drawImage(img, 0, 0);
      return { width: c.width, height: c.height, data: Array.from(ctx.getImageData(0, 0, c.width, c.height).data) };
    })()`)) as { width: number; height: number; data: number[] };
    const code = jsQR(Uint8ClampedArray.from(data), width, height);
    assert.ok(code, "the QR code decodes");
    return code.data;
  } finally {
    await scratch.close();
  }
}

describe("intent checkout", { skip }, () => {
  test("create → KYC page → instructions with an EPC QR that says the same → paid → payout with tx hash → successUrl", async () => {
    const intent = await createIntent();
    assert.equal(intent.status, 2);
    assert.match(intent.checkoutUrl, /^http:\/\/127\.0\.0\.1:\d+\/checkout\/pi_[0-9a-z]+\.[A-Za-z0-9_-]{24}$/);
    assert.equal((await status(intent.paymentIntentId)).checkoutUrl, intent.checkoutUrl, "the status read gives the same link");

    await atEachSize(intent.checkoutUrl, "checkout-2-kyc", async (page) => {
      assert.equal(await page.getAttribute("#status", "data-status"), "2");
      assert.equal(await page.getAttribute(".steps li.current", "aria-current"), "step");
    });

    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(intent.checkoutUrl);
    assert.match((await page.textContent("#merchant")) ?? "", /Test Merchant|Merchant/);
    await page.click("#kyc-link");
    await page.waitForURL(/\/kyc\//);
    await passKycPage(page, { documentType: "passport" });
    await page.waitForSelector("#kyc-status[data-state=pending]");
    await advanceAndDrain(h, 5000); // the sandbox vendor decides after its delay
    await page.waitForSelector("#kyc-status[data-state=approved]");
    await page.click("#continue");
    await page.waitForURL(intent.checkoutUrl);
    await page.waitForSelector('#status[data-status="4"]');

    // What the page shows is what the merchant's instructions say, and what the QR code carries.
    const ins = (await api("GET", `/payment/intent/${intent.paymentIntentId}/instructions`)).json() as {
      fiatAmount: number;
      bankTransfer: { iban: string; bic: string; beneficiary: string; reference: string };
    };
    assert.equal(await page.getAttribute('button[aria-label="Copy: IBAN"]', "data-copy"), ins.bankTransfer.iban, "Copy copies the IBAN without spaces");
    assert.equal((await page.textContent("#iban"))?.replace(/\s/g, ""), ins.bankTransfer.iban);
    assert.equal(await page.textContent("#reference"), ins.bankTransfer.reference);
    assert.match((await page.textContent("#amount")) ?? "", /100\.00/);
    assert.match((await page.textContent("#countdown")) ?? "", /^(59:[0-5]\d|1:00:00)$/);
    const lines = (await decodeQr(page)).split("\n");
    assert.deepEqual(lines.slice(0, 4), ["BCD", "002", "1", "SCT"]);
    assert.equal(lines[4], ins.bankTransfer.bic);
    assert.equal(lines[5], ins.bankTransfer.beneficiary);
    assert.equal(lines[6], ins.bankTransfer.iban);
    assert.equal(lines[7], `EUR${ins.fiatAmount.toFixed(2)}`);
    assert.equal(lines[7], "EUR100.00");
    assert.equal(lines[10], ins.bankTransfer.reference);
    await page.close();
    await atEachSize(intent.checkoutUrl, "checkout-4-instructions", async (p) => assert.equal(await p.getAttribute("#status", "data-status"), "4"));

    // The page follows the payment and the payout without the payer doing anything.
    const live = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await live.goto(intent.checkoutUrl);
    const paid = await sandboxTransfer(h.app, { apiKey: m.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR" });
    assert.equal(paid.json.outcome, "paid");
    await drain(h);
    await live.waitForSelector('#status[data-status="5"]');
    await atEachSize(intent.checkoutUrl, "checkout-5-paid");
    await advanceAndDrain(h, 1000, 3);
    const done = await status(intent.paymentIntentId);
    assert.equal(done.status, 6);
    await live.waitForSelector('#status[data-status="6"]');
    assert.equal(await live.textContent("#tx-hash"), done.txHash);
    assert.equal(await live.getAttribute("#explorer", "href"), `https://tronscan.org/#/transaction/${done.txHash}`);
    await atEachSize(intent.checkoutUrl, "checkout-6-done");
    await live.click("#return");
    await live.waitForURL(`${base}/shop/paid`);
    assert.equal(await live.textContent("#shop"), "Thanks for your order");
    await live.close();
  });

  test("a cancel and a timeout send the payer back to cancelUrl; a rejected KYC says so; a forged link is 404", async () => {
    // Cancelled by the merchant while the payer looks at the instructions (KYC passed in the create).
    const cancelled = await createIntent(kycFields());
    await advanceAndDrain(h, 5000); // the sandbox vendor approves after its delay
    assert.equal((await status(cancelled.paymentIntentId)).status, 4);
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(cancelled.checkoutUrl);
    assert.equal((await api("POST", `/payment/intent/${cancelled.paymentIntentId}/cancel`)).statusCode, 200);
    await page.waitForSelector('#status[data-status="14"]');
    await atEachSize(cancelled.checkoutUrl, "checkout-14-cancelled");
    await page.click("#return");
    await page.waitForURL(`${base}/shop/cart`);

    // The payment window runs out: the timeout job moves it to 10 and the page follows.
    const late = await createIntent(kycFields());
    await advanceAndDrain(h, 5000);
    assert.equal((await status(late.paymentIntentId)).status, 4);
    await page.goto(late.checkoutUrl);
    await advanceAndDrain(h, 3600_000 + 1000);
    assert.equal((await status(late.paymentIntentId)).status, 10);
    await page.waitForSelector('#status[data-status="10"]');
    await atEachSize(late.checkoutUrl, "checkout-10-timed-out");
    assert.equal(await page.getAttribute("#return", "href"), `${base}/shop/cart`);

    const rejected = await createIntent(kycFields("Reject"));
    await advanceAndDrain(h, 5000);
    assert.equal((await status(rejected.paymentIntentId)).status, 10001);
    await atEachSize(rejected.checkoutUrl, "checkout-10001-kyc-failed", async (p) => {
      assert.match((await p.textContent("#end-text")) ?? "", /could not verify your identity/);
    });

    // In Russian, from Accept-Language.
    const ru = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "ru-RU", extraHTTPHeaders: { "accept-language": "ru-RU,ru;q=0.9" } });
    await ru.goto(late.checkoutUrl);
    assert.equal(await ru.getAttribute("html", "lang"), "ru");
    assert.equal(await ru.textContent("#status"), "Время вышло");
    await ru.close();

    const forged = late.checkoutUrl.replace(/\.[A-Za-z0-9_-]{24}$/, ".AAAAAAAAAAAAAAAAAAAAAAAA");
    const res = await fetch(forged);
    assert.equal(res.status, 404);
    assert.equal((await fetch(`${forged}/status`)).status, 404);
    await atEachSize(forged, "checkout-not-found");
    await page.close();
  });
});
