// The console's step-up (issue 18) over inject, with RAMPART_STEP_UP_AMOUNT=RUB=5000: a dispute
// decision on a pay-in above 5,000 RUB shows a code field and is refused without a code or with a
// wrong one (the pay-in unchanged, no audit entry, not even the code check's own writes) and taken
// with a fresh TOTP code (one audit entry); a pay-in below the amount needs none; a typed different
// amount above it needs a code even on a smaller pay-in.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { generateSync } from "otplib";
import { createHarness, type Harness } from "../support/harness.js";
import { auditEntryCount } from "../support/audit-entries.js";
import { jsonCall } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { freshTotp, noticeOf, postForm, staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture, uploadPngReceipt, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
before(async () => {
  h = await createHarness({ env: { RAMPART_STEP_UP_AMOUNT: "RUB=5000,USDT=100" }, tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
});
after(() => h.close());

const statusOf = async (id: string) => (await h.deps.database.db.selectFrom("trading_payins").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
const api = (method: "POST", url: string, headers: Record<string, string>, body?: unknown) =>
  h.app.inject({ method, url, headers: { ...headers, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { payload: JSON.stringify(body) } : {}) });

/** `n` codes no step within the tolerance accepts (the steps either side of now, and now). */
function wrongCodes(secret: string, good: string, n: number): string[] {
  const valid = new Set([-30, 0, 30].map((s) => generateSync({ secret, epoch: Math.floor(h.clock.now().getTime() / 1000) + s })));
  return Array.from({ length: n + 3 }, (_, k) => String((Number(good) + 1 + k) % 1_000_000).padStart(6, "0")).filter((c) => !valid.has(c)).slice(0, n);
}

/** A pay-in disputed by the merchant and taken into review by the trader (status checking). */
async function disputedPayin(fiatAmount: number): Promise<string> {
  const created = await api("POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as string;
  const invoiceKey = await uploadPngReceipt(h.app, fx.merchant.apiKey, id);
  const d = await api("POST", `/payment/trading/pay-in/${id}/dispute`, { "x-api-key": fx.merchant.apiKey }, { invoiceKey, fiatAmount, comment: "paid" });
  assert.equal(d.statusCode, 200, d.body);
  assert.equal((await api("POST", `/trader/v1/pay-ins/${id}/review`, { "x-trader-key": fx.traders[0]!.traderKey })).json().status, "checking");
  return id;
}

test("above the amount: refused without a code, with a wrong one and with a recovery code (nothing written), taken with a fresh code", async () => {
  const id = await disputedPayin(6000);
  const support = await staffSession(h, "support");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/disputes", headers: { cookie: support.cookie } });
  assert.match(page.body, new RegExp(`id="totp-${id}-decide"[^>]*data-step-up="required" required`));
  const lastStep = async () =>
    (await h.deps.database.db.selectFrom("operator_users").select("totp_last_step").where("id", "=", support.staff.id).executeTakeFirstOrThrow()).totp_last_step;
  const stepBefore = await lastStep();
  const count = await auditEntryCount(h.deps);

  const none = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid" });
  assert.equal(none.statusCode, 303);
  assert.match(noticeOf(none.headers.location).error ?? "", /moves 6000\.00 RUB, more than 5000 RUB: enter a code/);
  const good = freshTotp(h, support.staff.secret);
  const wrong = `${(Number(good[0]) + 5) % 10}${good.slice(1)}`;
  const refused = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid", totp: wrong });
  assert.match(noticeOf(refused.headers.location).error ?? "", /authentication code is wrong/);
  // A recovery code signs in once, but never stands in for a fresh code at a money action.
  const recovery = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid", totp: support.staff.recoveryCodes[0]! });
  assert.match(noticeOf(recovery.headers.location).error ?? "", /authentication code is wrong/);
  assert.equal(await statusOf(id), "checking");
  assert.equal(await auditEntryCount(h.deps), count, "a refused step-up leaves no audit entry");
  assert.equal(await lastStep(), stepBefore);

  const taken = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid", totp: good });
  assert.equal(taken.statusCode, 303);
  assert.match(noticeOf(taken.headers.location).ok ?? "", /is now closed/);
  assert.equal(await auditEntryCount(h.deps), count + 1, "one entry: the decision's, not the code check's");
  const e = (await sql<{ action: string; details: Record<string, any> }>`SELECT action, details FROM audit_log ORDER BY id DESC LIMIT 1`.execute(h.deps.database.db)).rows[0]!;
  assert.equal(e.action, "disputes.resolve");
  assert.equal(e.details.input.totp, "[withheld]");
  assert.notEqual(await lastStep(), stepBefore, "the code is used up");
  const replay = await postForm(h, support, `/dashboard/disputes/${await disputedPayin(7000)}/resolve`, { outcome: "paid", totp: good });
  assert.match(noticeOf(replay.headers.location).error ?? "", /already used|wrong/, "a code passes once");
  await verifyLedgerClean(h.deps);
});

test("below the amount no code is asked; a typed different amount above it needs one", async () => {
  const small = await disputedPayin(3000);
  const support = await staffSession(h, "support");
  const page = await h.app.inject({ method: "GET", url: `/dashboard/payments/${small}`, headers: { cookie: support.cookie } });
  assert.doesNotMatch(page.body, new RegExp(`id="totp-${small}-decide"`));
  assert.match(page.body, new RegExp(`id="totp-${small}-different"[^>]*data-step-up="optional"`), "the typed amount's form offers the field");
  const count = await auditEntryCount(h.deps);
  const big = await postForm(h, support, `/dashboard/disputes/${small}/resolve`, { outcome: "paid_different", actualFiatAmount: "5000.01" });
  assert.match(noticeOf(big.headers.location).error ?? "", /moves 5000\.01 RUB/);
  assert.equal(await auditEntryCount(h.deps), count);
  const ok = await postForm(h, support, `/dashboard/disputes/${small}/resolve`, { outcome: "paid", back: `/dashboard/payments/${small}` });
  assert.equal(ok.headers.location?.toString().split("?")[0], `/dashboard/payments/${small}`);
  assert.match(noticeOf(ok.headers.location).ok ?? "", /is now closed/);
  assert.equal(await auditEntryCount(h.deps), count + 1);
});

// Last: it moves the clock a day (the address's cooling-off).
test("approving a withdrawal above the amount needs a fresh code; without one it stays requested", async () => {
  const m = fx.merchant;
  await fundMerchantBalance(h.deps, m.merchantId, 5_000_000_000n);
  const key = { "x-api-key": m.apiKey };
  const address = await jsonCall(h.app, "POST", "/merchant/v1/withdrawal-addresses", key, { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" });
  assert.equal(address.status, 201, address.text);
  h.clock.advance(25 * 3_600_000);
  const asked = await jsonCall(h.app, "POST", "/merchant/v1/withdrawals", key, { addressId: address.json.id, asset: "USDT", amount: "1500" });
  assert.equal(asked.json.status, "requested", asked.text);
  const finance = await staffSession(h, "finance");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/withdrawals", headers: { cookie: finance.cookie } });
  assert.match(page.body, new RegExp(`id="totp-${asked.json.id}"[^>]*data-step-up="required" required`));
  const none = await postForm(h, finance, `/dashboard/withdrawals/${asked.json.id}/approve`);
  assert.match(noticeOf(none.headers.location).error ?? "", /moves 1500\.000000 USDT, more than 100 USDT: enter a code/);
  assert.equal((await jsonCall(h.app, "GET", `/merchant/v1/withdrawals/${asked.json.id}`, key)).json.status, "requested");
  const taken = await postForm(h, finance, `/dashboard/withdrawals/${asked.json.id}/approve`, { totp: freshTotp(h, finance.staff.secret) });
  assert.match(noticeOf(taken.headers.location).ok ?? "", /approved/);
  assert.equal((await jsonCall(h.app, "GET", `/merchant/v1/withdrawals/${asked.json.id}`, key)).json.status, "approved");
});

test("wrong codes sent at once are counted one after another: past five from one address the rest, and then the right code, are refused unchecked", async () => {
  const id = await disputedPayin(6000);
  const support = await staffSession(h, "support");
  const good = freshTotp(h, support.staff.secret);
  const wrong = wrongCodes(support.staff.secret, good, 12);
  const url = `/dashboard/disputes/${id}/resolve`;
  const notices = (await Promise.all(wrong.map((totp) => postForm(h, support, url, { outcome: "paid", totp })))).map((r) => noticeOf(r.headers.location).error ?? "");
  assert.equal(notices.filter((n) => /authentication code is wrong/.test(n)).length, 5, notices.join("\n"));
  assert.equal(notices.filter((n) => /Too many failed/.test(n)).length, 7, notices.join("\n"));
  const right = await postForm(h, support, url, { outcome: "paid", totp: good });
  assert.match(noticeOf(right.headers.location).error ?? "", /Too many failed/);
  assert.equal(await statusOf(id), "checking");
});

test("a decision the pay-in refuses (its status, an amount past the ledger) is answered before the code is checked, so the code still serves; the amount may be typed as a person writes it", async () => {
  const id = await disputedPayin(6100);
  const support = await staffSession(h, "support");
  const code = freshTotp(h, support.staff.secret);
  const active = await api("POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 6200 });
  assert.equal(active.statusCode, 201, active.body);
  const early = await postForm(h, support, `/dashboard/disputes/${active.json().id}/resolve`, { outcome: "paid", totp: code });
  assert.match(noticeOf(early.headers.location).error ?? "", /Cannot resolve as paid a pay-in that is/);
  const huge = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid_different", actualFiatAmount: "999 999 999 999 999,99", totp: code });
  assert.match(noticeOf(huge.headers.location).error ?? "", /above the largest the ledger holds/);
  const typed = await postForm(h, support, `/dashboard/disputes/${id}/resolve`, { outcome: "paid_different", actualFiatAmount: "6 050,50", totp: code });
  assert.match(noticeOf(typed.headers.location).ok ?? "", /is now re_calculation/);
  const stored = await h.deps.database.db.selectFrom("trading_payins").select("fiat_amount_minor").where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(stored.fiat_amount_minor, "605050");
});

test("a code that passes clears the failures before it, as a sign-in does: four wrong codes, the right one, four wrong again are all checked", async () => {
  const [decided, other] = [await disputedPayin(6300), await disputedPayin(6400)];
  const support = await staffSession(h, "support");
  const good = freshTotp(h, support.staff.secret);
  const wrong = wrongCodes(support.staff.secret, good, 8);
  const wrongAt = async (totp: string) => noticeOf((await postForm(h, support, `/dashboard/disputes/${other}/resolve`, { outcome: "paid", totp })).headers.location).error ?? "";
  for (const totp of wrong.slice(0, 4)) assert.match(await wrongAt(totp), /authentication code is wrong/);
  const taken = await postForm(h, support, `/dashboard/disputes/${decided}/resolve`, { outcome: "paid", totp: good });
  assert.match(noticeOf(taken.headers.location).ok ?? "", /is now closed/);
  for (const totp of wrong.slice(4)) assert.match(await wrongAt(totp), /authentication code is wrong/);
  assert.equal(await statusOf(other), "checking");
});
