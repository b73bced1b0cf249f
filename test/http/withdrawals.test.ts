// Merchant withdrawals over the merchant and operator APIs, on the sandbox chain: the allow-list
// (checked per network, cooling-off on the test clock), the balance held at request (and never
// overdrawn by concurrent requests), approval above the threshold, the payout confirmed or failed
// (funds returned), a webhook per status, another merchant's objects 404, illegal transitions 409.
// On the sandbox chain the manual-payout hash and the cancel are refused with their codes.
// The harness verifies the ledger when the file closes.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { saveTradingSettings } from "../../src/app/trading/settings-admin.js";
import { SANDBOX_FAILING_ADDRESSES } from "../../src/adapters/chain/sandbox-chain.js";
import { verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, drain } from "../support/intents.js";
import { type Json, jsonCall, operatorHeader } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { startWebhookReceiver } from "../support/trading.js";

const DAY_MS = 24 * 3_600_000;
const ADDRESS = "0x52908400098527886E0F7030069857D2E4169EE7";
const OTHER_ADDRESS = "0x8617E340B3D01FA5F11F306F4090FD50E238070D";

let h: Harness;
let m: MerchantFixture;
let other: MerchantFixture;
let op: string;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

const balanceOf = async (merchantId: string) =>
  (await getBalance(h.deps.database.db, { owner: `merchant:${merchantId}`, asset: "USDT", purpose: "merchant_balance" })).available;

const call = (method: "GET" | "POST" | "DELETE", url: string, body?: unknown, key = m.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);
const admin = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, operatorHeader(op), body);
/** The webhook types the merchant's receiver got for one withdrawal, in order (after a drain delivered them). */
const webhookTypes = (withdrawalId: string) => receiver.received.filter((r) => (r.json.data as Json).id === withdrawalId).map((r) => r.json.type);

