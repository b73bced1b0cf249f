// Signing in to the operator console in real headless Chromium: a new staff account enrols its
// authenticator from the QR page (the test reads the secret and computes codes with otplib at the
// harness clock), sees its recovery codes once, reaches the overview; later sign-ins ask for the
// password and a TOTP code; pages pass axe at 390 px; the session cookie is HttpOnly,
// SameSite=Strict, scoped to /dashboard and ends at sign-out. The overview draws its charts over a few
// days of payments, passes axe at 1280 and 390 px, and swaps in fresh figures each minute by itself.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import type { Browser } from "playwright-core";
import { seedSandbox } from "../../src/app/sandbox/seed.js";
import { createStaffUser } from "../../src/app/staff/staff-accounts.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createHarness, type Harness } from "../support/harness.js";
import { checkPage } from "../support/page-checks.js";
import { insertPaymentRows } from "../support/payment-rows.js";
import { createStaff, freshTotp, signInStaff, staffSession } from "../support/staff.js";

const skip = browserSkipReason();
let h: Harness;
let browser: Browser;
let base: string;

before(async () => {
  if (skip) return;
  h = await createHarness();
  const sandbox = await seedSandbox(h.deps);
  // Three days of paid pay-ins and intents for the overview's charts.
  const db = h.deps.database.db;
  const requisite = await db.selectFrom("trading_requisites").select(["id", "trader_id"]).orderBy("id").limit(1).executeTakeFirstOrThrow();
  const start = new Date(h.clock.now().getTime() - 3 * 86_400_000);
  const rows = { merchantId: sandbox.merchantId, storeId: sandbox.storeId, trader: { traderId: requisite.trader_id, requisiteId: requisite.id }, start, stepMs: 7_200_000 };
  await insertPaymentRows(db, { ...rows, tag: "ov", trading: 30, intents: 20 });
  await sql`UPDATE trading_payins SET closed_at = created_at + interval '7 minutes' WHERE external_transaction_id LIKE 'ext-ov-%'`.execute(db);
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
});

test("a new staff member signs in: password, TOTP enrolment by QR code, recovery codes once, then the overview", { skip }, async () => {
  const user = await createStaffUser(h.deps, { email: "ana@ops.example", role: "support" });
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await page.goto(`${base}/dashboard`);
  assert.match(page.url(), /\/dashboard\/login$/, "no session: sent to sign-in");
  await checkPage(page, "console-sign-in-390");

  await page.fill("#email", user.email);
  await page.fill("#password", "not-the-password");
  await page.click("button[type=submit]");
  assert.match((await page.textContent("[role=alert]")) ?? "", /e-mail or password is wrong/);

  await page.fill("#email", "ANA@ops.example");
  await page.fill("#password", user.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/login\/enrol$/);
  assert.equal(await page.locator("[role=img] svg").count(), 1, "the QR code is drawn inline");
  await checkPage(page, "console-enrol-390");
  const secret = (await page.textContent("#totp-secret"))!.trim();

  await page.fill("#code", "000000");
  await page.click("button[type=submit]");
  assert.match((await page.textContent("[role=alert]")) ?? "", /wrong, expired or already used/);
  assert.equal((await page.textContent("#totp-secret"))!.trim(), secret, "a wrong code keeps the same secret");

  await page.fill("#code", freshTotp(h, secret));
  await page.click("button[type=submit]");
  const codes = await page.locator("#recovery-codes li").allTextContents();
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10);
  await page.click("text=Continue to the console");
  await page.waitForURL(/\/dashboard\/overview$/);
  assert.match((await page.textContent("#signed-in-as")) ?? "", /ana@ops\.example · support/);
  await checkPage(page, "console-overview-390");
  // The recovery codes are stored hashed only.
  const stored = await h.deps.database.db.selectFrom("operator_recovery_codes").select("code_hash").where("user_id", "=", user.id).execute();
  assert.equal(stored.length, 10);
  assert.ok(stored.every((r) => !codes.some((c) => r.code_hash.toString("utf8").includes(c))));

  await page.click("text=Sign out");
  await page.goto(`${base}/dashboard/overview`);
  assert.match(page.url(), /\/dashboard\/login$/, "signed out: session gone");

  // The next sign-in asks for a code; the one just used is refused (each code passes once).
  await page.fill("#email", user.email);
  await page.fill("#password", user.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/login\/second-factor$/);
  await checkPage(page, "console-second-factor-390");
  await page.fill("#code", codes[0]!);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/overview$/);
  await page.close();
});

