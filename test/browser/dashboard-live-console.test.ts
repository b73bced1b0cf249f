// The live-mode console pages of the operator dashboard in real headless Chromium (axe and 390 px on
// each): KYC review with the uploaded documents drawn inline side by side from an authenticated
// route, approve and reject; a camt.053 uploaded through the Bank statements page pays an intent (the import report shows
// the match); an unmatched transfer assigned to an intent and another refunded, each after a
// confirmation step; the refund order waiting for an IBAN gets one and goes out in a pain.001 download;
// the manual chain's payout queue takes the tx hash the operator paid with, completing the intent (6);
// merchants' withdrawals above the approval threshold approved and rejected after a confirmation step.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { browserSkipReason, launchBrowser } from "../support/browser.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { TEST_SECRET_KEY, createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, configureStore, drain, intentBody, kycFields } from "../support/intents.js";
import { jsonCall } from "../support/json-call.js";
import { checkBothSizes } from "../support/page-checks.js";
import { createStaff, signInStaff, staffSession } from "../support/staff.js";
import { camt053 } from "../support/statements.js";

const skip = browserSkipReason();
const LIVE = {
  RAMPART_MODE: "live",
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.92",
  RAMPART_KYC: "manual",
  RAMPART_CHAIN: "manual",
  RAMPART_CARD_ACQUIRER: "none",
};
const ACCOUNT = "ES9121000418450200051332";
/** A real 1×1 PNG, so the browser decodes what the document route serves. */
const PNG_1x1 = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

let h: Harness;
let m: MerchantFixture;
let browser: Browser;
let base: string;
let operatorKey: string;
let tmp: string;

const merchant = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);
const statusOf = async (id: string) => (await merchant("GET", `/payment/intent/${id}/status`)).json.status as number;

/** A live intent whose KYC case waits for the operator (intent at 3); returns the case id too. */
async function intentInReview(lastName = "Garcia"): Promise<{ id: string; caseId: string }> {
  const body = intentBody(m.storeId, kycFields(lastName));
  const r = await merchant("POST", "/payment/intent", body);
  assert.equal(r.status, 201, r.text);
  const id = r.json.paymentIntentId as string;
  await drain(h);
  assert.equal(await statusOf(id), 3);
  const c = await h.deps.database.db
    .selectFrom("kyc_cases")
    .innerJoin("kyc_users", "kyc_users.id", "kyc_cases.user_id")
    .select("kyc_cases.id")
    .where("kyc_users.email", "=", body.email as string)
    .executeTakeFirstOrThrow();
  return { id, caseId: c.id };
}

async function instructions(id: string): Promise<{ reference: string; amount: string }> {
  const ins = await merchant("GET", `/payment/intent/${id}/instructions`);
  return { reference: ins.json.bankTransfer.reference, amount: Number(ins.json.fiatAmount).toFixed(2) };
}

async function signIn(): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await signInStaff(page, base, h, await createStaff(h, "admin"));
  return page;
}

const notice = async (page: Page) => (await page.locator("[role=status]").first().textContent()) ?? "";

