// The EVM adapter behind a node that fails: a loopback proxy (test/support/rpc-proxy.ts) in front of
// anvil refuses connections, answers 503, holds its answers past the adapter's timeout, or answers
// garbage. Payouts stay pending and their jobs are retried; once the node is back each is on chain
// exactly once. The deposit watcher credits nothing while the node fails and loses nothing: the
// deposit is credited once afterwards, and a credited deposit is never reversed by a garbage answer.
// With a second URL, every call a failing node cannot answer goes to the next and the payout goes out.
// /readyz, /metrics and the console's hot-wallet card report the node and the deposit watcher's lag.
// The node's URL carries a provider key in its path, as hosted nodes do: no error, log or page shows it.
import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import { inspect } from "node:util";
import { HDKey } from "@scure/bip32";
import { type Address, type Hex, createWalletClient, erc20Abi, getAbiItem, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createEvmChain } from "../../src/adapters/chain/evm/evm-chain.js";
import { payoutKeyFor } from "../../src/app/intents/payout.js";
import { createEvmPayoutStore } from "../../src/db/chain/evm-payouts.js";
import { traderDepositAddress } from "../../src/app/trading/deposit-address.js";
import { watchDeposits } from "../../src/app/trading/deposit-watcher.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createTrader } from "../../src/app/trading/traders.js";
import { ANVIL_CHAIN_ID, publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, evmPayoutRows, evmPayoutTxs, freshAddress, paidEvmIntent, startEvm, untilMined } from "../support/evm.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { INTENT_RATES_ENV, advanceAndDrain, configureStore, drain } from "../support/intents.js";
import { sample, scrape } from "../support/metrics.js";
import { type GarbageKind, type RpcProxy, startRpcProxy } from "../support/rpc-proxy.js";
import { staffSession } from "../support/staff.js";
import { verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 2;
/** Longer than any job backoff: the next drain runs every retry that is due. */
const PAST_BACKOFF_MS = 10 * 60_000;
const LAG_LABELS = { chain_id: String(ANVIL_CHAIN_ID) };
const GARBAGE: GarbageKind[] = ["invalid-json", "html", "wrong-shape", "no-result", "partial"];
let evm: EvmSetup;
let proxy: RpcProxy;
let h: Harness;
let m: MerchantFixture;
let depositorKey: Hex;
/** The node URL's path key (https://mainnet.infura.io/v3/KEY); the proxy ignores the path. */
const PROVIDER_KEY = "c0ffee5ecret4b1d9e7a2f03";

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  proxy = await startRpcProxy(evm.anvil.url);
  // A depositor holding USDT of its own, funded before any payout uses the hot wallet's nonces.
  depositorKey = evm.anvil.keys[1]!;
  const hot = createWalletClient({ account: privateKeyToAccount(evm.hotWalletKey), chain: evm.anvil.chain, transport: http(evm.anvil.url) });
  await untilMined(evm.anvil, await hot.writeContract({ address: evm.token, abi: erc20Abi, functionName: "transfer", args: [privateKeyToAccount(depositorKey).address, 1_000_000_000n] }));
  h = await createHarness({
    env: {
      ...INTENT_RATES_ENV,
      ...evm.env,
      // Everything Rampart reads from the chain goes through the proxy; the test's own reads go to anvil.
      RAMPART_EVM_RPC_URLS: `${proxy.url}/v3/${PROVIDER_KEY}`,
      // Short, so a held answer is given up on quickly (real time: the timeout is the adapter's own),
      // yet far above anvil's slowest honest answer on a loaded 2-core machine (at load 24 a block read
      // through the proxy took over 500 ms and failed a "pass" step).
      RAMPART_EVM_RPC_TIMEOUT_MS: "3000",
      RAMPART_EVM_DEPOSIT_XPUB: HDKey.fromMasterSeed(crypto.getRandomValues(new Uint8Array(32))).publicExtendedKey,
      RAMPART_EVM_DEPOSIT_START_BLOCK: "0",
      RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS: "16",
      // A watcher more than confirmations + 10 blocks behind is "falling behind".
      RAMPART_EVM_DEPOSIT_BLOCKS_PER_RUN: "10",
    },
  });
  m = await createMerchant(h.deps);
  await configureStore(h, m.storeId);
});
afterEach(async () => {
  await proxy.set("pass");
  proxy.release();
  await verifyLedgerClean(h.deps);
  assert.ok(!h.logs.text.includes(PROVIDER_KEY), "the node URL's key is in no log line");
  const errors = await h.deps.database.db.selectFrom("jobs").select("last_error").where("last_error", "is not", null).execute();
  assert.ok(!errors.some((j) => j.last_error!.includes(PROVIDER_KEY)), "the node URL's key is in no job error");
});
after(async () => {
  await h?.close();
  await proxy?.close();
  await evm?.anvil.stop();
});

