// Withdrawals on the manual chain (RAMPART_CHAIN=manual), which sends nothing: an approved withdrawal
// waits for an operator, who pays it by hand and records the transaction's hash (operator API, or the
// console with a fresh code above RAMPART_STEP_UP_AMOUNT): approved → sent → confirmed in one step, the
// hold paid out, a signed webhook per status, one audit entry. The same hash again changes nothing;
// another hash or a bad one is refused with nothing written, and so is a hash already recorded for
// another withdrawal (one transaction pays one payout).
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { saveTradingSettings } from "../../src/app/trading/settings-admin.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { drain } from "../support/intents.js";
import { type Json, jsonCall, operatorHeader } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { freshTotp, noticeOf, postForm, staffSession } from "../support/staff.js";
import { startWebhookReceiver, verifyLedgerClean } from "../support/trading.js";

const DAY_MS = 24 * 3_600_000;
const HASH = `0x${"ab".repeat(32)}`;
let h: Harness;
let m: MerchantFixture;
let op: string;
let addressId: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

const merchant = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);
const recordHash = (id: string, txHash: string) => jsonCall(h.app, "POST", `/admin/v1/withdrawals/${id}/tx-hash`, operatorHeader(op), { txHash });
const balance = async () => (await getBalance(h.deps.database.db, { owner: `merchant:${m.merchantId}`, asset: "USDT", purpose: "merchant_balance" })).available;

before(async () => {
  h = await createHarness({
    env: {
      RAMPART_CHAIN: "manual",
      RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "24",
      RAMPART_WITHDRAWAL_FEES: "USDT=1",
      RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=1000",
      RAMPART_STEP_UP_AMOUNT: "USDT=100",
    },
  });
  m = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "finance", "finance");
  receiver = await startWebhookReceiver(() => m.apiKey);
  await saveTradingSettings(h.deps, m.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", webhookUrl: receiver.url });
  await fundMerchantBalance(h.deps, m.merchantId, 5_000_000_000n);
  const added = await merchant("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169EE7" });
  assert.equal(added.status, 201, added.text);
  addressId = added.json.id;
  h.clock.advance(DAY_MS);
});
afterEach(() => verifyLedgerClean(h.deps));
after(async () => {
  await receiver?.close();
  await h?.close();
});

/** An approved withdrawal whose payout job ran: the manual chain left it to the operator. */
async function waitingWithdrawal(amount: string): Promise<string> {
  const res = await merchant("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount });
  assert.equal(res.status, 201, res.text);
  await drain(h);
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "approved", "waits for the operator");
  return res.json.id as string;
}

test("the operator records the hash of a manual payout: approved → sent → confirmed, the hold paid out, a webhook per status; the same hash again changes nothing, another is 409", async () => {
  const before = await balance();
  const id = await waitingWithdrawal("25");
  assert.equal(await balance(), before - 26_000_000n);

  const audits = await auditEntryCount(h.deps);
  const bad = await recordHash(id, "not-a-hash");
  assert.equal(bad.status, 400, bad.text);
  assert.equal(bad.json.field, "txHash");
  assert.equal(await auditEntryCount(h.deps), audits, "nothing written");

  const done = await recordHash(id, HASH.toUpperCase().replace("0X", "0x"));
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.status, "confirmed");
  assert.equal(done.json.txHash, HASH, "stored lower-case");
  assert.equal((await lastAuditEntry(h.deps)).action, "withdrawals.tx-hash");
  assert.equal(await auditEntryCount(h.deps), audits + 1);
  assert.equal(await balance(), before - 26_000_000n, "paid out, not returned");
  const revenue = await getBalance(h.deps.database.db, { owner: "platform", asset: "USDT", purpose: "fee_revenue" });
  assert.equal(revenue.posted, 1_000_000n, "the fee is revenue");
  const clearing = await getBalance(h.deps.database.db, { owner: "platform", asset: "USDT", purpose: "chain_clearing" });
  assert.equal(clearing.posted, 25_000_000n, "the amount left on chain");

  await drain(h);
  const types = receiver.received.filter((r) => (r.json.data as Json).id === id).map((r) => r.json.type);
  assert.deepEqual(types, ["withdrawal.approved", "withdrawal.sent", "withdrawal.confirmed"]);
  assert.ok(receiver.received.every((r) => r.signatureValid));

  const again = await recordHash(id, HASH);
  assert.equal(again.status, 200, again.text);
  assert.equal(again.json.status, "confirmed");
  assert.equal(await auditEntryCount(h.deps), audits + 1, "a replay writes nothing");
  const other = await recordHash(id, `0x${"cd".repeat(32)}`);
  assert.equal(other.status, 409, other.text);
  assert.equal(other.json.error, "illegal_transition");
  assert.match(other.json.message, /confirmed/);
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json.txHash, HASH);
});

