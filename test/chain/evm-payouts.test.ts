// The EVM adapter against a real node (anvil) and the test USDT (ERC-20, 6 decimals): an intent
// delivered on chain, 50 concurrent payouts from one hot wallet, a stuck payout replaced, a reorg that
// drops a payout, the hot wallet's balances on /metrics and the console (with its low-balance flag). Every figure is read back from the chain itself.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { type Address, type Hex, getAddress } from "viem";
import type { EvmChain } from "../../src/adapters/chain/evm/evm-chain.js";
import { payoutKeyFor } from "../../src/app/intents/payout.js";
import { getBalance } from "../../src/app/ledger/ledger.js";
import { SANDBOX_PAIRS } from "../../src/app/sandbox/seed-pricing.js";
import { fiatScale } from "../../src/core/money/currencies.js";
import { formatMinor } from "../../src/core/money/decimal.js";
import { parsePairSpec } from "../../src/core/pricing/pair.js";
import { insertPairIfMissing } from "../../src/db/pricing/pricing-store.js";
import { deployTestToken, ethBalance, publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, evmPayoutRows, evmPayoutTxs, freshAddress, paidEvmIntent, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { sample, scrape } from "../support/metrics.js";
import { getPage, staffSession } from "../support/staff.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain } from "../support/intents.js";
import { verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 3;
let evm: EvmSetup;
let h: Harness;
let m: MerchantFixture;
let chain: EvmChain;
/** Configured as USDC, but counting in 18 decimals where Rampart's USDC has 6. */
let usdc18: Address;

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS, maxFeeGwei: "10" });
  usdc18 = await deployTestToken(evm.anvil, evm.anvil.keys[2]!, 10n ** 24n, 18); // not the hot wallet: its nonces are the payouts'
  // The test USDT contract may be paid (a listed contract); any other contract may not.
  h = await createHarness({
    env: { ...INTENT_RATES_ENV, ...evm.env, RAMPART_EVM_TOKENS: `${evm.env.RAMPART_EVM_TOKENS},USDC=${usdc18}`, RAMPART_EVM_CONTRACT_RECIPIENTS: evm.token },
  });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
  chain = h.deps.ports.chain as EvmChain;
});
after(async () => {
  await h?.close();
  await evm?.anvil.stop();
});

const paidIntent = (walletAddress: string) => paidEvmIntent(h, m, walletAddress);

const intentRow = (id: string) =>
  h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash", "crypto_minor"]).where("id", "=", id).executeTakeFirstOrThrow();

test("an intent paid in USDT on an EVM network is delivered on chain: status 6 carries the real tx hash, balances move by exactly the amount", async () => {
  const recipient = freshAddress();
  const hotUsdtBefore = await tokenBalance(evm.anvil, evm.token, evm.hotWallet);
  const hotEthBefore = await ethBalance(evm.anvil, evm.hotWallet);
  const networkFees = async () => (await getBalance(h.deps.database.db, { owner: "platform", asset: "ETH", purpose: "network_fees" })).posted;
  const feesBefore = await networkFees();
  const id = await paidIntent(recipient);
  await drain(h);
  const pending = await intentRow(id);
  assert.equal(pending.status, 5, "sent but not yet at the confirmation depth");
  const [sent] = (await evmPayoutRows(h.deps)).filter((p) => p.payout_key === payoutKeyFor(id));
  await untilMined(evm.anvil, sent!.current_tx_hash);
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await advanceAndDrain(h, 1000);

  const row = await intentRow(id);
  assert.equal(row.status, 6);
  const amount = BigInt(row.crypto_minor);
  assert.ok(amount > 0n);
  const client = publicClient(evm.anvil);
  const receipt = await client.getTransactionReceipt({ hash: row.tx_hash as Hex });
  assert.equal(receipt.status, "success");
  assert.equal(receipt.from.toLowerCase(), evm.hotWallet.toLowerCase());
  assert.equal(receipt.to?.toLowerCase(), evm.token.toLowerCase());
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), amount, "recipient received exactly the amount");
  assert.equal(await tokenBalance(evm.anvil, evm.token, evm.hotWallet), hotUsdtBefore - amount, "hot wallet paid exactly the amount");
  const gas = receipt.gasUsed * receipt.effectiveGasPrice;
  assert.equal(await ethBalance(evm.anvil, evm.hotWallet), hotEthBefore - gas, "hot wallet paid the gas in ETH");
  const [payout] = (await evmPayoutRows(h.deps)).filter((p) => p.payout_key === payoutKeyFor(id));
  assert.equal(payout?.status, "confirmed");
  assert.equal(payout?.mined_tx_hash, row.tx_hash);
  assert.equal(BigInt(payout!.fee_wei!), gas);
  assert.equal(await networkFees(), feesBefore - gas, "the gas is booked as the platform's network fee, to the wei");
  await verifyLedgerClean(h.deps);
});