const intentRow = (id: string) => h.deps.database.db.selectFrom("payment_intents").select(["status", "tx_hash", "crypto_minor"]).where("id", "=", id).executeTakeFirstOrThrow();
const payoutJobs = (id: string) =>
  h.deps.database.db.selectFrom("jobs").select(["kind", "status", "attempts", "last_error"]).where("kind", "in", ["intent.payout", "intent.payout_poll"]).where("payload", "@>", JSON.stringify({ intentId: id }) as never).execute();
const evmPayout = async (id: string) => (await evmPayoutRows(h.deps)).find((p) => p.payout_key === payoutKeyFor(id));

/** Still at status 5 with its payout job waiting to be retried (the error recorded), nothing lost. */
async function assertWaiting(id: string): Promise<void> {
  assert.equal((await intentRow(id)).status, 5, "the intent waits at paid");
  const jobs = await payoutJobs(id);
  const retrying = jobs.filter((j) => j.status === "pending" && j.last_error !== null);
  assert.equal(retrying.length, 1, `one payout job waiting for its retry: ${JSON.stringify(jobs)}`);
  assert.equal(jobs.filter((j) => j.status === "failed").length, 0, "no job given up");
}

/** The node is back: the retries run, the payout is mined and confirmed, and the intent reaches 6. */
async function deliverOnceRecovered(id: string): Promise<string> {
  await proxy.set("pass");
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  const payout = await evmPayout(id);
  assert.ok(payout, "signed once the node answers");
  await untilMined(evm.anvil, payout.current_tx_hash);
  await evm.anvil.mine(CONFIRMATIONS);
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  const row = await intentRow(id);
  assert.equal(row.status, 6);
  return row.tx_hash!;
}

const TRANSFER = getAbiItem({ abi: erc20Abi, name: "Transfer" });

/** The recipient got exactly the intent's amount, in exactly one Transfer, from exactly one signed transaction. */
async function assertPaidOnce(id: string, recipient: Address, txHash: string): Promise<void> {
  const amount = BigInt((await intentRow(id)).crypto_minor);
  assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), amount, "paid exactly the amount");
  const logs = await publicClient(evm.anvil).getLogs({ address: evm.token, event: TRANSFER, args: { to: recipient }, fromBlock: 0n });
  assert.equal(logs.length, 1, "one transfer on chain");
  assert.equal(logs[0]!.transactionHash, txHash);
  assert.equal((await evmPayoutTxs(h.deps, payoutKeyFor(id))).length, 1, "one signed transaction");
  const receipt = await publicClient(evm.anvil).getTransactionReceipt({ hash: txHash as Hex });
  const gas = await h.deps.database.db
    .selectFrom("ledger_entries")
    .innerJoin("ledger_accounts", "ledger_accounts.id", "ledger_entries.account_id")
    .select("ledger_entries.amount")
    .where("ledger_entries.transfer_id", "like", `intent:${id}:network_fee%`)
    .where("ledger_accounts.purpose", "=", "network_fees")
    .execute();
  assert.deepEqual(gas.map((g) => BigInt(g.amount)), [-(receipt.gasUsed * receipt.effectiveGasPrice)], "the gas booked once, to the wei");
}

test("a node refusing connections: the payout is not signed, its job is retried, and once the node is back it is paid once", async () => {
  await proxy.set("refuse");
  const recipient = freshAddress();
  const id = await paidEvmIntent(h, m, recipient);
  await drain(h);
  await assertWaiting(id);
  assert.equal(await evmPayout(id), undefined, "no nonce taken while the node cannot be asked");
  // The error says what failed and where, with the URL's path (its key) hidden.
  const [retrying] = (await payoutJobs(id)).filter((j) => j.last_error !== null);
  assert.match(retrying!.last_error!, /HTTP request failed/);
  assert.ok(retrying!.last_error!.includes(`URL: ${proxy.url}/[redacted]`), retrying!.last_error!);
  assert.ok(!retrying!.last_error!.includes(PROVIDER_KEY));
  assert.ok(h.logs.text.includes(`${proxy.url}/[redacted]`), "the job's error is logged, redacted");
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  await assertWaiting(id);
  await assertPaidOnce(id, recipient, await deliverOnceRecovered(id));
});

