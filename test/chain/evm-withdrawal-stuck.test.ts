// Withdrawals whose payout does not confirm, on a real node (anvil, automine off so a transaction sits
// unmined): polling never gives up (past the old 500-poll bound, at most a minute apart); an operator
// re-polls now (the one waiting poll made due, no second chain of polls) or cancels and returns: the
// payout is replaced by a 0-value self-transfer at the same nonce, and the funds come back only once
// that replacement is mined to the confirmation depth, with its gas booked. A cancel that loses to the
// payout (mined first) leaves it confirmed as usual. A payout that reverts on chain (the hot wallet's
// tokens moved away before it was mined) fails with amount and fee returned and its gas booked.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { type Hex, createWalletClient, erc20Abi, http, maxUint256, parseTransaction } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { publicClient, tokenBalance } from "../support/anvil.js";
import { auditEntryCount, lastAuditEntry } from "../support/audit-entries.js";
import { type EvmSetup, evmPayoutTxs, freshAddress, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, drain } from "../support/intents.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { freshTotp, noticeOf, postForm, staffSession } from "../support/staff.js";
import { verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 3;
const DAY_MS = 24 * 3_600_000;
/** The longest wait between two polls of a payout. */
const POLL_CAP_MS = 60_000;
let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;
let op: string;
let addressId: string;
let recipient: string;

const balance = async () => (await getBalance(h.deps.database.db, { owner: `merchant:${m.merchantId}`, asset: "USDT", purpose: "merchant_balance" })).available;
const networkFees = async () => (await getBalance(h.deps.database.db, { owner: "platform", asset: "ETH", purpose: "network_fees" })).posted;
const merchant = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);
const admin = (url: string) => jsonCall(h.app, "POST", url, operatorHeader(op));
const withdrawal = async (id: string) => (await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json;
const payoutKeyOf = async (id: string) => (await h.deps.database.db.selectFrom("withdrawals").select("payout_key").where("id", "=", id).executeTakeFirstOrThrow()).payout_key;
const pollJobs = (id: string) =>
  h.deps.database.db
    .selectFrom("jobs")
    .select(["key", "status", "due_at"])
    .where("kind", "=", "withdrawal.payout_poll")
    .where("payload", "@>", JSON.stringify({ withdrawalId: id }) as never)
    .execute();

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  h = await createHarness({
    env: { ...evm.env, RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "24", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=100000", RAMPART_STEP_UP_AMOUNT: "USDT=10" },
  });
  m = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "finance", "finance");
  await fundMerchantBalance(h.deps, m.merchantId, 1_000_000_000n);
  recipient = freshAddress();
  const added = await merchant("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: recipient });
  assert.equal(added.status, 201, added.text);
  addressId = added.json.id;
  h.clock.advance(DAY_MS);
});
afterEach(async () => {
  await evm.anvil.rpc("evm_setAutomine", [true]);
  await verifyLedgerClean(h.deps);
});
after(async () => {
  await h?.close();
  await evm?.anvil.stop();
});