test("the overview draws payments per day and fiat paid per currency, and passes axe at 1280 and 390 px", { skip }, async () => {
  const staff = await createStaff(h, "viewer");
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInStaff(page, base, h, staff);
  await page.click("text=7 days");
  await page.waitForURL(/range=7$/);
  assert.equal(await page.locator('svg[aria-label="Payments created per day over 7 days, by flow"] rect').count() > 3, true, "columns drawn");
  assert.equal(await page.locator('[data-volume="RUB"] svg').count(), 1);
  assert.deepEqual(await page.locator('tr[data-flow="trading"] td.mono').allTextContents(), ["30", "30", "100.0 %", "7 min"]);
  await checkPage(page, "console-overview-charts-1280");
  await page.setViewportSize({ width: 390, height: 844 });
  await checkPage(page, "console-overview-charts-390");
  await page.close();
});

test("the overview swaps in fresh figures by itself each minute, without a reload", { skip }, async () => {
  const staff = await createStaff(h, "viewer");
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await signInStaff(page, base, h, staff);
  // The page's minute timer runs on Playwright's clock, so the test moves it instead of waiting.
  await page.clock.install();
  await page.reload();
  const first = await page.textContent("#as-of");
  // Marks on the drawn figures and on the window: a swap loses the first, a reload would lose both.
  await page.locator("#overview-live").evaluate((el) => (el as unknown as { setAttribute(n: string, v: string): void }).setAttribute("data-drawn", "first"));
  await page.evaluate("window.sameDocument = true");
  h.clock.advance(5 * 60_000); // the server's next copy is five minutes later
  const next = `${h.clock.now().toISOString().slice(0, 16).replace("T", " ")} UTC`;
  assert.notEqual(first, next);
  await page.clock.runFor(60_000);
  await page.locator("#as-of", { hasText: next }).waitFor();
  assert.equal(await page.locator("#overview-live[data-drawn]").count(), 0, "the figures were replaced");
  assert.equal(await page.evaluate("window.sameDocument"), true, "without a reload");
  await page.close();
});

test("later sign-ins take the password and a TOTP code computed from the secret", { skip }, async () => {
  const staff = await createStaff(h, "viewer");
  const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
  await signInStaff(page, base, h, staff);
  assert.match((await page.textContent("#signed-in-as")) ?? "", /viewer/);
  await page.close();
});

test("the session cookie is HttpOnly, SameSite=Strict and scoped to /dashboard; a changed token is no session", { skip }, async () => {
  const staff = await createStaff(h, "admin");
  const login = await fetch(`${base}/dashboard/login`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email: staff.email, password: staff.password }).toString(),
    redirect: "manual",
  });
  assert.equal(login.status, 303);
  const setCookie = login.headers.get("set-cookie")!;
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.match(setCookie, /Path=\/dashboard/);
  assert.doesNotMatch(setCookie, /Secure/, "plain http here: RAMPART_PUBLIC_URL is http");
  const pending = setCookie.split(";")[0]!;
  assert.equal((await fetch(`${base}/dashboard/overview`, { headers: { cookie: pending }, redirect: "manual" })).status, 303, "the password alone is no session");
  const { cookie } = await staffSession(h, staff);
  assert.equal((await fetch(`${base}/dashboard/overview`, { headers: { cookie }, redirect: "manual" })).status, 200);
  const tampered = cookie.slice(0, -2) + (cookie.endsWith("AA") ? "BB" : "AA");
  assert.equal((await fetch(`${base}/dashboard/overview`, { headers: { cookie: tampered }, redirect: "manual" })).status, 303);
});
