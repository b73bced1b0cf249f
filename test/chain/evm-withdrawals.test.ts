// Merchant withdrawals paid on a real node (anvil) in the test USDT (ERC-20, 6 decimals) from the hot
// wallet, through the same exactly-once payout path as intents: one above the approval threshold,
// approved by an operator and confirmed, the recipient's token balance up by exactly the amount and the
// gas booked; one to an address still in its cooling-off period refused with nothing sent; one on a
// network the EVM chain does not serve failed with the funds returned. Figures are read from the chain.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Hex } from "viem";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { fundMerchantBalance } from "../support/merchant-funds.js";
import { ethBalance, publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, evmPayoutRows, freshAddress, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { advanceAndDrain, drain } from "../support/intents.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";

const CONFIRMATIONS = 3;
const DAY_MS = 24 * 3_600_000;
let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;
let op: string;

const balance = async () => (await getBalance(h.deps.database.db, { owner: `merchant:${m.merchantId}`, asset: "USDT", purpose: "merchant_balance" })).available;
const call = (method: "GET" | "POST", url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-api-key": m.apiKey }, body);

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  h = await createHarness({
    env: { ...evm.env, RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "24", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=100" },
  });
  m = await createMerchant(h.deps);
  op = await createOperatorKey(h.deps, "finance", "finance");
  await fundMerchantBalance(h.deps, m.merchantId, 1_000_000_000n);
});
after(async () => {
  await h?.close();
  await evm?.anvil.stop();
});

async function addAddress(network: string, address: string): Promise<string> {
  const res = await call("POST", "/merchant/v1/withdrawal-addresses", { network, address });
  assert.equal(res.status, 201, res.text);
  return res.json.id as string;
}

test("a withdrawal to an address still cooling off is refused and nothing is sent; once cooled, one above the threshold is approved and confirmed on chain", async () => {
  const recipient = freshAddress();
  const addressId = await addAddress("erc20", recipient);
  const before = await balance();
  const early = await call("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount: "150.25" });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error, "withdrawal_address_cooling_off");
  await drain(h);
  assert.equal((await evmPayoutRows(h.deps)).length, 0, "nothing signed");
  assert.equal(await balance(), before);

  h.clock.advance(DAY_MS);
  const hotUsdtBefore = await tokenBalance(evm.anvil, evm.token, evm.hotWallet);
  const hotEthBefore = await ethBalance(evm.anvil, evm.hotWallet);
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount: "150.25" });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "requested");
  assert.equal(await balance(), before - 151_250_000n, "amount + fee held");
  await drain(h);
  assert.equal((await evmPayoutRows(h.deps)).length, 0, "nothing sent before the approval");

  const approved = await jsonCall(h.app, "POST", `/admin/v1/withdrawals/${res.json.id}/approve`, operatorHeader(op));
  assert.equal(approved.status, 200, approved.text);
  await drain(h);
  const sent = await call("GET", `/merchant/v1/withdrawals/${res.json.id}`);
  assert.equal(sent.json.status, "sent");
  await untilMined(evm.anvil, sent.json.txHash);
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await advanceAndDrain(h, 1000);

  const done = await call("GET", `/merchant/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "confirmed");
  const receipt = await publicClient(evm.anvil).getTransactionReceipt({ hash: done.json.txHash as Hex });
  assert.equal(receipt.status, "success");
  assert.equal(receipt.to?.toLowerCase(), evm.token.toLowerCase());
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 150_250_000n, "the recipient received exactly the amount");
  assert.equal(await tokenBalance(evm.anvil, evm.token, evm.hotWallet), hotUsdtBefore - 150_250_000n, "the hot wallet paid exactly the amount");
  const gas = receipt.gasUsed * receipt.effectiveGasPrice;
  assert.equal(await ethBalance(evm.anvil, evm.hotWallet), hotEthBefore - gas);
  assert.equal(await balance(), before - 151_250_000n, "the fee stays with the platform");
  const networkFees = await getBalance(h.deps.database.db, { owner: "platform", asset: "ETH", purpose: "network_fees" });
  assert.equal(networkFees.posted, -gas, "the gas is booked in the ledger, to the wei");
  const row = await h.deps.database.db.selectFrom("withdrawals").select(["network_fee_minor", "payout_key"]).where("id", "=", res.json.id).executeTakeFirstOrThrow();
  assert.equal(BigInt(row.network_fee_minor!), gas);
  const payouts = (await evmPayoutRows(h.deps)).filter((p) => p.payout_key === row.payout_key);
  assert.equal(payouts.length, 1, "one payout, one transaction");
  assert.equal(payouts[0]!.status, "confirmed");
});

test("a withdrawal on a network the EVM chain does not serve fails and its amount and fee return to the balance", async () => {
  const addressId = await addAddress("trc20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t");
  h.clock.advance(DAY_MS);
  const before = await balance();
  const res = await call("POST", "/merchant/v1/withdrawals", { addressId, asset: "USDT", amount: "20" });
  assert.equal(res.json.status, "approved", res.text);
  assert.equal(await balance(), before - 21_000_000n);
  await drain(h);
  const done = await call("GET", `/merchant/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "failed");
  assert.match(done.json.failureReason, /does not serve the network trc20/);
  assert.equal(await balance(), before);
});