test("a node answering 503 while a sent payout is polled: it stays pending and is confirmed once the node is back", async () => {
  const recipient = freshAddress();
  const id = await paidEvmIntent(h, m, recipient);
  await drain(h);
  const sent = await evmPayout(id);
  assert.ok(sent);
  await untilMined(evm.anvil, sent.current_tx_hash);
  await proxy.set("unavailable");
  await evm.anvil.mine(CONFIRMATIONS);
  const before = proxy.seen("eth_blockNumber");
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  assert.ok(proxy.seen("eth_blockNumber") > before, "the poll asked the node");
  await assertWaiting(id);
  assert.equal((await evmPayout(id))?.status, "pending");
  await assertPaidOnce(id, recipient, await deliverOnceRecovered(id));
});

test("a node that takes the transaction but whose answer never comes back in time: pending, then confirmed from the receipt, paid once", async () => {
  await proxy.set("hold", { methods: ["eth_sendRawTransaction"] });
  const recipient = freshAddress();
  const id = await paidEvmIntent(h, m, recipient);
  await drain(h);
  await proxy.untilHeld(1);
  const sent = await evmPayout(id);
  assert.ok(sent, "signed and recorded before the broadcast");
  assert.equal((await intentRow(id)).status, 5);
  // The node did get it (anvil mined it at once); Rampart just never heard so.
  await untilMined(evm.anvil, sent.current_tx_hash);

  // Now every answer is late: the poll gives up on its own timeout and is retried.
  await proxy.set("hold");
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  await proxy.untilHeld(2);
  await assertWaiting(id);
  proxy.release();
  await assertPaidOnce(id, recipient, await deliverOnceRecovered(id));
});

test("a node answering garbage (invalid JSON, an HTML page, wrong JSON-RPC shapes, no result, half a receipt or block): nothing is signed or recorded from it, and each payout is paid once afterwards", async () => {
  const intents: { id: string; recipient: Address }[] = [];
  for (const garbage of GARBAGE) {
    await proxy.set("garbage", { garbage });
    const recipient = freshAddress();
    const id = await paidEvmIntent(h, m, recipient);
    await drain(h);
    await assertWaiting(id);
    assert.equal(await evmPayout(id), undefined, `${garbage}: no nonce taken on a garbage answer`);
    intents.push({ id, recipient });
  }
  // Sent while the node answers well, then polled while only its receipts are garbage: no receipt is
  // taken from garbage (no mined block, no failure), the payouts wait.
  await proxy.set("pass");
  await advanceAndDrain(h, PAST_BACKOFF_MS);
  for (const { id } of intents) await untilMined(evm.anvil, (await evmPayout(id))!.current_tx_hash);
  await evm.anvil.mine(CONFIRMATIONS);
  for (const garbage of GARBAGE) {
    await proxy.set("garbage", { garbage, methods: ["eth_getTransactionReceipt"] });
    await advanceAndDrain(h, PAST_BACKOFF_MS);
    for (const { id } of intents) {
      assert.equal((await intentRow(id)).status, 5, `${garbage}: still paid, not delivered nor failed`);
      const p = await evmPayout(id);
      assert.equal(p?.status, "pending", `${garbage}: the payout is neither confirmed nor failed on a garbage receipt`);
      assert.equal(p?.mined_block_hash, null, `${garbage}: no block recorded from a garbage receipt`);
      assert.equal((await evmPayoutTxs(h.deps, payoutKeyFor(id))).length, 1, `${garbage}: a garbage receipt is not "left its block": nothing replaced`);
    }
  }
  for (const { id, recipient } of intents) await assertPaidOnce(id, recipient, await deliverOnceRecovered(id));
});

