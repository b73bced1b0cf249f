// The manual chain's on-chain check of an operator-entered tx hash, against a real node (anvil) and the
// test USDT (6 decimals): RAMPART_CHAIN=manual with RAMPART_EVM_RPC_URLS and no hot-wallet key. The
// operator pays from their own wallet (here anvil's second account); a transaction that pays the payout
// exactly is recorded once deep enough, anything else is refused with nothing written.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Address, type Hex, createWalletClient, erc20Abi, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createEvmTxChecker } from "../../src/adapters/chain/evm/tx-checker.js";
import { recordOperatorPayout } from "../../src/app/intents/operator-payouts.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { AppError } from "../../src/core/shared/errors.js";
import { ANVIL_CHAIN_ID } from "../support/anvil.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { type EvmSetup, freshAddress, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall, operatorHeader } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, drain, intentBody, kycFields } from "../support/intents.js";

const CONFIRMATIONS = 3;
let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;
let operatorKey: string;
let operatorWallet: Hex;
let checkEnv: Record<string, string>;

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  checkEnv = {
    RAMPART_CHAIN: "manual",
    RAMPART_EVM_RPC_URLS: evm.env.RAMPART_EVM_RPC_URLS!,
    RAMPART_EVM_CHAIN_ID: String(ANVIL_CHAIN_ID),
    RAMPART_EVM_CONFIRMATIONS: String(CONFIRMATIONS),
    RAMPART_EVM_TOKENS: evm.env.RAMPART_EVM_TOKENS!,
  };
  h = await createHarness({ env: { ...INTENT_RATES_ENV, ...checkEnv } });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  operatorKey = await createOperatorKey(h.deps, "tx check test");
  // The operator's own wallet: anvil's second account, given USDT by the deployer (the first).
  operatorWallet = evm.anvil.keys[1]!;
  await mined(await wallet(evm.hotWalletKey).writeContract({ address: evm.token, abi: erc20Abi, functionName: "transfer", args: [privateKeyToAccount(operatorWallet).address, 10_000_000_000n], chain: evm.anvil.chain }));
});
after(async () => {
  await h?.close();
  await evm?.anvil.stop();
});

const wallet = (key: Hex) => createWalletClient({ account: privateKeyToAccount(key), chain: evm.anvil.chain, transport: http(evm.anvil.url) });
const admin = (url: string, body: unknown) => jsonCall(h.app, "POST", url, operatorHeader(operatorKey), body);

async function mined(hash: Hex): Promise<Hex> {
  await untilMined(evm.anvil, hash);
  return hash;
}

/** The operator pays USDT from their wallet; anvil mines it at once (1 confirmation). */
async function payUsdt(to: Address, amountMinor: bigint, opts: { gas?: bigint; key?: Hex } = {}): Promise<Hex> {
  const hash = await wallet(opts.key ?? operatorWallet).writeContract({
    address: evm.token,
    abi: erc20Abi,
    functionName: "transfer",
    args: [to, amountMinor],
    chain: evm.anvil.chain,
    ...(opts.gas ? { gas: opts.gas } : {}),
  });
  return mined(hash);
}

interface QueuedPayout {
  payoutId: string;
  intentId: string;
  address: Address;
  amountMinor: bigint;
}

/** An intent paid in EUR, its USDT (erc20) payout waiting in the operator's queue at status 5. */
async function queuedPayout(): Promise<QueuedPayout> {
  const address = freshAddress();
  const res = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": m.apiKey }, intentBody(m.storeId, { ...kycFields(), network: "erc20", walletAddress: address }));
  assert.equal(res.status, 201, res.text);
  const intentId = res.json.paymentIntentId as string;
  const ins = (await jsonCall(h.app, "GET", `/payment/intent/${intentId}/instructions`, { "x-api-key": m.apiKey })).json;
  const paid = await sandboxTransfer(h.app, { apiKey: m.apiKey }, { reference: ins.bankTransfer.reference, amount: ins.fiatAmount, currency: "EUR" });
  assert.equal(paid.json.outcome, "paid");
  await drain(h);
  const p = await payoutRow(intentId);
  assert.equal(p.status, "awaiting_operator");
  return { payoutId: p.payout_key, intentId, address, amountMinor: BigInt(p.amount_minor) };
}

const payoutRow = (intentId: string) => h.deps.database.db.selectFrom("intent_payouts").selectAll().where("intent_id", "=", intentId).executeTakeFirstOrThrow();
const intentRow = (id: string) => h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash"]).where("id", "=", id).executeTakeFirstOrThrow();

async function assertNothingWritten(p: QueuedPayout) {
  const payout = await payoutRow(p.intentId);
  assert.equal(payout.status, "awaiting_operator");
  assert.equal(payout.tx_hash, null);
  const intent = await intentRow(p.intentId);
  assert.equal(intent.status, 5);
  assert.equal(intent.tx_hash, null);
}