test("one transaction pays one withdrawal: the hash of another is refused (409 tx_hash_already_used), nothing written, the ledger books one payment", async () => {
  const before = await balance();
  const clearing = async () => (await getBalance(h.deps.database.db, { owner: "platform", asset: "USDT", purpose: "chain_clearing" })).posted;
  const clearingBefore = await clearing();
  const [a, b] = [await waitingWithdrawal("100"), await waitingWithdrawal("100")];
  const hash = `0x${"12".repeat(32)}`;
  assert.equal((await recordHash(a, hash)).status, 200);
  const audits = await auditEntryCount(h.deps);
  const reused = await recordHash(b, hash);
  assert.equal(reused.status, 409, reused.text);
  assert.equal(reused.json.error, "tx_hash_already_used");
  assert.match(reused.json.message, new RegExp(`withdrawal:${a}`));
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${b}`)).json.status, "approved", "still waits");
  assert.equal(await auditEntryCount(h.deps), audits, "nothing written");
  assert.equal(await balance(), before - 2n * 101_000_000n, "both still held");
  assert.equal((await clearing()) - clearingBefore, 100_000_000n, "one payment booked out, not two");
  const replay = await recordHash(a, hash);
  assert.equal(replay.status, 200, "the same withdrawal replays it");
  assert.equal(replay.json.status, "confirmed");
});

test("a withdrawal still waiting for approval takes no hash (409 naming requested)", async () => {
  const res = await merchant("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount: "1500" });
  assert.equal(res.json.status, "requested", res.text);
  const refused = await recordHash(res.json.id, HASH);
  assert.equal(refused.status, 409, refused.text);
  assert.match(refused.json.message, /requested/);
});

test("in the console, above RAMPART_STEP_UP_AMOUNT the hash needs a fresh code, which a mistyped or already used hash does not use up; with one the withdrawal is confirmed", async () => {
  const id = await waitingWithdrawal("150");
  const finance = await staffSession(h, "finance");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/withdrawals", headers: { cookie: finance.cookie } });
  assert.match(page.body, new RegExp(`action="/dashboard/withdrawals/${id}/tx-hash"`));
  assert.match(page.body, new RegExp(`id="totp-${id}"[^>]*data-step-up="required" required`));
  const hash = `0x${"ef".repeat(32)}`;
  // An approve or cancel the withdrawal refuses is answered as such, not with a request for a code.
  const approve = await postForm(h, finance, `/dashboard/withdrawals/${id}/approve`);
  assert.match(noticeOf(approve.headers.location).error ?? "", /Cannot approve a withdrawal that is approved/);
  const cancel = await postForm(h, finance, `/dashboard/withdrawals/${id}/cancel`);
  assert.match(noticeOf(cancel.headers.location).error ?? "", /Cannot cancel a withdrawal that is approved/);
  const none = await postForm(h, finance, `/dashboard/withdrawals/${id}/tx-hash`, { txHash: hash });
  assert.match(noticeOf(none.headers.location).error ?? "", /enter a code/);
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json.status, "approved");
  // A mistyped hash, or one another withdrawal holds, is refused before the code is checked, so the
  // same code still serves the retry.
  const code = freshTotp(h, finance.staff.secret);
  const mistyped = await postForm(h, finance, `/dashboard/withdrawals/${id}/tx-hash`, { txHash: "0xnot-a-hash", totp: code });
  assert.match(noticeOf(mistyped.headers.location).error ?? "", /transaction hash/);
  const other = await waitingWithdrawal("150");
  const usedHash = `0x${"3c".repeat(32)}`;
  const recorded = await recordHash(other, usedHash);
  assert.equal(recorded.status, 200, recorded.text);
  const used = await postForm(h, finance, `/dashboard/withdrawals/${id}/tx-hash`, { txHash: usedHash, totp: code });
  assert.match(noticeOf(used.headers.location).error ?? "", new RegExp(`already recorded as the payment of withdrawal:${other}`));
  const taken = await postForm(h, finance, `/dashboard/withdrawals/${id}/tx-hash`, { txHash: hash, totp: code });
  assert.match(noticeOf(taken.headers.location).ok ?? "", /confirmed/);
  assert.equal((await lastAuditEntry(h.deps)).action, "withdrawals.tx-hash");
  const w = (await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json;
  assert.equal(w.status, "confirmed");
  assert.equal(w.txHash, hash);
});