test("the deposit watcher credits nothing while the node fails, loses nothing, and never reverses a credit on a garbage answer", async () => {
  const trader = await createTrader(h.deps, "Bad node trader");
  const { address } = await traderDepositAddress(h.deps, trader.traderId);
  const depositor = createWalletClient({ account: privateKeyToAccount(depositorKey), chain: evm.anvil.chain, transport: http(evm.anvil.url) });
  await untilMined(evm.anvil, await depositor.writeContract({ address: evm.token, abi: erc20Abi, functionName: "transfer", args: [address as Address, 25_000_000n] }));
  await evm.anvil.mine(CONFIRMATIONS);

  // RAMPART_EVM_DEPOSIT_START_BLOCK is 0: a run may write that cursor before it reads the chain.
  const cursor = async () => (await h.deps.database.db.selectFrom("evm_deposit_cursors").select("next_block").executeTakeFirst())?.next_block ?? "0";
  const deposits = () => h.deps.database.db.selectFrom("evm_deposits").selectAll().where("trader_id", "=", trader.traderId).execute();
  const free = async () => (await traderDepositBalance(h.deps, trader.traderId)).available;
  const failures: [string, () => Promise<void>][] = [
    ["refused", () => proxy.set("refuse")],
    ["503", () => proxy.set("unavailable")],
    ...GARBAGE.map((garbage): [string, () => Promise<void>] => [garbage, () => proxy.set("garbage", { garbage })]),
    ...GARBAGE.map((garbage): [string, () => Promise<void>] => [`${garbage} blocks only`, () => proxy.set("garbage", { garbage, methods: ["eth_getBlockByNumber"] })]),
    ...GARBAGE.map((garbage): [string, () => Promise<void>] => [`${garbage} logs only`, () => proxy.set("garbage", { garbage, methods: ["eth_getLogs"] })]),
  ];
  /** One watcher run against a failing node: it throws or does nothing; nothing is credited or moved. */
  async function runFailing(label: string, expected: { credited: number }) {
    const before = await cursor();
    const outcome = await watchDeposits(h.deps).then(
      (n) => n,
      () => "threw",
    );
    assert.ok(outcome === "threw" || outcome === 0, `${label}: the run did nothing (${outcome})`);
    assert.deepEqual(await cursor(), before, `${label}: the cursor did not move`);
    const rows = await deposits();
    assert.equal(rows.filter((d) => d.status === "credited").length, expected.credited, `${label}: credits unchanged`);
    assert.equal(rows.filter((d) => d.status !== "credited").length, 0, `${label}: nothing reorged, reversed or parked`);
    assert.equal(await free(), expected.credited ? 25_000_000n : 0n, `${label}: the trader's deposit unchanged`);
  }

  for (const [label, fail] of failures) {
    await fail();
    await runFailing(label, { credited: 0 });
  }
  await proxy.set("hold");
  await runFailing("held", { credited: 0 });
  proxy.release();

  await proxy.set("pass");
  for (let i = 0; i < 20 && (await watchDeposits(h.deps)) > 0; i++);
  const credited = await deposits();
  assert.equal(credited.length, 1);
  assert.equal(credited[0]!.status, "credited");
  assert.equal(await free(), 25_000_000n, "credited once, in full");

  // After the credit, the watcher's fork check reads the stored blocks again: a failing node must not look like a reorg.
  for (const [label, fail] of failures) {
    await fail();
    await runFailing(`${label} after the credit`, { credited: 1 });
  }
  await proxy.set("pass");
  const reversals = await h.deps.database.db.selectFrom("ledger_transfers").select("id").where("code", "=", "trader_chain_deposit_reversal").where("ref_id", "=", trader.traderId).execute();
  assert.equal(reversals.length, 0);
});

test("with a second URL, a node that refuses, answers 503 or answers garbage hands every call to the next: the payout is signed, sent and confirmed meanwhile, once", async () => {
  const config = h.deps.config.ports.evm!;
  // The same hot wallet and nonce store, with anvil itself behind the failing proxy as the second URL.
  const failover = createEvmChain({
    config: { ...config, rpcUrls: [`${proxy.url}/v3/${PROVIDER_KEY}`, evm.anvil.url] },
    store: createEvmPayoutStore(h.deps.database.db, config.chainId),
    clock: h.deps.clock,
    logger: h.deps.logger,
  });
  const failures: [string, () => Promise<void>][] = [
    ["refuse", () => proxy.set("refuse")],
    ["unavailable", () => proxy.set("unavailable")],
    ["garbage", () => proxy.set("garbage", { garbage: "partial" })],
  ];
  for (const [name, fail] of failures) {
    await fail();
    const recipient = freshAddress();
    const payoutKey = `failover_${name}`;
    const seen = proxy.seen("eth_sendRawTransaction");
    const sent = await failover.send({ payoutKey, network: "erc20", asset: "USDT", address: recipient, amountMinor: 1_000_000n });
    assert.equal(sent.kind, "pending", `${name}: ${inspect(sent)}`);
    if (name !== "refuse") assert.equal(proxy.seen("eth_sendRawTransaction"), seen + 1, `${name}: the first URL was asked first`);
    await untilMined(evm.anvil, sent.kind === "pending" ? sent.txHash : "");
    await evm.anvil.mine(CONFIRMATIONS);
    const done = await failover.status(payoutKey);
    assert.equal(done.kind, "confirmed", `${name}: ${inspect(done)}`);
    assert.equal(await tokenBalance(evm.anvil, evm.token, recipient), 1_000_000n, `${name}: paid exactly once`);
    assert.equal((await evmPayoutTxs(h.deps, payoutKey)).length, 1, `${name}: one signed transaction`);
  }
});