test("a matching USDT transfer: refused as unconfirmed until it is deep enough, then recorded and the intent reaches 6", async () => {
  const p = await queuedPayout();
  assert.ok(p.amountMinor > 0n);
  const hash = await payUsdt(p.address, p.amountMinor);

  const early = await admin(`/admin/v1/payouts/${p.payoutId}/tx-hash`, { txHash: hash });
  assert.equal(early.status, 409, early.text);
  assert.equal(early.json.error, "payout_tx_unconfirmed");
  assert.match(early.json.message, /1 of 3 confirmations/);
  await assertNothingWritten(p);

  await evm.anvil.mine(CONFIRMATIONS - 1);
  const done = await admin(`/admin/v1/payouts/${p.payoutId}/tx-hash`, { txHash: hash.toUpperCase().replace("0X", "0x") });
  assert.equal(done.status, 200, done.text);
  assert.deepEqual(done.json, { payoutId: p.payoutId, intentId: p.intentId, status: "confirmed", txHash: hash.toLowerCase(), intentStatus: 6, replayed: false });
  assert.deepEqual(await intentRow(p.intentId), { status: 6, tx_hash: hash.toLowerCase() });
  const again = await admin(`/admin/v1/payouts/${p.payoutId}/tx-hash`, { txHash: hash });
  assert.equal(again.status, 200);
  assert.equal(again.json.replayed, true);
});

test("wrong amount, wrong recipient, a reverted transaction and an unknown hash are refused (422) with nothing written", async () => {
  const p = await queuedPayout();
  const refusals: [string, Hex, RegExp][] = [
    ["one base unit short", await payUsdt(p.address, p.amountMinor - 1n), new RegExp(`transfers ${p.amountMinor - 1n} USDT base units to .*, not ${p.amountMinor}`)],
    ["another recipient", await payUsdt(freshAddress(), p.amountMinor), /transfers no USDT to/],
    // A sender without USDT: the token reverts; the gas is given so the wallet does not refuse to send it.
    ["reverted", await payUsdt(p.address, p.amountMinor, { key: evm.anvil.keys[2]!, gas: 100_000n }), /reverted/],
    ["unknown hash", `0x${"ab".repeat(32)}`, /knows no transaction/],
  ];
  await evm.anvil.mine(CONFIRMATIONS);
  for (const [label, hash, reason] of refusals) {
    const res = await admin(`/admin/v1/payouts/${p.payoutId}/tx-hash`, { txHash: hash });
    assert.equal(res.status, 422, `${label}: ${res.text}`);
    assert.equal(res.json.error, "payout_tx_mismatch", label);
    assert.equal(res.json.field, "txHash", label);
    assert.match(res.json.message, reason, label);
    await assertNothingWritten(p);
  }
  // The app function refuses the same way (the CLI and console share it), before the console's step-up
  // (`confirm`) runs: a refused hash uses up no code.
  let confirmed = 0;
  const confirm = async () => void confirmed++;
  await assert.rejects(recordOperatorPayout(h.deps, p.payoutId, refusals[0]![1], "op", confirm), (err: unknown) => err instanceof AppError && err.code === "payout_tx_mismatch");
  assert.equal(confirmed, 0, "no code asked for a refused hash");
  await assertNothingWritten(p);
  // The right transaction still completes it afterwards, once the step-up passed.
  const good = await payUsdt(p.address, p.amountMinor);
  await evm.anvil.mine(CONFIRMATIONS - 1);
  const done = await recordOperatorPayout(h.deps, p.payoutId, good, "op", confirm);
  assert.equal(done.intentStatus, 6);
  assert.equal(confirmed, 1);
});

test("a native ETH payout is checked by its value transfer, in wei", async () => {
  const checker = createEvmTxChecker({ rpcUrls: [evm.anvil.url], chainId: ANVIL_CHAIN_ID, confirmations: 1, tokens: {}, rpcTimeoutMs: 5_000 });
  const to = freshAddress();
  const hash = await mined(await wallet(operatorWallet).sendTransaction({ to, value: 1_500_000_000_000_000n, chain: evm.anvil.chain }));
  const req = { txHash: hash, network: "ethereum", asset: "ETH", address: to, decimals: 18 };
  assert.deepEqual(await checker.check({ ...req, amountMinor: 1_500_000_000_000_000n }), { kind: "matches", confirmations: 1 });
  assert.equal((await checker.check({ ...req, amountMinor: 1_500_000_000_000_001n })).kind, "mismatch");
  assert.equal((await checker.check({ ...req, amountMinor: 1_500_000_000_000_000n, address: freshAddress() })).kind, "mismatch");
  // A network this node does not serve is left unchecked rather than refused.
  assert.equal((await checker.check({ ...req, network: "trc20", asset: "USDT", amountMinor: 1n })).kind, "not_checkable");
});

test("config: manual chain reads the node settings without a hot-wallet key; without RPC URLs nothing is checked", () => {
  const withNode = loadConfig(checkEnv);
  assert.equal(withNode.ports.evm, null);
  assert.equal(withNode.ports.manualVerify?.chainId, ANVIL_CHAIN_ID);
  assert.equal(withNode.ports.manualVerify?.confirmations, CONFIRMATIONS);
  assert.equal(loadConfig({ RAMPART_CHAIN: "manual" }).ports.manualVerify, null);
  assert.throws(() => loadConfig({ RAMPART_CHAIN: "manual", RAMPART_EVM_RPC_URLS: evm.anvil.url }), (err: unknown) => err instanceof ConfigError && /RAMPART_EVM_CHAIN_ID/.test(err.message));
});