/** An allow-listed address of `who`, already past its cooling-off period. */
async function cooledAddress(who: MerchantFixture, address: string): Promise<string> {
  const res = await call("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address }, who.apiKey);
  assert.equal(res.status, 201, res.text);
  h.clock.advance(DAY_MS);
  return res.json.id as string;
}

before(async () => {
  h = await createHarness({
    env: { RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "24", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=100" },
  });
  m = await createMerchant(h.deps);
  other = await createMerchant(h.deps, { name: "Other" });
  op = await createOperatorKey(h.deps, "test");
  receiver = await startWebhookReceiver(() => m.apiKey);
  await saveTradingSettings(h.deps, m.merchantId, { fiatCurrency: "RUB", feeRate: "0.085", webhookUrl: receiver.url });
});
after(async () => {
  await receiver?.close();
  await h?.close();
});

test("every route needs the merchant's API key (401), the operator's routes an operator key", async () => {
  for (const [method, url] of [
    ["GET", "/merchant/v1/withdrawals"],
    ["POST", "/merchant/v1/withdrawals"],
    ["GET", "/merchant/v1/withdrawals/wd_x"],
    ["GET", "/merchant/v1/withdrawal-addresses"],
    ["POST", "/merchant/v1/withdrawal-addresses"],
    ["DELETE", "/merchant/v1/withdrawal-addresses/wda_x"],
  ] as const) {
    const res = await jsonCall(h.app, method, url, { "x-api-key": "mk_nope" }, method === "POST" ? {} : undefined);
    assert.equal(res.status, 401, `${method} ${url}`);
    assert.equal(res.json.error, "unauthorized");
  }
  assert.equal((await jsonCall(h.app, "GET", "/admin/v1/withdrawals", {})).status, 401);
  assert.equal((await jsonCall(h.app, "POST", "/admin/v1/withdrawals/wd_x/approve", { "x-api-key": m.apiKey })).status, 401);
});

test("addresses are checked for their network: a bad EIP-55 checksum, the zero address, an unknown network are 400; a duplicate 409", async () => {
  const bad = async (body: Json, code: string, status = 400) => {
    const res = await call("POST", "/merchant/v1/withdrawal-addresses", body);
    assert.equal(res.status, status, res.text);
    assert.equal(res.json.error, code);
  };
  await bad({ network: "erc20", address: "0x52908400098527886E0F7030069857D2E4169Ee7" }, "invalid_address");
  await bad({ network: "erc20", address: "0x0000000000000000000000000000000000000000" }, "invalid_address");
  await bad({ network: "erc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" }, "invalid_address");
  await bad({ network: "dogechain", address: ADDRESS }, "unknown_currency");
  await bad({ network: "erc20", address: ADDRESS, extra: 1 }, "validation_failed");

  const added = await call("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: ADDRESS.toLowerCase(), label: "treasury" });
  assert.equal(added.status, 201, added.text);
  assert.equal(added.json.address, ADDRESS, "stored in its EIP-55 spelling");
  assert.equal(added.json.usableFrom, new Date(h.clock.now().getTime() + DAY_MS).toISOString());
  await bad({ network: "erc20", address: ADDRESS }, "withdrawal_address_exists", 409);

  // Another merchant may list the same address; it sees only its own list and cannot remove ours.
  assert.equal((await call("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: ADDRESS }, other.apiKey)).status, 201);
  const theirs = await call("GET", "/merchant/v1/withdrawal-addresses", undefined, other.apiKey);
  assert.equal(theirs.json.items.length, 1);
  assert.notEqual(theirs.json.items[0].id, added.json.id);
  assert.equal((await call("DELETE", `/merchant/v1/withdrawal-addresses/${added.json.id}`, undefined, other.apiKey)).status, 404);

  const removed = await h.app.inject({ method: "DELETE", url: `/merchant/v1/withdrawal-addresses/${added.json.id}`, headers: { "x-api-key": m.apiKey } });
  assert.equal(removed.statusCode, 204);
  assert.equal((await call("GET", "/merchant/v1/withdrawal-addresses")).json.items.length, 0);
  assert.equal((await jsonCall(h.app, "DELETE", `/merchant/v1/withdrawal-addresses/${added.json.id}`, { "x-api-key": m.apiKey })).status, 404);
  assert.equal((await call("GET", "/merchant/v1/withdrawal-addresses?limit=101")).status, 400, "the page size is bounded");
});

test("a new address is refused until its cooling-off period is over, then a withdrawal below the threshold is sent and confirmed", async () => {
  await fundMerchantBalance(h.deps, m.merchantId, 50_000_000n);
  const before = await balanceOf(m.merchantId);
  const added = await call("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: ADDRESS });
  assert.equal(added.status, 201);
  const body = { addressId: added.json.id, asset: "USDT", amount: "10.5" };
  const early = await call("POST", "/merchant/v1/withdrawals", body);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error, "withdrawal_address_cooling_off");
  assert.equal(await balanceOf(m.merchantId), before, "nothing held");

  h.clock.advance(DAY_MS - 1000);
  assert.equal((await call("POST", "/merchant/v1/withdrawals", body)).json.error, "withdrawal_address_cooling_off", "one second early");
  h.clock.advance(1000);
  const res = await call("POST", "/merchant/v1/withdrawals", body);
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "approved");
  assert.equal(res.json.needsApproval, false);
  assert.equal(res.json.amount, "10.500000");
  assert.equal(res.json.fee, "1.000000");
  assert.equal(await balanceOf(m.merchantId), before - 11_500_000n, "amount + fee held at once");

  await drain(h);
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "sent");
  await advanceAndDrain(h, 1000, 5);
  const done = await call("GET", `/merchant/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "confirmed");
  assert.match(done.json.txHash, /^0x[0-9a-f]{64}$/);
  assert.equal(await balanceOf(m.merchantId), before - 11_500_000n);
  const fees = await getBalance(h.deps.database.db, { owner: "platform", asset: "USDT", purpose: "fee_revenue" });
  assert.equal(fees.posted, 1_000_000n, "the fee is revenue");

  // One signed webhook per status, in order.
  assert.deepEqual(webhookTypes(res.json.id), ["withdrawal.approved", "withdrawal.sent", "withdrawal.confirmed"]);
  assert.ok(receiver.received.every((r) => r.signatureValid));
});

test("amounts: beyond the asset's decimals, zero, not a number, above the balance are refused and nothing is held", async () => {
  const id = await cooledAddress(m, OTHER_ADDRESS);
  const before = await balanceOf(m.merchantId);
  const refuse = async (amount: string, code: string, status: number) => {
    const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount });
    assert.equal(res.status, status, `${amount}: ${res.text}`);
    assert.equal(res.json.error, code);
  };
  await refuse("1.0000001", "amount_scale_exceeded", 400);
  await refuse("0", "invalid_amount", 400);
  await refuse("-5", "invalid_amount", 400);
  await refuse("1e3", "invalid_amount", 400);
  await refuse("9999999", "withdrawal_insufficient_balance", 422);
  await refuse("99999999999999", "amount_above_maximum", 400);
  // Within int8 alone, but not with the 1 USDT fee the hold adds (2^63 − 1 minor units less the fee, plus one).
  await refuse("9223372036854.775807", "amount_above_maximum", 400);
  await refuse("9223372036853.775808", "amount_above_maximum", 400);
  const wrongAsset = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "BTC", amount: "1" });
  assert.equal(wrongAsset.json.error, "unknown_currency", "BTC is not carried by erc20");
  const notListed = await call("POST", "/merchant/v1/withdrawals", { addressId: "wda_unknown", asset: "USDT", amount: "1" });
  assert.equal(notListed.status, 422);
  assert.equal(notListed.json.error, "withdrawal_address_not_allowed");
  assert.equal(await balanceOf(m.merchantId), before);
});

test("concurrent requests never overdraw the balance: only as many as it covers are accepted", async () => {
  const who = await createMerchant(h.deps, { name: "Racer" });
  const id = await cooledAddress(who, ADDRESS);
  await fundMerchantBalance(h.deps, who.merchantId, 100_000_000n); // 100 USDT: three withdrawals of 30 + 1 fee
  const results = await Promise.all(
    Array.from({ length: 6 }, () => call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "30" }, who.apiKey)),
  );
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 201, 201, 422, 422, 422], results.map((r) => r.text).join("\n"));
  assert.equal(await balanceOf(who.merchantId), 100_000_000n - 3n * 31_000_000n);
});

test("above the threshold a withdrawal waits for an operator: approve sends it, approving again is 409 naming the status", async () => {
  const id = await cooledAddress(m, "0x1111111111111111111111111111111111111111");
  await fundMerchantBalance(h.deps, m.merchantId, 500_000_000n);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "150" });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "requested");
  assert.equal(res.json.needsApproval, true);
  await drain(h);
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "requested", "nothing sent without approval");

  const waiting = await admin("GET", "/admin/v1/withdrawals?status=requested");
  assert.ok(waiting.json.items.some((w: Json) => w.id === res.json.id));
  const approved = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/approve`);
  assert.equal(approved.status, 200, approved.text);
  assert.equal(approved.json.status, "approved");
  const audit = (await sql<{ action: string; subject: string }>`SELECT action, subject FROM audit_log WHERE subject = ${res.json.id}`.execute(h.deps.database.db)).rows;
  assert.deepEqual(audit, [{ action: "withdrawals.approve", subject: res.json.id }], "the decision is in the audit log");
  await advanceAndDrain(h, 1000, 6);
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "confirmed");

  const again = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/approve`);
  assert.equal(again.status, 409);
  assert.equal(again.json.error, "illegal_transition");
  assert.equal(again.json.currentStatus, "confirmed");
  const reject = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/reject`, {});
  assert.equal(reject.status, 409);
  assert.equal(reject.json.currentStatus, "confirmed");
  assert.deepEqual(webhookTypes(res.json.id), ["withdrawal.requested", "withdrawal.approved", "withdrawal.sent", "withdrawal.confirmed"], "a webhook per status, the refused decisions none");
});

test("a rejected withdrawal returns amount and fee to the balance", async () => {
  const id = await cooledAddress(m, "0x2222222222222222222222222222222222222222");
  const before = await balanceOf(m.merchantId);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "200" });
  assert.equal(res.json.status, "requested");
  assert.equal(await balanceOf(m.merchantId), before - 201_000_000n);
  const rejected = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/reject`, { reason: "not expected" });
  assert.equal(rejected.status, 200, rejected.text);
  assert.equal(rejected.json.status, "rejected");
  assert.equal(rejected.json.failureReason, "not expected");
  assert.equal(await balanceOf(m.merchantId), before);
  assert.equal((await admin("POST", `/admin/v1/withdrawals/${res.json.id}/approve`)).json.currentStatus, "rejected");
  await drain(h);
  assert.deepEqual(webhookTypes(res.json.id), ["withdrawal.requested", "withdrawal.rejected"]);
  const rejectedHook = receiver.received.find((r) => r.json.type === "withdrawal.rejected" && (r.json.data as Json).id === res.json.id)!;
  assert.equal((rejectedHook.json.data as Json).failureReason, "not expected", "the webhook carries the reason");
});

test("an address removed while its withdrawal waits for approval is never paid: approve is 409, reject returns the funds", async () => {
  const id = await cooledAddress(m, "0x3333333333333333333333333333333333333333");
  const before = await balanceOf(m.merchantId);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "150" });
  assert.equal(res.json.status, "requested", res.text);
  const removed = await h.app.inject({ method: "DELETE", url: `/merchant/v1/withdrawal-addresses/${id}`, headers: { "x-api-key": m.apiKey } });
  assert.equal(removed.statusCode, 204);
  const approve = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/approve`);
  assert.equal(approve.status, 409, approve.text);
  assert.equal(approve.json.error, "withdrawal_address_removed");
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "requested", "nothing changed");
  assert.equal((await admin("POST", `/admin/v1/withdrawals/${res.json.id}/reject`, {})).json.status, "rejected");
  assert.equal(await balanceOf(m.merchantId), before);
});