/** A withdrawal of `amount` USDT (fee 1), sent with mining paused: it sits unmined. */
async function sentWithdrawal(amount: string): Promise<{ id: string; txHash: string }> {
  await evm.anvil.rpc("evm_setAutomine", [false]);
  const res = await merchant("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "approved");
  await drain(h);
  const w = await withdrawal(res.json.id);
  assert.equal(w.status, "sent");
  return { id: res.json.id, txHash: w.txHash };
}

test("a payout that never confirms is polled on, at most a minute apart; re-poll now makes the waiting poll due without a second chain; cancel and return gives the funds back only once the cancel is confirmed", async () => {
  const before = await balance();
  const feesBefore = await networkFees();
  const { id, txHash } = await sentWithdrawal("40");
  assert.equal(await balance(), before - 41_000_000n, "amount + fee held");

  // Far past the old 500-poll bound: the next poll is still queued, a minute away.
  await h.deps.database.db.updateTable("withdrawals").set({ polls: 10_000 }).where("id", "=", id).execute();
  await advanceAndDrain(h, POLL_CAP_MS);
  let waiting = (await pollJobs(id)).filter((j) => j.status === "pending");
  assert.equal(waiting.length, 1, "one poll waits");
  assert.equal(waiting[0]!.due_at.getTime(), h.clock.now().getTime() + POLL_CAP_MS);

  // Re-poll now: that same poll is due now; running it queues one next poll, not two.
  const repolled = await admin(`/admin/v1/withdrawals/${id}/repoll`);
  assert.equal(repolled.status, 200, repolled.text);
  assert.equal(repolled.json.status, "sent");
  assert.equal((await lastAuditEntry(h.deps)).action, "withdrawals.repoll");
  waiting = (await pollJobs(id)).filter((j) => j.status === "pending");
  assert.equal(waiting.length, 1);
  assert.equal(waiting[0]!.due_at.getTime(), h.clock.now().getTime());
  await drain(h);
  waiting = (await pollJobs(id)).filter((j) => j.status === "pending");
  assert.equal(waiting.length, 1, "still one chain of polls");
  assert.equal((await h.deps.database.db.selectFrom("withdrawals").select("polls").where("id", "=", id).executeTakeFirstOrThrow()).polls, 10_002);

  // Cancel and return, from the console: above RAMPART_STEP_UP_AMOUNT it needs a fresh code.
  const finance = await staffSession(h, "finance");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/withdrawals", headers: { cookie: finance.cookie } });
  assert.match(page.body, new RegExp(`data-withdrawal-in-flight="${id}"`));
  assert.match(page.body, new RegExp(`action="/dashboard/withdrawals/${id}/cancel"`));
  const audits = await auditEntryCount(h.deps);
  const refused = await postForm(h, finance, `/dashboard/withdrawals/${id}/cancel`);
  assert.match(noticeOf(refused.headers.location).error ?? "", /enter a code/);
  assert.equal(await auditEntryCount(h.deps), audits, "nothing written without the code");
  assert.equal((await withdrawal(id)).cancelRequestedAt, null);
  const asked = await postForm(h, finance, `/dashboard/withdrawals/${id}/cancel`, { totp: freshTotp(h, finance.staff.secret) });
  assert.match(noticeOf(asked.headers.location).ok ?? "", /cancel is being sent/);
  assert.equal((await lastAuditEntry(h.deps)).action, "withdrawals.cancel");
  const cancelling = await withdrawal(id);
  assert.equal(cancelling.status, "sent");
  assert.ok(cancelling.cancelRequestedAt);
  assert.equal(await balance(), before - 41_000_000n, "nothing returned on the ask");

  await drain(h);
  const payoutKey = await payoutKeyOf(id);
  const cancels = (await evmPayoutTxs(h.deps, payoutKey)).filter((t) => t.cancels);
  assert.equal(cancels.length, 1, "one cancel signed");
  const cancelHash = cancels[0]!.tx_hash as Hex;
  const tx = await publicClient(evm.anvil).getTransaction({ hash: cancelHash });
  assert.equal(tx.to?.toLowerCase(), evm.hotWallet.toLowerCase());
  assert.equal(tx.value, 0n);
  // The node's pool holds only the cancel now (it replaced the payout); the payout's bytes are on record.
  const original = parseTransaction((await evmPayoutTxs(h.deps, payoutKey)).find((t) => t.tx_hash === txHash)!.raw_tx as Hex);
  assert.equal(tx.nonce, original.nonce, "the payout's own nonce");
  assert.ok(tx.maxFeePerGas! > original.maxFeePerGas!, "outbids the payout");
  // Asked again: nothing new.
  assert.equal((await admin(`/admin/v1/withdrawals/${id}/cancel`)).status, 200);
  await drain(h);
  assert.equal((await evmPayoutTxs(h.deps, payoutKey)).filter((t) => t.cancels).length, 1);

  // The cancel is mined, below the depth: a reorg could still bring the payout back, so nothing returns.
  await evm.anvil.mine(1);
  await untilMined(evm.anvil, cancelHash);
  await advanceAndDrain(h, POLL_CAP_MS);
  assert.equal((await withdrawal(id)).status, "sent");
  assert.equal(await balance(), before - 41_000_000n);

  await evm.anvil.mine(CONFIRMATIONS - 1);
  await advanceAndDrain(h, POLL_CAP_MS);
  const done = await withdrawal(id);
  assert.equal(done.status, "failed");
  assert.match(done.failureReason, /cancelled by an operator/);
  assert.equal(await balance(), before, "amount and fee returned");
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient as `0x${string}`), 0n, "nothing paid");
  assert.equal(await publicClient(evm.anvil).getTransactionReceipt({ hash: txHash as Hex }).catch(() => null), null, "the payout was never mined");
  const receipt = await publicClient(evm.anvil).getTransactionReceipt({ hash: cancelHash });
  assert.equal(await networkFees(), feesBefore - receipt.gasUsed * receipt.effectiveGasPrice, "the cancel's gas booked, to the wei");
  assert.equal((await pollJobs(id)).filter((j) => j.status === "pending").length, 0, "tracking ended");

  const again = await admin(`/admin/v1/withdrawals/${id}/repoll`);
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.error, "illegal_transition");
  assert.match(again.json.message, /failed/);
});