before(async () => {
  if (skip) return;
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-console-"));
  h = await createHarness({ env: LIVE });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  operatorKey = await createOperatorKey(h.deps, "console test");
  base = await h.app.listen({ port: 0, host: "127.0.0.1" });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await h?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

let paidLater: { id: string; reference: string; amount: string };

test("KYC review: the documents are drawn inline, side by side, from the operator-only route; approve → 4, reject with a reason", { skip }, async () => {
  const a = await intentInReview();
  const b = await intentInReview("Lopez");
  // The payer's upload, as the KYC page stores it: through the file port, its key on the case.
  const key = `kyc/${a.caseId}/document_front-${h.deps.ids.uuid()}`;
  const back = `kyc/${a.caseId}/document_back-${h.deps.ids.uuid()}`;
  await h.deps.ports.files.put(key, PNG_1x1, "image/png");
  await h.deps.ports.files.put(back, PNG_1x1, "image/png");
  await h.deps.database.db.updateTable("kyc_cases").set({ files: JSON.stringify([key, back]) }).where("id", "=", a.caseId).execute();

  const page = await signIn();
  await page.click("nav >> text=KYC review");
  await page.goto(`${base}/dashboard/kyc?case=${a.caseId}`);
  const card = page.locator(`[data-case="${a.caseId}"]`);
  assert.match((await card.textContent()) ?? "", /Ana Garcia/);
  const img = card.locator("img");
  assert.equal(await img.count(), 2);
  assert.equal(await img.first().evaluate((el) => (el as unknown as { naturalWidth: number }).naturalWidth), 1, "the image decoded from the document route");
  // At a desk the front and the back stand side by side, each captioned with its kind.
  assert.deepEqual(await card.locator("figcaption").allTextContents(), ["document front", "document back"]);
  const [front, rear] = [(await card.locator("figure").nth(0).boundingBox())!, (await card.locator("figure").nth(1).boundingBox())!];
  assert.ok(front.y === rear.y && rear.x >= front.x + front.width, `side by side: ${JSON.stringify([front, rear])}`);
  await checkBothSizes(page, "dashboard-kyc");

  const doc = await page.request.get(`${base}/dashboard/kyc/${a.caseId}/documents/0`);
  assert.equal(doc.status(), 200);
  assert.equal(doc.headers()["content-type"], "image/png");
  assert.equal(doc.headers()["cache-control"], "no-store");
  assert.equal(doc.headers()["x-content-type-options"], "nosniff");
  assert.deepEqual(await doc.body(), PNG_1x1);
  assert.equal((await page.request.get(`${base}/dashboard/kyc/${a.caseId}/documents/2`)).status(), 404, "only the case's own files");
  const anonymous = await h.app.inject({ method: "GET", url: `/dashboard/kyc/${a.caseId}/documents/0` });
  assert.equal(anonymous.statusCode, 303, "no session: sent to sign in");
  assert.equal(anonymous.headers.location, "/dashboard/login");

  await card.locator("button", { hasText: "Approve" }).click();
  await page.waitForURL(/\/dashboard\/kyc\?ok=/);
  assert.match(await notice(page), new RegExp(`Case ${a.caseId} is approved`));
  assert.equal(await statusOf(a.id), 4);

  await page.goto(`${base}/dashboard/kyc?case=${b.caseId}`);
  const other = page.locator(`[data-case="${b.caseId}"]`);
  await other.locator("input[name=reason]").fill("The document photo is unreadable");
  await other.locator("button", { hasText: "Reject" }).click();
  await page.waitForURL(/\/dashboard\/kyc\?ok=/);
  assert.match(await notice(page), /is rejected/);
  assert.equal(await statusOf(b.id), 10001);
  const kase = await h.deps.database.db.selectFrom("kyc_cases").select(["status", "reason"]).where("id", "=", b.caseId).executeTakeFirstOrThrow();
  assert.deepEqual(kase, { status: "rejected", reason: "The document photo is unreadable" });
  assert.match((await page.textContent("main")) ?? "", /No KYC case waits/);
  paidLater = { id: a.id, ...(await instructions(a.id)) };
  await page.close();
});

let unmatchedIds: string[] = [];

test("Bank statements: a camt.053 uploaded in the browser pays the intent and the report shows the match", { skip }, async () => {
  assert.ok(paidLater, "the KYC test approved an intent");
  const other = await intentInReview();
  await jsonCall(h.app, "POST", `/admin/v1/kyc/cases/${other.caseId}/approve`, { "x-operator-key": operatorKey });
  const second = await instructions(other.id);
  const file = path.join(tmp, "statement-2026-12-01.xml");
  fs.writeFileSync(
    file,
    camt053(ACCOUNT, [
      { ref: "CONSOLE-1", amount: paidLater.amount, remittance: `Order ${paidLater.reference}`, payerName: "Ana Garcia", payerIban: "ES7921000813610123456789" },
      // The second intent's payer forgot the reference; a stranger sent money without an IBAN.
      { ref: "CONSOLE-2", amount: second.amount, remittance: "invoice 7", payerName: "Ana Garcia", payerIban: "ES7921000813610123456789" },
      { ref: "CONSOLE-3", amount: "12.00", remittance: "gift", payerName: "Someone Else" },
    ]),
  );

  const page = await signIn();
  await page.click("nav >> text=Bank statements");
  await page.waitForURL(/\/dashboard\/statements$/);
  await checkBothSizes(page, "dashboard-statements-empty");
  await page.setInputFiles("#statement-file", file);
  await page.click("button:has-text('Import')");
  await page.waitForURL(/\/dashboard\/statements\?ok=.*&import=bsi_/);
  assert.match(await notice(page), /3 entries read, 1 matched, 0 duplicates, 2 unmatched, 0 rejected/);
  const report = page.locator("#import-report");
  assert.equal(await report.locator('[data-count="matched"]').textContent(), "1");
  assert.equal(await report.locator('[data-count="unmatched"]').textContent(), "2");
  const matched = report.locator('tr[data-outcome="matched"]');
  assert.equal(await matched.count(), 1);
  assert.match((await matched.textContent()) ?? "", new RegExp(paidLater.id));
  assert.match((await report.textContent()) ?? "", /statement-2026-12-01\.xml · camt\.053 · console/);
  assert.equal(await statusOf(paidLater.id), 5, "the intent is paid");
  await checkBothSizes(page, "dashboard-statements-report");

  // The same file again changes nothing: every entry is a duplicate.
  await page.setInputFiles("#statement-file", file);
  await page.click("button:has-text('Import')");
  await page.waitForURL(/\/dashboard\/statements\?ok=.*&import=bsi_/);
  assert.match(await notice(page), /3 entries read, 0 matched, 3 duplicates, 0 unmatched/);
  // An upload without the form's token (a forged cross-site form) is refused before anything is read.
  const forged = await page.request.post(`${base}/dashboard/statements/upload`, {
    multipart: { file: { name: "forged.xml", mimeType: "application/xml", buffer: fs.readFileSync(file) } },
    maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  // A file that is no statement: the notice says why, nothing imported.
  fs.writeFileSync(path.join(tmp, "notes.txt"), "hello");
  await page.setInputFiles("#statement-file", path.join(tmp, "notes.txt"));
  await page.click("button:has-text('Import')");
  await page.waitForURL(/\/dashboard\/statements\?error=/);
  assert.equal(await page.locator("tbody tr[data-import]").count(), 2, "two imports listed, the refused file is not");

  const rows = await h.deps.database.db.selectFrom("bank_transfers").select(["id", "external_id"]).where("outcome", "=", "unmatched").orderBy("external_id").execute();
  unmatchedIds = rows.map((r) => r.id);
  assert.equal(unmatchedIds.length, 2);
  paidLater = { id: other.id, ...second };
  await page.close();
});

test("Unmatched transfers: assign to an intent and refund, each after a confirmation; the refund gets an IBAN and a pain.001", { skip }, async () => {
  assert.equal(unmatchedIds.length, 2, "the statement test left two unmatched transfers");
  const [forgotRef, stranger] = unmatchedIds as [string, string];
  const page = await signIn();
  await page.click("nav >> text=Unmatched transfers");
  await page.click(`tr[data-transfer="${forgotRef}"] >> text=Resolve`);
  await page.selectOption("#assign-to", "reference");
  await page.fill("#assign-value", paidLater.reference);
  await page.click("text=Review the assignment");
  const confirm = page.locator("#confirm");
  assert.match((await confirm.textContent()) ?? "", /moves to paid \(5\)/);
  assert.equal(await statusOf(paidLater.id), 4, "reviewing changes nothing");
  await checkBothSizes(page, "dashboard-unmatched-confirm");
  await confirm.locator("button", { hasText: "Assign the transfer" }).click();
  await page.waitForURL(/\/dashboard\/unmatched\?ok=/);
  assert.match(await notice(page), new RegExp(`Transfer ${forgotRef} assigned: paid`));
  assert.equal(await statusOf(paidLater.id), 5);

  await page.click(`tr[data-transfer="${stranger}"] >> text=Resolve`);
  await page.fill("#refund-reason", "No order matches this payment");
  await page.click("text=Review the refund");
  assert.match((await page.locator("#confirm").textContent()) ?? "", /gave no payer IBAN/);
  await page.click("text=Refund the transfer");
  await page.waitForURL(/\/dashboard\/unmatched\?ok=/);
  assert.match(await notice(page), /refund order rfo_\w+ is waiting/);
  assert.equal(await page.locator(`tr[data-transfer="${stranger}"] >> text=Resolve`).count(), 0, "no longer unmatched");
  await checkBothSizes(page, "dashboard-unmatched");

  await page.click("nav >> text=Refund orders");
  // Confirming again (a second tab) is refused with the status named, nothing changes.
  const csrf = (await page.locator("input[name=csrf]").first().getAttribute("value"))!;
  const again = await page.request.post(`${base}/dashboard/unmatched/${stranger}/refund`, { form: { csrf, reason: "again please" }, maxRedirects: 0 });
  assert.equal(again.status(), 303);
  assert.match(new URL(again.headers().location!, base).searchParams.get("error") ?? "", /refunded/);
  const order = await h.deps.database.db.selectFrom("refund_orders").select(["id", "status"]).where("bank_transfer_id", "=", stranger).executeTakeFirstOrThrow();
  assert.equal(order.status, "waiting");
  const card = page.locator(`[data-order="${order.id}"]`);
  assert.match((await card.textContent()) ?? "", /IBAN is unknown/);
  await checkBothSizes(page, "dashboard-refunds-waiting");
  await card.locator("input[name=iban]").fill("ES12 3456");
  await card.locator("button").click();
  await page.waitForURL(/\/dashboard\/refunds\?error=/);
  assert.match(await notice(page), /not a valid IBAN/);
  await page.locator(`[data-order="${order.id}"] input[name=iban]`).fill("DE89 3704 0044 0532 0130 00");
  await page.locator(`[data-order="${order.id}"] button`).click();
  await page.waitForURL(/\/dashboard\/refunds\?ok=/);
  assert.match((await page.locator(`tr[data-order="${order.id}"]`).textContent()) ?? "", /DE89370400440532013000/);

  await page.click("text=Export pending refunds");
  await page.waitForURL(/\/dashboard\/refunds\?ok=/);
  assert.match(await notice(page), /Exported 1 refund\(s\) as rfx_/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator("[data-export] a[download]").first().click()]);
  const xml = fs.readFileSync((await download.path())!, "utf8");
  assert.match(xml, /pain\.001\.001\.03/);
  assert.match(xml, new RegExp(`<EndToEndId>${order.id}</EndToEndId>`));
  assert.match(xml, /DE89370400440532013000/);
  assert.equal((await h.deps.database.db.selectFrom("refund_orders").select("status").where("id", "=", order.id).executeTakeFirstOrThrow()).status, "exported");
  await checkBothSizes(page, "dashboard-refunds-exported");
  await page.close();
});

test("Payouts: the manual chain's queue shows what to pay; the tx hash entered completes the intent (6); a role without withdrawals sees no form", { skip }, async () => {
  // The intent the unmatched test assigned is paid (5): its payout job runs and, the chain being manual, waits.
  await advanceAndDrain(h, 60_000, 3);
  assert.equal(await statusOf(paidLater.id), 5);
  const payoutId = `payout_${paidLater.id}`;
  const page = await signIn();
  await page.click("nav >> text=Payouts");
  await page.waitForURL(/\/dashboard\/payouts$/);
  const card = () => page.locator(`[data-payout="${payoutId}"]`);
  assert.match((await card().textContent()) ?? "", /\d+\.\d{6} USDT[\s\S]*trc20[\s\S]*awaiting_operator|awaiting_operator[\s\S]*\d+\.\d{6} USDT[\s\S]*trc20/);
  await checkBothSizes(page, "dashboard-payouts");

  await card().locator("input[name=txHash]").fill("0xnot-a-hash");
  await card().locator("button").click();
  await page.waitForURL(/\/dashboard\/payouts\?error=/);
  assert.match(await notice(page), /Not a transaction hash of the trc20 network/);
  assert.equal(await statusOf(paidLater.id), 5, "nothing written on a bad hash");

  const hash = "ab".repeat(32);
  await card().locator("input[name=txHash]").fill(hash);
  await card().locator("button").click();
  await page.waitForURL(/\/dashboard\/payouts\?ok=/);
  assert.match(await notice(page), new RegExp(`Payout ${payoutId} is confirmed with ${hash}: intent ${paidLater.id} is complete \\(6\\)`));
  assert.equal(await statusOf(paidLater.id), 6);
  assert.equal(await card().count(), 0, "no longer waiting");
  await page.close();

  // Support may read the queue but not record money going out: no form, and a posted one is refused.
  const support = await staffSession(h, "support");
  // The intent the statement test paid still waits for its payout.
  const waiting = () => h.deps.database.db.selectFrom("intent_payouts").select(["payout_key", "status"]).where("status", "=", "awaiting_operator").execute();
  const left = await waiting();
  assert.equal(left.length, 1, JSON.stringify(left));
  const other = left[0]!.payout_key;
  const seen = await h.app.inject({ method: "GET", url: "/dashboard/payouts", headers: { cookie: support.cookie } });
  assert.equal(seen.statusCode, 200);
  assert.match(seen.body, new RegExp(`data-payout="${other}"`));
  assert.doesNotMatch(seen.body, /name="txHash"/);
  const posted = await h.app.inject({
    method: "POST",
    url: `/dashboard/payouts/${other}/tx-hash`,
    headers: { cookie: support.cookie, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ csrf: support.csrf, txHash: "cd".repeat(32) }).toString(),
  });
  assert.equal(posted.statusCode, 403);
  assert.deepEqual(await waiting(), [{ payout_key: other, status: "awaiting_operator" }], "nothing recorded");
});

test("Withdrawals: above the threshold they wait; one is approved and one rejected, each after the step that says what it does; support sees no form", { skip }, async () => {
  const added = await merchant("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" });
  assert.equal(added.status, 201, added.text);
  h.clock.advance(24 * 3_600_000); // the default cooling-off period
  const balance = { owner: `merchant:${m.merchantId}`, asset: "USDT", purpose: "merchant_balance" } as const;
  await fundMerchantBalance(h.deps, m.merchantId, 5_000_000_000n);
  const ask = async (amount: string) => {
    const r = await merchant("POST", "/merchant/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount });
    assert.equal(r.json.status, "requested", r.text);
    return r.json.id as string;
  };
  const [approveId, rejectId] = [await ask("1500"), await ask("1200")];

  const page = await signIn();
  await page.click("nav >> text=Withdrawals");
  await page.waitForURL(/\/dashboard\/withdrawals$/);
  await checkBothSizes(page, "dashboard-withdrawals");
  const card = (id: string) => page.locator(`[data-withdrawal="${id}"]`);
  assert.match((await card(approveId).textContent()) ?? "", /1500\.000000 USDT[\s\S]*0x52908400098527886E0F7030069857D2E4169EE7/);

  await card(approveId).locator("summary", { hasText: "Approve" }).click();
  await card(approveId).locator("button", { hasText: "Yes, approve" }).click();
  await page.waitForURL(/\/dashboard\/withdrawals\?ok=/);
  assert.match(await notice(page), new RegExp(`Withdrawal ${approveId} approved`));
  assert.equal(await card(approveId).count(), 0, "no longer waiting");

  const before = (await getBalance(h.deps.database.db, balance)).available;
  await card(rejectId).locator("summary", { hasText: "Reject" }).click();
  await card(rejectId).locator("button", { hasText: "Yes, reject" }).click();
  await page.waitForURL(/\/dashboard\/withdrawals\?ok=/);
  assert.match(await notice(page), new RegExp(`Withdrawal ${rejectId} rejected`));
  assert.equal((await getBalance(h.deps.database.db, balance)).available, before + 1_200_000_000n, "amount back on the balance");
  await page.close();

  // Support reads withdrawals but does not let money out: no form, and a posted one is refused.
  const third = await ask("1100");
  const support = await staffSession(h, "support");
  const seen = await h.app.inject({ method: "GET", url: "/dashboard/withdrawals", headers: { cookie: support.cookie } });
  assert.match(seen.body, new RegExp(`data-withdrawal="${third}"`));
  assert.doesNotMatch(seen.body, /Yes, approve/);
  const posted = await h.app.inject({
    method: "POST",
    url: `/dashboard/withdrawals/${third}/approve`,
    headers: { cookie: support.cookie, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams({ csrf: support.csrf }).toString(),
  });
  assert.equal(posted.statusCode, 403);
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${third}`)).json.status, "requested");
});