test("50 concurrent payouts from one hot wallet: 50 distinct consecutive nonces, all confirmed, each paid once", async () => {
  const before = new Set((await evmPayoutRows(h.deps)).map((p) => p.payout_key));
  const recipients = Array.from({ length: 50 }, () => freshAddress());
  // Broadcast with anvil's automine off, then mined. In loaded CI runs (2026-12-07) some of the 50 were
  // not in a block when the confirmations were mined, and once one never reached a block while the
  // test mined blocks for 13 minutes. The 50 reach anvil out of nonce order, and foundry-rs/foundry#10122
  // reports that anvil, mining each on arrival (auto mode only), can leave such a transaction queued
  // although the nonce before it is mined (not reproduced here: 250 rounds of 50 out-of-order sends all
  // mined). A real node's pool promotes it; this test is about Rampart's nonces, not anvil's miner, and
  // a transaction anvil does not hold ready now fails the pool check below instead of hanging.
  await evm.anvil.rpc("evm_setAutomine", [false]);
  let rows: Awaited<ReturnType<typeof evmPayoutRows>>;
  try {
    const sent = await Promise.all(
      recipients.map((address, i) => chain.send({ payoutKey: `bulk_${i}`, network: "erc20", asset: "USDT", address, amountMinor: BigInt(1_000_000 + i) })),
    );
    for (const s of sent) assert.equal(s.kind, "pending");
    rows = (await evmPayoutRows(h.deps)).filter((p) => !before.has(p.payout_key)).sort((a, b) => (BigInt(a.nonce) < BigInt(b.nonce) ? -1 : 1));
    assert.equal(rows.length, 50);
    const nonces = rows.map((r) => BigInt(r.nonce));
    for (let i = 1; i < nonces.length; i++) assert.equal(nonces[i], nonces[0]! + BigInt(i), "no gap, no repeat");
    // Every one is in anvil's pool, ready: the next block takes all 50.
    const pool = await evm.anvil.rpc<{ pending: string; queued: string }>("txpool_status");
    assert.deepEqual({ pending: BigInt(pool.pending), queued: BigInt(pool.queued) }, { pending: 50n, queued: 0n });
    await evm.anvil.mine(1);
    // Each in a block, seen through the payouts' own poll (status).
    for (const r of rows) {
      const st = await chain.status(r.payout_key);
      assert.ok(st.kind === "pending" && st.confirmations === 1, `${r.payout_key} (nonce ${r.nonce}) is in the block: ${JSON.stringify(st)}`);
    }
  } finally {
    await evm.anvil.rpc("evm_setAutomine", [true]);
  }
  await evm.anvil.mine(CONFIRMATIONS);
  const client = publicClient(evm.anvil);
  for (let i = 0; i < 50; i++) {
    const st = await chain.status(`bulk_${i}`);
    assert.equal(st.kind, "confirmed");
    const tx = await client.getTransaction({ hash: (st as { txHash: Hex }).txHash });
    assert.equal(BigInt(tx.nonce), BigInt(rows.find((r) => r.payout_key === `bulk_${i}`)!.nonce));
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipients[i]!), BigInt(1_000_000 + i));
  }
  // Sending again by the same key never makes a second transaction.
  const again = await chain.send({ payoutKey: "bulk_0", network: "erc20", asset: "USDT", address: recipients[0]!, amountMinor: 1_000_000n });
  assert.equal(again.kind, "confirmed");
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipients[0]!), 1_000_000n);
  assert.equal((await evmPayoutTxs(h.deps, "bulk_0")).length, 1);
});