test("/readyz, /metrics and the console report the chain's node and the deposit watcher's lag; a degraded chain never fails readiness", async () => {
  const { cookie } = await staffSession(h, "viewer");
  /** Past the 5 s health cache on the test clock. */
  const fresh = () => h.clock.advance(5_000);
  const readyz = async () => {
    const res = await h.app.inject({ method: "GET", url: "/readyz" });
    return { code: res.statusCode, body: res.json() as { status: string; chain: { status: string; node: string; headBlock: string | null; depositWatcher: { lastScannedBlock: string | null; lagBlocks: string | null; behindAboveBlocks: string } } } };
  };
  const overview = async () => (await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } })).body;

  await proxy.set("pass");
  for (let i = 0; i < 50 && (await watchDeposits(h.deps)) > 0; i++);
  fresh();
  const head = await evm.anvil.blockNumber();
  const ok = await readyz();
  assert.equal(ok.code, 200);
  assert.equal(ok.body.status, "ready");
  const lastScanned = BigInt((await h.deps.database.db.selectFrom("evm_deposit_cursors").select("next_block").executeTakeFirstOrThrow()).next_block) - 1n;
  assert.deepEqual(ok.body.chain, {
    status: "ok",
    node: "up",
    headBlock: head.toString(),
    depositWatcher: { lastScannedBlock: lastScanned.toString(), lagBlocks: String(CONFIRMATIONS - 1), behindAboveBlocks: String(CONFIRMATIONS + 10) },
  });
  assert.equal(sample(await scrape(h.app), "rampart_evm_deposit_watcher_lag_blocks", LAG_LABELS), CONFIRMATIONS - 1, "keeping up: confirmations − 1 behind the head");
  const page = await overview();
  assert.match(page, new RegExp(`id="chain-node">answering · block ${head}<`));
  assert.match(page, new RegExp(`id="deposit-watcher-lag">${CONFIRMATIONS - 1} blocks behind<`));

  // The chain moves on while the watcher does not run: the lag grows past confirmations + one run.
  await evm.anvil.mine(30);
  fresh();
  const behind = await readyz();
  assert.equal(behind.code, 200, "a watcher falling behind is reported, not a reason to leave the load balancer");
  assert.equal(behind.body.status, "ready");
  assert.equal(behind.body.chain.status, "degraded");
  assert.equal(behind.body.chain.depositWatcher.lagBlocks, String(CONFIRMATIONS - 1 + 30));
  assert.equal(sample(await scrape(h.app), "rampart_evm_deposit_watcher_lag_blocks", LAG_LABELS), CONFIRMATIONS - 1 + 30);
  assert.match(await overview(), new RegExp(`id="deposit-watcher-lag">${CONFIRMATIONS - 1 + 30} blocks behind · falling behind<`));

  // The node goes away (and with garbage the same): readiness stays, the chain reads as down.
  for (const fail of [() => proxy.set("refuse"), () => proxy.set("garbage", { garbage: "partial" })]) {
    await fail();
    fresh();
    const down = await readyz();
    assert.equal(down.code, 200);
    assert.equal(down.body.status, "ready");
    assert.equal(down.body.chain.status, "degraded");
    assert.equal(down.body.chain.node, "down");
    assert.equal(down.body.chain.headBlock, null);
    assert.equal(down.body.chain.depositWatcher.lagBlocks, null, "no lag without a head");
    const metrics = await scrape(h.app);
    assert.equal([...metrics.keys()].some((k) => k.startsWith("rampart_evm_deposit_watcher_lag_blocks")), false, "no stale lag while the node is down");
    assert.equal(sample(metrics, "rampart_chain_node_up"), 0);
    const page = await overview();
    assert.match(page, /id="chain-node">not answering</);
    assert.ok(!JSON.stringify(down.body).includes(PROVIDER_KEY) && !page.includes(PROVIDER_KEY), "the node URL's key is on neither");
  }

  // Back: the watcher catches up and the chain is ok again.
  await proxy.set("pass");
  for (let i = 0; i < 50 && (await watchDeposits(h.deps)) > 0; i++);
  fresh();
  const again = await readyz();
  assert.equal(again.body.chain.status, "ok");
  assert.equal(again.body.chain.depositWatcher.lagBlocks, String(CONFIRMATIONS - 1));
});