test("a payout the chain refuses fails the withdrawal and returns the funds", async () => {
  const id = await cooledAddress(m, SANDBOX_FAILING_ADDRESSES[1]);
  const before = await balanceOf(m.merchantId);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "5" });
  assert.equal(res.json.status, "approved", res.text);
  await drain(h);
  const done = await call("GET", `/merchant/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "failed");
  assert.match(done.json.failureReason, /refuses/);
  assert.equal(await balanceOf(m.merchantId), before);
  assert.deepEqual(webhookTypes(res.json.id), ["withdrawal.approved", "withdrawal.failed"]);
  assert.equal((await verifyLedger(h.deps.database.db)).ok, true);
});

test("another merchant's withdrawal is 404 and not in its list; the list pages are bounded", async () => {
  const mine = await call("GET", "/merchant/v1/withdrawals?limit=2");
  assert.equal(mine.status, 200);
  assert.equal(mine.json.items.length, 2);
  assert.ok(mine.json.nextCursor);
  const next = await call("GET", `/merchant/v1/withdrawals?limit=2&before=${mine.json.nextCursor}`);
  assert.ok(next.json.items.every((w: Json) => w.id < mine.json.nextCursor));
  const id = mine.json.items[0].id;
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${id}`, undefined, other.apiKey)).status, 404);
  assert.equal((await call("GET", "/merchant/v1/withdrawals", undefined, other.apiKey)).json.items.length, 0);
  assert.equal((await call("GET", "/merchant/v1/withdrawals?limit=1000")).status, 400);
  assert.equal((await admin("GET", "/admin/v1/withdrawals/wd_none")).status, 404);
});