test("a payout stuck below the base fee is replaced (same nonce, higher fee, never above the cap) and confirmed once", async () => {
  const gwei = (n: number) => `0x${(BigInt(n) * 1_000_000_000n).toString(16)}`;
  const recipient = freshAddress();
  await evm.anvil.rpc("evm_setAutomine", [false]);
  try {
    const first = await chain.send({ payoutKey: "stuck_1", network: "erc20", asset: "USDT", address: recipient, amountMinor: 7_000_000n });
    assert.equal(first.kind, "pending");
    const [original] = await evmPayoutTxs(h.deps, "stuck_1");
    // The market moves above what the first version may pay: the next block leaves it out.
    await evm.anvil.rpc("anvil_setNextBlockBaseFeePerGas", [gwei(5)]);
    await evm.anvil.mine(1);
    assert.equal(await publicClient(evm.anvil).getTransactionReceipt({ hash: original!.tx_hash as Hex }).catch(() => null), null);

    await chain.status("stuck_1");
    const afterReplace = await evmPayoutTxs(h.deps, "stuck_1");
    assert.equal(afterReplace.length, 2, "one replacement signed");
    const replacement = afterReplace.find((t) => t.tx_hash !== original!.tx_hash)!;
    assert.ok(BigInt(replacement.max_fee_per_gas) > BigInt(original!.max_fee_per_gas));
    assert.ok(BigInt(replacement.max_fee_per_gas) <= 10_000_000_000n, "never above the 10 gwei cap");

    // Now the base fee jumps above the cap: nothing can be mined, and nothing more is signed.
    await evm.anvil.rpc("anvil_setNextBlockBaseFeePerGas", [gwei(20)]);
    await evm.anvil.mine(1);
    const waiting = await chain.status("stuck_1");
    assert.equal(waiting.kind, "pending");
    assert.equal((await evmPayoutTxs(h.deps, "stuck_1")).length, 2, "no replacement above the cap");

    // The base fee falls back. anvil (unlike geth) drops a transaction a block could not include, so
    // the next poll re-broadcasts the replacement's recorded bytes; then it is mined, once.
    await evm.anvil.rpc("anvil_setNextBlockBaseFeePerGas", [gwei(1)]);
    assert.equal((await chain.status("stuck_1")).kind, "pending");
    assert.equal((await evmPayoutTxs(h.deps, "stuck_1")).length, 2, "re-broadcast, not re-signed");
    await evm.anvil.mine(CONFIRMATIONS);
    const done = await chain.status("stuck_1");
    assert.equal(done.kind, "confirmed");
    assert.equal((done as { txHash: string }).txHash, replacement.tx_hash);
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 7_000_000n, "paid exactly once");
    const row = (await evmPayoutRows(h.deps)).find((p) => p.payout_key === "stuck_1")!;
    assert.equal(row.replacements, 1);
  } finally {
    await evm.anvil.rpc("evm_setAutomine", [true]);
  }
});

test("a reorg that drops a mined payout: it is tracked again and the same transaction re-sent, paid once", async () => {
  const recipient = freshAddress();
  const sent = await chain.send({ payoutKey: "reorg_1", network: "erc20", asset: "USDT", address: recipient, amountMinor: 3_000_000n });
  assert.equal(sent.kind, "pending");
  await untilMined(evm.anvil, (sent as { txHash: string }).txHash);
  const st = await chain.status("reorg_1");
  assert.equal(st.kind, "pending");
  assert.equal((st as { confirmations: number }).confirmations, 1, "mined in the head block");
  const minedBefore = (await evmPayoutRows(h.deps)).find((p) => p.payout_key === "reorg_1")!;
  assert.ok(minedBefore.mined_block_hash);

  // The head block is replaced by one without the payout.
  await evm.anvil.rpc("anvil_reorg", [1, []]);
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 0n, "the reorg took the transfer away");

  const again = await chain.status("reorg_1");
  assert.equal(again.kind, "pending");
  assert.equal((again as { txHash: string }).txHash, minedBefore.current_tx_hash, "the same signed transaction, not a new one");
  await evm.anvil.mine(CONFIRMATIONS);
  const done = await chain.status("reorg_1");
  assert.equal(done.kind, "confirmed");
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 3_000_000n, "paid exactly once");
  const row = (await evmPayoutRows(h.deps)).find((p) => p.payout_key === "reorg_1")!;
  assert.equal(row.reorgs, 1);
  assert.notEqual(row.mined_block_hash, minedBefore.mined_block_hash);
  assert.equal((await evmPayoutTxs(h.deps, "reorg_1")).length, 1);
});