test("a cancel that loses to the payout (mined first) leaves the withdrawal confirmed as usual, nothing returned", async () => {
  const before = await balance();
  const { id, txHash } = await sentWithdrawal("5");
  const asked = await admin(`/admin/v1/withdrawals/${id}/cancel`);
  assert.equal(asked.status, 200, asked.text);
  assert.ok(asked.json.cancelRequestedAt);
  assert.equal((await lastAuditEntry(h.deps)).action, "withdrawals.cancel");
  await evm.anvil.mine(1); // the payout is mined before the cancel is sent
  await untilMined(evm.anvil, txHash);
  await drain(h);
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await advanceAndDrain(h, POLL_CAP_MS);
  const done = await withdrawal(id);
  assert.equal(done.status, "confirmed");
  assert.equal(done.txHash, txHash);
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient as `0x${string}`), 5_000_000n);
  assert.equal(await balance(), before - 6_000_000n, "paid, not returned");
  const cancel = await admin(`/admin/v1/withdrawals/${id}/cancel`);
  assert.equal(cancel.status, 409);
  assert.match(cancel.json.message, /confirmed/);
});

// Last: it moves the hot wallet's tokens away and back.
test("a payout that reverts on chain: the withdrawal fails, amount and fee return, the gas it burnt is booked", async () => {
  const spenderKey = evm.anvil.keys[1]!;
  const spender = privateKeyToAccount(spenderKey);
  const hot = createWalletClient({ account: privateKeyToAccount(evm.hotWalletKey), chain: evm.anvil.chain, transport: http(evm.anvil.url) });
  await untilMined(evm.anvil, await hot.writeContract({ address: evm.token, abi: erc20Abi, functionName: "approve", args: [spender.address, maxUint256] }));
  const before = await balance();
  const feesBefore = await networkFees();
  const { id, txHash } = await sentWithdrawal("7");
  // The payout leaves the pool; meanwhile every token of the hot wallet moves away; then it is mined.
  await evm.anvil.rpc("anvil_dropTransaction", [txHash]);
  const held = await tokenBalance(evm.anvil, evm.token, evm.hotWallet);
  const other = createWalletClient({ account: spender, chain: evm.anvil.chain, transport: http(evm.anvil.url) });
  const drained = await other.writeContract({ address: evm.token, abi: erc20Abi, functionName: "transferFrom", args: [evm.hotWallet, spender.address, held] });
  await evm.anvil.mine(1);
  await untilMined(evm.anvil, drained);
  await advanceAndDrain(h, POLL_CAP_MS); // re-broadcasts the payout's recorded bytes
  await evm.anvil.mine(CONFIRMATIONS);
  await untilMined(evm.anvil, txHash);
  await advanceAndDrain(h, POLL_CAP_MS);
  const receipt = await publicClient(evm.anvil).getTransactionReceipt({ hash: txHash as Hex });
  assert.equal(receipt.status, "reverted");
  const done = await withdrawal(id);
  assert.equal(done.status, "failed");
  assert.match(done.failureReason, /reverted/);
  assert.equal(await balance(), before, "amount and fee returned, not the gas");
  const gas = receipt.gasUsed * receipt.effectiveGasPrice;
  assert.equal(await networkFees(), feesBefore - gas, "the reverted transaction's gas booked, to the wei");
  const row = await h.deps.database.db.selectFrom("withdrawals").select("network_fee_minor").where("id", "=", id).executeTakeFirstOrThrow();
  assert.equal(BigInt(row.network_fee_minor!), gas);
  await evm.anvil.rpc("evm_setAutomine", [true]);
  await untilMined(evm.anvil, await other.writeContract({ address: evm.token, abi: erc20Abi, functionName: "transfer", args: [evm.hotWallet, held] }));
});