test("Idempotency-Key: the same key and body replays the withdrawal; nothing is held twice", async () => {
  const id = await cooledAddress(m, "0x3333333333333333333333333333333333333333");
  const before = await balanceOf(m.merchantId);
  const send = () =>
    h.app.inject({
      method: "POST",
      url: "/merchant/v1/withdrawals",
      headers: { "x-api-key": m.apiKey, "content-type": "application/json", "idempotency-key": "wd-once-1" },
      payload: JSON.stringify({ addressId: id, asset: "USDT", amount: "2" }),
    });
  const first = await send();
  const second = await send();
  assert.equal(first.statusCode, 201);
  assert.equal(second.statusCode, 201);
  assert.equal(second.headers["idempotent-replayed"], "true");
  assert.equal(second.json().id, first.json().id);
  assert.equal(await balanceOf(m.merchantId), before - 3_000_000n);
});

test("an operator role without the withdrawals permission cannot approve (403 role_forbidden)", async () => {
  const viewer = await createOperatorKey(h.deps, "viewer", "viewer");
  const res = await jsonCall(h.app, "POST", "/admin/v1/withdrawals/wd_any/approve", operatorHeader(viewer));
  assert.equal(res.status, 403);
  assert.equal(res.json.error, "role_forbidden");
});

test("on a chain that sends by itself (sandbox) no hash is recorded (withdrawal_not_manual) and no cancel is possible (withdrawal_cancel_unsupported); re-poll runs the waiting job", async () => {
  const id = await cooledAddress(m, "0x7777777777777777777777777777777777777777");
  const before = await balanceOf(m.merchantId);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId: id, asset: "USDT", amount: "3" });
  assert.equal(res.json.status, "approved", res.text);
  const hash = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/tx-hash`, { txHash: `0x${"ab".repeat(32)}` });
  assert.equal(hash.status, 409, hash.text);
  assert.equal(hash.json.error, "withdrawal_not_manual");
  const early = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/cancel`);
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error, "illegal_transition");
  assert.match(early.json.message, /approved/);
  assert.equal((await admin("POST", `/admin/v1/withdrawals/${res.json.id}/repoll`)).status, 200);
  await drain(h);
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "sent");
  const cancel = await admin("POST", `/admin/v1/withdrawals/${res.json.id}/cancel`);
  assert.equal(cancel.status, 409, cancel.text);
  assert.equal(cancel.json.error, "withdrawal_cancel_unsupported");
  await advanceAndDrain(h, 1000, 5);
  assert.equal((await call("GET", `/merchant/v1/withdrawals/${res.json.id}`)).json.status, "confirmed");
  assert.equal(await balanceOf(m.merchantId), before - 4_000_000n);
});