test("a payout the chain can never carry fails at once without using a nonce", async () => {
  const count = (await evmPayoutRows(h.deps)).length;
  const zero = await chain.send({ payoutKey: "bad_1", network: "erc20", asset: "USDT", address: "0x0000000000000000000000000000000000000000", amountMinor: 1n });
  assert.equal(zero.kind, "failed");
  const checksum = await chain.send({ payoutKey: "bad_2", network: "erc20", asset: "USDT", address: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD", amountMinor: 1n });
  assert.equal(checksum.kind, "failed");
  const noToken = await chain.send({ payoutKey: "bad_3", network: "erc20", asset: "USDC", address: freshAddress(), amountMinor: 1n });
  assert.equal(noToken.kind, "failed");
  assert.equal((await evmPayoutRows(h.deps)).length, count);
});

test("a contract recipient is paid only when RAMPART_EVM_CONTRACT_RECIPIENTS lists it", async () => {
  const count = (await evmPayoutRows(h.deps)).length;
  const unlisted = await deployTestToken(evm.anvil, evm.anvil.keys[1]!, 1n); // not the hot wallet: its nonces are the payouts'
  const refused = await chain.send({ payoutKey: "contract_1", network: "erc20", asset: "USDT", address: unlisted, amountMinor: 1_000_000n });
  assert.equal(refused.kind, "failed");
  assert.match(refused.kind === "failed" ? refused.reason : "", /is a contract; contracts are paid only when listed in RAMPART_EVM_CONTRACT_RECIPIENTS/);
  assert.equal((await evmPayoutRows(h.deps)).length, count, "nothing signed for it");
  assert.equal(await tokenBalance(evm.anvil, evm.token, unlisted), 0n);

  const before = await tokenBalance(evm.anvil, evm.token, evm.token);
  const listed = await chain.send({ payoutKey: "contract_2", network: "erc20", asset: "USDT", address: evm.token, amountMinor: 1_000_000n });
  assert.equal(listed.kind, "pending");
  await untilMined(evm.anvil, listed.kind === "pending" ? listed.txHash : "");
  assert.equal(await tokenBalance(evm.anvil, evm.token, evm.token), before + 1_000_000n);
});

test("a token contract counting in other decimals than Rampart's asset is refused before anything is signed: the intent fails with token_decimals_mismatch, its hold returned", async () => {
  const count = (await evmPayoutRows(h.deps)).length;
  const nonce = await publicClient(evm.anvil).getTransactionCount({ address: evm.hotWallet, blockTag: "pending" });
  // EUR→USDC on erc20, priced as the sandbox's EUR→USDT on erc20.
  const usdtErc20 = SANDBOX_PAIRS.find((p) => p.crypto === "USDT" && p.network === "erc20")!;
  await insertPairIfMissing(h.deps.database.db, parsePairSpec({ ...usdtErc20, crypto: "USDC" }, { fiatScale: fiatScale("EUR"), cryptoDecimals: 6 }));
  const id = await paidEvmIntent(h, m, freshAddress(), "USDC");
  await drain(h);

  assert.equal((await intentRow(id)).status, 10000, "failed for good: 18-decimal base units would pay 10^12 times the amount");
  const events = await h.deps.database.db.selectFrom("payment_intent_events").select(["to_status", "data"]).where("intent_id", "=", id).orderBy("id").execute();
  const failed = events.at(-1)!;
  assert.equal(failed.to_status, 10000);
  assert.equal(failed.data.code, "token_decimals_mismatch");
  assert.match(String(failed.data.reason), new RegExp(`the USDC contract ${getAddress(usdc18)} \\(RAMPART_EVM_TOKENS\\) has 18 decimals on chain; Rampart counts USDC on erc20 in 6 decimals`));
  assert.equal((await evmPayoutRows(h.deps)).length, count, "no nonce taken, nothing signed");
  assert.equal(await publicClient(evm.anvil).getTransactionCount({ address: evm.hotWallet, blockTag: "pending" }), nonce, "nothing sent");
  await verifyLedgerClean(h.deps);
});

// Last in the file: it stops the node.
test("/metrics and the console show what the hot wallet holds and follow a payout, the console flags a low native balance; a node that stops answering reads as down", async () => {
  const eth = { network: "ethereum", asset: "ETH" };
  const usdt = { network: "erc20", asset: "USDT" };
  /** A scrape past the balances' cache (5 s on the test clock). */
  const fresh = async () => {
    h.clock.advance(5_000);
    return scrape(h.app);
  };
  const usdtBefore = await tokenBalance(evm.anvil, evm.token, evm.hotWallet);
  const s0 = await fresh();
  assert.equal(sample(s0, "rampart_hot_wallet_balance", usdt), Number(formatMinor(usdtBefore, 6)));
  assert.equal(sample(s0, "rampart_hot_wallet_balance", eth), Number(formatMinor(await ethBalance(evm.anvil, evm.hotWallet), 18)));
  assert.equal(sample(s0, "rampart_hot_wallet_low_balance_threshold", eth), 0.1, "RAMPART_EVM_LOW_BALANCE_ETH's default");
  assert.equal(s0.has('rampart_hot_wallet_low_balance_threshold{network="erc20",asset="USDT"}'), false, "no threshold for tokens");
  assert.equal(sample(s0, "rampart_chain_node_up"), 1);

  const sent = await chain.send({ payoutKey: "metrics_1", network: "erc20", asset: "USDT", address: freshAddress(), amountMinor: 2_500_000n });
  await untilMined(evm.anvil, (sent as { txHash: string }).txHash);
  const s1 = await fresh();
  assert.equal(sample(s1, "rampart_hot_wallet_balance", usdt), Number(formatMinor(usdtBefore - 2_500_000n, 6)));

  // The console's Overview shows the same balances; the native coin below RAMPART_EVM_LOW_BALANCE_ETH is flagged low.
  const viewer = await staffSession(h, "viewer");
  const card = async (asset: string) => {
    const page = (await getPage(h, viewer, "/dashboard/overview")).body;
    return page.match(new RegExp(`<span class="([^"]*)" data-hot-wallet="${asset}">([^<]*)<`))?.slice(1) ?? null;
  };
  assert.deepEqual(await card("USDT"), ["mono ", formatMinor(usdtBefore - 2_500_000n, 6)]);
  assert.deepEqual(await card("ETH"), ["mono ", formatMinor(await ethBalance(evm.anvil, evm.hotWallet), 18)], "far above 0.1 ETH: not flagged");
  await evm.anvil.rpc("anvil_setBalance", [evm.hotWallet, `0x${(10n ** 17n - 1n).toString(16)}`]); // one wei below the threshold
  assert.deepEqual(await card("ETH"), ["mono status bad", `${formatMinor(10n ** 17n - 1n, 18)} · low`]);
  assert.deepEqual(await card("USDT"), ["mono ", formatMinor(usdtBefore - 2_500_000n, 6)], "tokens carry no threshold");

  await evm.anvil.stop();
  assert.match((await getPage(h, viewer, "/dashboard/overview")).body, /id="hot-wallet-unreachable">The chain's node does not answer: balances unknown, payouts wait\.</);
  assert.equal(await card("USDT"), null, "no stale balance on the page");
  const s2 = await fresh();
  assert.equal(sample(s2, "rampart_chain_node_up"), 0);
  assert.equal(s2.has('rampart_hot_wallet_balance{network="erc20",asset="USDT"}'), false, "no stale balance while the node is down");
});
