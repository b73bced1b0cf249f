import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Browser } from "playwright-core";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { artifactPath, browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";

const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;
let operatorKey: string;

before(async () => {
  if (skip) return;
  h = await createHarness();
  operatorKey = (await seedSandbox(h.deps)).operatorKey.key;
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("operator signs in to the dashboard with an operator key and sees the overview", { skip }, async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(`${base}/dashboard`);
  assert.match(page.url(), /\/dashboard\/login$/, "no session: sent to sign-in");
  await page.fill("#key", "rop_0000000000000000_wrongwrongwrongwrongwrongwrongwrongwrong123");
  await page.click("button[type=submit]");
  assert.match((await page.textContent("body")) ?? "", /not valid/);
  await page.fill("#key", operatorKey);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/overview$/);
  const body = (await page.textContent("body")) ?? "";
  assert.match(body, /Merchants\s*1/);
  assert.match(body, /up to date/);
  await page.screenshot({ path: artifactPath("dashboard-overview.png"), fullPage: true });
  await page.click("text=Sign out");
  await page.goto(`${base}/dashboard/overview`);
  assert.match(page.url(), /\/dashboard\/login$/, "signed out: session gone");
});

test("the session cookie is HttpOnly, SameSite=Strict and scoped to /dashboard", { skip }, async () => {
  const login = await fetch(`${base}/dashboard/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: `key=${encodeURIComponent(operatorKey)}`,
    redirect: "manual",
  });
  assert.equal(login.status, 303);
  const setCookie = login.headers.get("set-cookie")!;
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\/dashboard/);
  const cookie = setCookie.split(";")[0]!;
  assert.equal((await fetch(`${base}/dashboard/overview`, { headers: { cookie }, redirect: "manual" })).status, 200);
  const tampered = cookie.slice(0, -2) + (cookie.endsWith("AA") ? "BB" : "AA");
  assert.equal((await fetch(`${base}/dashboard/overview`, { headers: { cookie: tampered }, redirect: "manual" })).status, 303);
});
