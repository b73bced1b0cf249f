// The hosted KYC page in real headless Chromium: open the intent's kycUrl, fill the form, upload the
// document front/back and a selfie, submit, watch "pending" turn into "approved" once the sandbox
// vendor's due-time check runs, and land on kycRedirectUrl with the intent now at 4.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain, intentBody } from "../support/intents.js";
import { type Receiver, startReceiver } from "../support/webhook-receiver.js";

const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;
let m: MerchantFixture;
let merchantSite: Receiver;

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(64, 2)]);
const PDF = Buffer.from("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n");

before(async () => {
  if (skip) return;
  h = await createHarness({ env: { ...INTENT_RATES_ENV, RAMPART_SANDBOX_KYC_DELAY_MS: "5000" } });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  merchantSite = await startReceiver(() => ({ status: 200, headers: { "content-type": "text/html" }, body: "<h1>Back at the merchant</h1>" }));
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await merchantSite?.close();
  await h?.close();
});

async function createIntent(over: Record<string, unknown> = {}) {
  const res = await h.app.inject({
    method: "POST",
    url: "/payment/intent",
    headers: { "x-api-key": m.apiKey, "content-type": "application/json" },
    payload: JSON.stringify(intentBody(m.storeId, { kycRedirectUrl: `${merchantSite.url}/return`, ...over })),
  });
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json() as { paymentIntentId: string; status: number; kycUrl: string };
  assert.equal(body.status, 2);
  // The link is built on the configured public URL; the test server listens on a random port.
  return { ...body, pageUrl: `${base}${new URL(body.kycUrl).pathname}` };
}

async function intentStatus(id: string): Promise<number> {
  const res = await h.app.inject({ method: "GET", url: `/payment/intent/${id}/status`, headers: { "x-api-key": m.apiKey } });
  return (res.json() as { status: number }).status;
}

async function fillForm(page: Page, lastName: string) {
  await page.fill("#firstName", "Ana");
  await page.fill("#lastName", lastName);
  await page.fill("#birthDate", "1990-04-01");
  await page.selectOption("#documentType", "id_card");
  await page.fill("#documentNumber", "Y7654321");
  await page.selectOption("#country", "ES");
  await page.selectOption("#nationality", "PT");
  await page.setInputFiles("#documentFront", { name: "front.png", mimeType: "image/png", buffer: PNG });
  await page.setInputFiles("#documentBack", { name: "back.pdf", mimeType: "application/pdf", buffer: PDF });
  await page.setInputFiles("#selfie", { name: "selfie.jpg", mimeType: "image/jpeg", buffer: JPEG });
}

test("fill the form, upload, submit: pending, then approved, back on kycRedirectUrl with the intent at 4", { skip }, async () => {
  const intent = await createIntent();
  const page = await browser.newPage({ viewport: { width: 420, height: 1100 } });
  await page.goto(intent.pageUrl);
  await fillForm(page, "Garcia");
  await page.screenshot({ path: artifactPath("kyc-page-form.png"), fullPage: true });
  await page.click("#submit");
  await page.waitForSelector("#kyc-status[data-state=pending]");
  assert.equal(await page.isHidden("#continue"), true, "no way on while pending");
  assert.equal(await intentStatus(intent.paymentIntentId), 2);

  // The vendor's due-time check runs in the worker; the page polls and updates by itself.
  await advanceAndDrain(h, 5000);
  await page.waitForSelector("#kyc-status[data-state=approved]", { timeout: 10_000 });
  await page.screenshot({ path: artifactPath("kyc-page-approved.png"), fullPage: true });
  await page.click("#continue");
  await page.waitForURL(`${merchantSite.url}/return`);
  assert.match((await page.textContent("h1")) ?? "", /Back at the merchant/);
  assert.equal(await intentStatus(intent.paymentIntentId), 4);

  // The uploads went through the file port with their sniffed types.
  const detail = await h.deps.database.db.selectFrom("kyc_cases").select(["files", "document_type", "nationality"]).where("status", "=", "approved").execute();
  const files = detail.flatMap((d) => d.files);
  assert.equal(files.length, 3);
  const types = await Promise.all(files.map(async (k) => (await h.deps.ports.files.get(k))?.contentType));
  assert.deepEqual(types.sort(), ["application/pdf", "image/jpeg", "image/png"]);

  // Single use: the link now only shows the status; a second submission is refused.
  await page.goto(intent.pageUrl);
  assert.equal(await page.locator("#kyc-form").count(), 0);
  assert.equal(await page.getAttribute("#kyc-status", "data-state"), "approved");
  await page.close();
});

test("a rejected user sees the rejection; the intent goes to 10001", { skip }, async () => {
  const intent = await createIntent();
  const page = await browser.newPage();
  await page.goto(intent.pageUrl);
  await fillForm(page, "Reject");
  await page.click("#submit");
  await page.waitForSelector("#kyc-status[data-state=rejected]");
  await drain(h);
  assert.equal(await intentStatus(intent.paymentIntentId), 10001);
  await page.close();
});

test("wrong file types and missing fields re-show the form with errors; unknown and expired links are refused", { skip }, async () => {
  const intent = await createIntent();
  const page = await browser.newPage();
  await page.goto(intent.pageUrl);
  await fillForm(page, "Garcia");
  await page.setInputFiles("#selfie", { name: "selfie.jpg", mimeType: "image/jpeg", buffer: Buffer.from("not really a jpeg") });
  await page.click("#submit");
  await page.waitForSelector("[data-error=files]");
  assert.match((await page.textContent("[data-error=files]")) ?? "", /PDF, PNG or JPEG/);
  assert.equal(await page.inputValue("#documentNumber"), "Y7654321", "typed values are kept");
  assert.equal(await intentStatus(intent.paymentIntentId), 2);

  const unknown = await fetch(`${base}/kyc/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
  assert.equal(unknown.status, 404);
  h.clock.advance(86_400_000 + 1000);
  const expired = await fetch(intent.pageUrl);
  assert.equal(expired.status, 404);
  assert.match(await expired.text(), /invalid, used or expired/);
  await page.close();
});
