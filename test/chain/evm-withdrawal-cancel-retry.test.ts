// An operator's cancel that cannot go out at once is not lost (anvil, automine off). The payout was
// signed at a 200 gwei cap; the process restarts with the cap lowered to 50 gwei, so no cancel can
// outbid it within twice the cap. The cancel job then stays queued and retries with backoff (it used
// to finish "done" with nothing sent, and nothing ever signed the cancel again: the funds stayed held).
// Once the cap is raised back, the retry signs the cancel; the funds return only at the depth.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Hex } from "viem";
import { createEvmChain } from "../../src/adapters/chain/evm/evm-chain.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { createEvmPayoutStore } from "../../src/db/chain/evm-payouts.js";
import { publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, evmPayoutTxs, freshAddress, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, drain } from "../support/intents.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 3;
const GWEI = 1_000_000_000n;
/** Past the longest job backoff and the longest wait between two polls. */
const LATER_MS = 10 * 60_000;
let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;

const balance = async () => (await getBalance(h.deps.database.db, { owner: `merchant:${m.merchantId}`, asset: "USDT", purpose: "merchant_balance" })).available;
const merchant = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);
const cancelJob = (id: string) =>
  h.deps.database.db.selectFrom("jobs").select(["status", "attempts", "last_error"]).where("key", "=", `withdrawal.payout_cancel:${id}`).executeTakeFirstOrThrow();

/** The process restarted with RAMPART_EVM_MAX_FEE_GWEI at `capGwei`: a new chain adapter over the same store. */
function restartChainWithCap(capGwei: bigint): void {
  const config = { ...h.deps.config.ports.evm!, maxFeePerGasCapWei: capGwei * GWEI };
  h.deps.ports.chain = createEvmChain({ config, store: createEvmPayoutStore(h.deps.database.db, config.chainId), clock: h.clock, logger: h.deps.logger });
}

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS, maxFeeGwei: "200" });
  h = await createHarness({ env: { ...evm.env, RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "0", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=100000" } });
  m = await createMerchant(h.deps);
  await fundMerchantBalance(h.deps, m.merchantId, 1_000_000_000n);
});
after(async () => {
  await evm?.anvil.rpc("evm_setAutomine", [true]);
  await h?.close();
  await evm?.anvil.stop();
});

test("a cancel above twice the fee cap is retried until it can go out, and the funds return only once it is confirmed", async () => {
  const recipient = freshAddress();
  const added = await merchant("POST", "/merchant/v1/withdrawal-addresses", { network: "erc20", address: recipient });
  assert.equal(added.status, 201, added.text);
  const before = await balance();

  // A busy market: the payout is signed at the 200 gwei cap and sits unmined.
  await evm.anvil.rpc("evm_setAutomine", [false]);
  await evm.anvil.rpc("anvil_setNextBlockBaseFeePerGas", [`0x${(100n * GWEI).toString(16)}`]);
  const res = await merchant("POST", "/merchant/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "40" });
  assert.equal(res.status, 201, res.text);
  await drain(h);
  const id: string = res.json.id;
  const payoutKey = (await h.deps.database.db.selectFrom("withdrawals").select("payout_key").where("id", "=", id).executeTakeFirstOrThrow()).payout_key;
  const [payout] = await evmPayoutTxs(h.deps, payoutKey);
  assert.equal(BigInt(payout!.max_fee_per_gas), 200n * GWEI);

  // Restarted with the cap lowered: a cancel would have to pay above 2 x 50 gwei. It is asked for...
  restartChainWithCap(50n);
  const asked = await jsonCall(h.app, "POST", `/admin/v1/withdrawals/${id}/cancel`, operatorHeader(await createOperatorKey(h.deps, "finance", "finance")));
  assert.equal(asked.status, 200, asked.text);
  await drain(h);
  // ... and not sent, but not forgotten either: the job waits for its retry.
  assert.equal((await evmPayoutTxs(h.deps, payoutKey)).filter((t) => t.cancels).length, 0);
  let job = await cancelJob(id);
  assert.equal(job.status, "pending");
  assert.match(job.last_error ?? "", /twice the fee cap/);
  await advanceAndDrain(h, LATER_MS);
  job = await cancelJob(id);
  assert.equal(job.status, "pending", "still retried");
  assert.ok(job.attempts >= 2);
  assert.equal((await evmPayoutTxs(h.deps, payoutKey)).filter((t) => t.cancels).length, 0);
  assert.equal(await balance(), before - 41_000_000n, "amount + fee still held");

  // The cap is raised back: the next retry signs and sends the cancel.
  restartChainWithCap(200n);
  await advanceAndDrain(h, LATER_MS);
  assert.equal((await cancelJob(id)).status, "done");
  const cancels = (await evmPayoutTxs(h.deps, payoutKey)).filter((t) => t.cancels);
  assert.equal(cancels.length, 1, "the cancel went out");
  const cancelHash = cancels[0]!.tx_hash as Hex;

  // Mined but below the depth: nothing returns yet.
  await evm.anvil.mine(1);
  await untilMined(evm.anvil, cancelHash);
  await advanceAndDrain(h, LATER_MS);
  assert.equal((await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json.status, "sent");
  assert.equal(await balance(), before - 41_000_000n);

  await evm.anvil.mine(CONFIRMATIONS - 1);
  await advanceAndDrain(h, LATER_MS);
  const done = (await merchant("GET", `/merchant/v1/withdrawals/${id}`)).json;
  assert.equal(done.status, "failed");
  assert.match(done.failureReason, /cancelled by an operator/);
  assert.equal(await balance(), before, "amount and fee returned");
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 0n, "nothing paid");
  assert.equal(await publicClient(evm.anvil).getTransactionReceipt({ hash: payout!.tx_hash as Hex }).catch(() => null), null, "the payout was never mined");
  await verifyLedgerClean(h.deps);
});
