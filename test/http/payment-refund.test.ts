// An operator's refund of a paid trading pay-in (issue 18): the operator API (finance) reverses the
// pay-in's credit on the ledger (the merchant's net amount and the fee back to the trader's deposit),
// records what is owed to the payer (pending → sent → completed with the bank reference), sends the
// merchant a signed webhook with the refund and writes one audit entry per step; two concurrent refunds
// of one pay-in make exactly one (the other 409 naming its status); the console's payment page offers
// it behind a confirmation and, above RAMPART_STEP_UP_AMOUNT, a fresh TOTP code. The ledger is
// checked balanced after each.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { postTransfer } from "../../src/app/ledger/ledger.js";
import { merchantCryptoBalance, traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { createStaff, freshTotp, getPage, noticeOf, postForm, staffSession } from "../support/staff.js";
import { drainWorker, setupTrading, startWebhookReceiver, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let finance: string;
before(async () => {
  receiver = await startWebhookReceiver(() => fx.merchant.apiKey);
  // Step-up above 9,000 RUB: the console test's pay-in is above it, the others below.
  h = await createHarness({ env: { RAMPART_STEP_UP_AMOUNT: "RUB=9000" }, tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { settings: { webhookUrl: receiver.url } });
  finance = await createOperatorKey(h.deps, "finance bot", "finance");
});
after(async () => {
  await h.close();
  await receiver.close();
});

let amount = 3000;
async function payin(fiatAmount = amount++): Promise<{ id: string; cryptoAmount: string; merchantFee: string }> {
  const r = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": fx.merchant.apiKey }, payload: { fiatAmount } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json();
}
async function paidPayin(fiatAmount?: number) {
  const p = await payin(fiatAmount);
  const c = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${p.id}/confirm`, headers: { "x-trader-key": fx.traders[0]!.traderKey } });
  assert.equal(c.json().status, "closed", c.body);
  return p;
}
const refund = (id: string, key = finance, reason = "customer returned the goods") => jsonCall(h.app, "POST", `/admin/v1/payments/${id}/refund`, operatorHeader(key), { reason });
const trader = () => fx.traders[0]!.traderId;

test("a paid pay-in refunded through the operator API: credit reversed, pending refund owed to the payer, signed webhook, audited; then sent and completed", async () => {
  const p = await paidPayin();
  await drainWorker(h.deps);
  const merchantBefore = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const depositBefore = (await traderDepositBalance(h.deps, trader())).available;
  const hooksBefore = receiver.received.length;

  const support = await createOperatorKey(h.deps, "support bot", "support");
  assert.equal((await refund(p.id, support)).status, 403, "support may not refund");
  assert.equal((await refund(p.id, finance, "x")).status, 400, "a reason of 3 characters or more");

  const made = await refund(p.id);
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.status, "pending");
  assert.equal(made.json.paymentId, p.id);
  assert.equal(made.json.cryptoAmount, p.cryptoAmount);
  assert.equal(made.json.merchantFee, p.merchantFee);
  assert.equal(made.json.fiatCurrency, "RUB");
  // The merchant gives back what it was credited (net of fee), the fee comes back too, and the trader's deposit gets the whole amount.
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), merchantBefore - (BigInt(p.cryptoAmount) - BigInt(p.merchantFee)));
  assert.equal((await traderDepositBalance(h.deps, trader())).available, depositBefore + BigInt(p.cryptoAmount));
  await verifyLedgerClean(h.deps);
  const entry = await lastAuditEntry(h.deps);
  assert.deepEqual([entry.actor.startsWith("operator:"), entry.action, entry.subject], [true, "payments.refund", p.id]);
  assert.deepEqual(entry.details.changes?.map((c: { before: unknown; after: unknown }) => [c.before, c.after]), [[null, "pending"]]);

  await drainWorker(h.deps);
  const hook = receiver.received.slice(hooksBefore).find((w) => (w.json.refund as { id?: string } | undefined)?.id === made.json.id);
  assert.ok(hook, "the merchant's webhook carries the refund");
  assert.equal(hook.signatureValid, true);
  assert.equal(hook.json.id, p.id);
  assert.equal(hook.json.status, "closed", "the pay-in object as ever, with the refund beside it");
  assert.equal((hook.json.refund as { status: string }).status, "pending");

  // The bank payment to the payer: completing before it was sent is 409 naming pending; a reference is required.
  const rid = made.json.id as string;
  const completeEarly = await jsonCall(h.app, "POST", `/admin/v1/payment-refunds/${rid}/completed`, operatorHeader(finance), { bankReference: "SBER-77" });
  assert.equal(completeEarly.status, 409);
  assert.match(completeEarly.text, /pending/);
  assert.equal((await jsonCall(h.app, "POST", `/admin/v1/payment-refunds/${rid}/sent`, operatorHeader(finance))).json.status, "sent");
  const sentAgain = await jsonCall(h.app, "POST", `/admin/v1/payment-refunds/${rid}/sent`, operatorHeader(finance));
  assert.equal(sentAgain.status, 409);
  assert.match(sentAgain.text, /sent/);
  assert.equal((await jsonCall(h.app, "POST", `/admin/v1/payment-refunds/${rid}/completed`, operatorHeader(finance), { bankReference: " " })).status, 400);
  const done = await jsonCall(h.app, "POST", `/admin/v1/payment-refunds/${rid}/completed`, operatorHeader(finance), { bankReference: "SBER-77" });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual([done.json.status, done.json.bankReference], ["completed", "SBER-77"]);
  assert.deepEqual((await lastAuditEntry(h.deps)).details.changes?.map((c: { before: unknown; after: unknown }) => [c.before, c.after]), [["sent", "completed"]]);
  assert.equal((await jsonCall(h.app, "POST", "/admin/v1/payment-refunds/prf_nothing/sent", operatorHeader(finance))).status, 404);
  await verifyLedgerClean(h.deps);
});

test("two concurrent refunds of one pay-in: exactly one is made, the other is 409 naming its status; the ledger books it once", async () => {
  const p = await paidPayin();
  const merchantBefore = await merchantCryptoBalance(h.deps, fx.merchant.merchantId);
  const answers = await Promise.all([refund(p.id), refund(p.id)]);
  assert.deepEqual(answers.map((a) => a.status).sort(), [201, 409]);
  const refused = answers.find((a) => a.status === 409)!;
  assert.equal(refused.json.error, "illegal_transition");
  assert.match(refused.json.message, /already has a refund \(prf_\w+, pending\)/);
  assert.equal(await merchantCryptoBalance(h.deps, fx.merchant.merchantId), merchantBefore - (BigInt(p.cryptoAmount) - BigInt(p.merchantFee)));
  const rows = await h.deps.database.db.selectFrom("trading_payin_refunds").select("id").where("payin_id", "=", p.id).execute();
  assert.equal(rows.length, 1);
  await verifyLedgerClean(h.deps);
});

test("only a paid pay-in is refunded: an active one is 409 naming active, an unknown or non-trading id 404, nothing written", async () => {
  const active = await payin();
  const count = await auditEntryCount(h.deps);
  const r = await refund(active.id);
  assert.equal(r.status, 409);
  assert.match(r.json.message, /active/);
  assert.equal((await refund("0190a0b0-0000-7000-8000-000000000000")).status, 404);
  assert.equal((await refund("pi_not_a_payin")).status, 404);
  assert.equal(await auditEntryCount(h.deps), count, "a refused refund leaves no entry");
  assert.equal(await h.deps.database.db.selectFrom("trading_payin_refunds").select("id").where("payin_id", "=", active.id).executeTakeFirst(), undefined);
});

test("the console: finance refunds from the payment page behind a confirmation and, above the step-up amount, a fresh code; support sees no refund", async () => {
  const p = await paidPayin(9500);
  const supportPage = await getPage(h, await staffSession(h, "support"), `/dashboard/payments/${p.id}`);
  assert.doesNotMatch(supportPage.body, /id="refund"/);
  const staff = await createStaff(h, "finance");
  const s = await staffSession(h, staff);
  const page = await getPage(h, s, `/dashboard/payments/${p.id}`);
  assert.match(page.body, /<section class="card" id="refund"><h2>Refund<\/h2><details class="confirm">.*leaves the merchant's balance.*name="totp"/s);
  const url = `/dashboard/payments/${p.id}/refund`;
  const count = await auditEntryCount(h.deps);
  const noCode = await postForm(h, s, url, { reason: "chargeback by the bank" });
  assert.equal(noCode.statusCode, 303);
  assert.match(noticeOf(noCode.headers.location).error ?? "", /moves 9500\.00 RUB, more than 9000 RUB: enter a code/);
  assert.equal(await auditEntryCount(h.deps), count, "refused: nothing written");
  const ok = await postForm(h, s, url, { reason: "chargeback by the bank", totp: freshTotp(h, staff.secret) });
  assert.match(noticeOf(ok.headers.location).ok ?? "", /Refund prf_\w+ made: 9500\.00 RUB is owed to the payer \(pending\)/);
  const after = (await getPage(h, s, `/dashboard/payments/${p.id}`)).body;
  assert.match(after, /id="refund" data-refund="prf_\w+" data-status="pending"/);
  assert.match(after, /Mark the payment to the payer as sent/);
  assert.match(after, /trading_payin_refund/, "the refund's ledger transfer is on the page");
  const rid = /data-refund="(prf_\w+)"/.exec(after)![1]!;
  assert.match((await getPage(h, s, "/dashboard/refunds")).body, new RegExp(`data-payment-refund="${rid}"><td class="mono">${rid}</td><td>pending</td>`), "owed: on the Refund orders page");
  await postForm(h, s, `/dashboard/payments/${p.id}/refund/${rid}/sent`);
  const done = await postForm(h, s, `/dashboard/payments/${p.id}/refund/${rid}/completed`, { bankReference: "RRN 12345" });
  assert.equal(noticeOf(done.headers.location).ok, `Refund ${rid} is now completed.`);
  assert.equal((await lastAuditEntry(h.deps)).action, "payments.refund.completed");
  assert.doesNotMatch((await getPage(h, s, "/dashboard/refunds")).body, new RegExp(`data-payment-refund="${rid}"`), "completed: no longer owed");
  await verifyLedgerClean(h.deps);
});

test("a refund the merchant's balance no longer holds is 403 insufficient_funds and writes nothing", async () => {
  // A merchant of its own whose whole balance has left (as a withdrawal would take it).
  const own = await setupTrading(h.deps, { settings: { webhookUrl: receiver.url } });
  const r = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": own.merchant.apiKey }, payload: { fiatAmount: 2500 } });
  const id = r.json().id as string;
  assert.equal((await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${id}/confirm`, headers: { "x-trader-key": own.traders[0]!.traderKey } })).json().status, "closed");
  const balance = await merchantCryptoBalance(h.deps, own.merchant.merchantId);
  await h.deps.database.db.transaction().execute((trx) =>
    postTransfer(
      trx,
      {
        id: `test:drain:${own.merchant.merchantId}`,
        code: "test_drain",
        ref: { type: "merchant", id: own.merchant.merchantId },
        entries: [
          { account: { owner: `merchant:${own.merchant.merchantId}`, asset: "USDT", purpose: "merchant_balance" }, amountMinor: -balance },
          { account: { owner: "platform", asset: "USDT", purpose: "platform_funding" }, amountMinor: balance },
        ],
      },
      h.clock.now(),
    ),
  );
  const count = await auditEntryCount(h.deps);
  const refused = await refund(id);
  assert.equal(refused.status, 403, refused.text);
  assert.equal(refused.json.error, "insufficient_funds");
  assert.equal(await h.deps.database.db.selectFrom("trading_payin_refunds").select("id").where("payin_id", "=", id).executeTakeFirst(), undefined);
  assert.equal(await auditEntryCount(h.deps), count);
  await verifyLedgerClean(h.deps);
});
