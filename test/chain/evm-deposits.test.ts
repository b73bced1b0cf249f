// Trader deposits on a real anvil with the test USDT: addresses derived from an extended public key
// (allocated once under concurrency), a deposit credited once at the confirmation depth and then
// backing a trading pay-in, two watchers at once, a restart that resumes from the cursor, and a reorg
// that takes a credited deposit away (reversed) and brings it back (credited again). The ledger
// verifies after each test.
import assert from "node:assert/strict";
import { afterEach, after, before, test } from "node:test";
import { HDKey } from "@scure/bip32";
import { type Address, type Hex, createWalletClient, encodeFunctionData, erc20Abi, http, parseEther } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { createEvmDepositSource } from "../../src/adapters/chain/evm/deposit-source.js";
import type { Deps } from "../../src/app/deps.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import type { ChainDepositSource } from "../../src/app/ports.js";
import { traderDepositAddress } from "../../src/app/trading/deposit-address.js";
import { watchDeposits } from "../../src/app/trading/deposit-watcher.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { ANVIL_CHAIN_ID, type Anvil, publicClient, tokenBalance } from "../support/anvil.js";
import { type EvmSetup, startEvm, untilMined } from "../support/evm.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { createPayinOverHttp, drainWorker, setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const CONFIRMATIONS = 2;
const USDT = (n: number) => BigInt(Math.round(n * 1_000_000));
let evm: EvmSetup;
let h: Harness;
let fx: TradingFixture;
let root: HDKey;

before(async () => {
  evm = await startEvm({ confirmations: CONFIRMATIONS });
  root = HDKey.fromMasterSeed(crypto.getRandomValues(new Uint8Array(32)));
  h = await createHarness({
    env: { ...evm.env, RAMPART_EVM_DEPOSIT_XPUB: root.publicExtendedKey, RAMPART_EVM_DEPOSIT_START_BLOCK: "0", RAMPART_EVM_DEPOSIT_FINALITY_BLOCKS: "16" },
  });
  useFixedRate(h.deps, "90");
  fx = await setupTrading(h.deps, { traders: 0 });
});
afterEach(async () => {
  await verifyLedgerClean(h.deps);
});
after(async () => {
  await h?.close();
  await evm?.anvil.stop();
});

/** A new trader with one card requisite and no deposit at all. */
async function newTrader(): Promise<{ traderId: string; traderKey: string }> {
  const t = await createTrader(h.deps, "Chain trader");
  await createRequisite(h.deps, { traderId: t.traderId, bank: "SBER", method: "card", ownerName: "Owner", number: `2202200${String(Date.now() % 1e9).padStart(9, "0")}`, maxOpenPayins: 5 });
  return t;
}

/** Signs a USDT transfer from the hot wallet (the test's depositor) and sends it; returns its hash and raw bytes. */
async function sendUsdt(anvil: Anvil, to: string, amount: bigint): Promise<{ hash: Hex; raw: Hex }> {
  const wallet = createWalletClient({ account: privateKeyToAccount(evm.hotWalletKey), chain: anvil.chain, transport: http(anvil.url) });
  const request = await wallet.prepareTransactionRequest({ to: evm.token, data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [to as Address, amount] }) });
  const raw = await wallet.signTransaction(request);
  const hash = await publicClient(anvil).sendRawTransaction({ serializedTransaction: raw });
  await untilMined(anvil, hash);
  return { hash, raw };
}

/** Runs the watcher until a run finds nothing to do (bounded). */
async function watchUntilIdle(deps: Deps = h.deps): Promise<void> {
  for (let i = 0; i < 20; i++) if ((await watchDeposits(deps)) === 0) return;
  throw new Error("the deposit watcher did not go idle");
}

const freeDeposit = async (traderId: string) => (await traderDepositBalance(h.deps, traderId)).available;
const depositRows = (traderId: string) => h.deps.database.db.selectFrom("evm_deposits").selectAll().where("trader_id", "=", traderId).orderBy("created_at").execute();
const transfersOf = (code: string, traderId: string) =>
  h.deps.database.db.selectFrom("ledger_transfers").select("id").where("code", "=", code).where("ref_id", "=", traderId).execute();
const depositMetric = async (event: string) =>
  ((await h.deps.metrics.registry.getSingleMetric("rampart_chain_deposits_total")!.get()).values.find((v) => v.labels.event === event)?.value ?? 0);
const cursor = async () => BigInt((await h.deps.database.db.selectFrom("evm_deposit_cursors").select("next_block").executeTakeFirstOrThrow()).next_block);

test("each trader gets its own address derived from the xpub, allocated once even when asked for at once", async () => {
  const a = await newTrader();
  const b = await newTrader();
  const answers = await Promise.all([...Array.from({ length: 8 }, () => traderDepositAddress(h.deps, a.traderId)), ...Array.from({ length: 8 }, () => traderDepositAddress(h.deps, b.traderId))]);
  const ofA = new Set(answers.slice(0, 8).map((x) => x.address));
  const ofB = new Set(answers.slice(8).map((x) => x.address));
  assert.equal(ofA.size, 1, "one address for trader A");
  assert.equal(ofB.size, 1, "one address for trader B");
  assert.notEqual([...ofA][0], [...ofB][0]);
  const rows = await h.deps.database.db.selectFrom("evm_deposit_addresses").selectAll().where("trader_id", "in", [a.traderId, b.traderId]).execute();
  assert.equal(rows.length, 2);
  for (const r of rows) {
    // The private key of the same child (which only the wallet's owner holds) controls the address.
    const owner = privateKeyToAccount(`0x${Buffer.from(root.deriveChild(r.child_index).privateKey!).toString("hex")}`).address;
    assert.equal(r.trader_id === a.traderId ? [...ofA][0] : [...ofB][0], owner);
  }
  assert.deepEqual(rows.map((r) => r.child_index).sort(), [0, 1], "consecutive child indexes, no gap");

  // The trader reads its own address; the operator reads any trader's; nobody else reads one.
  const own = await jsonCall(h.app, "GET", "/trader/v1/deposit/address", { "x-trader-key": a.traderKey });
  assert.equal(own.status, 200, own.text);
  assert.deepEqual(own.json, { address: [...ofA][0], chainId: ANVIL_CHAIN_ID, asset: "USDT", confirmations: CONFIRMATIONS });
  assert.equal((await jsonCall(h.app, "GET", "/trader/v1/deposit/address", {})).status, 401);
  const operatorKey = await createOperatorKey(h.deps);
  const byOperator = await jsonCall(h.app, "GET", `/admin/v1/trading/traders/${b.traderId}/deposit/address`, { "x-operator-key": operatorKey });
  assert.equal(byOperator.json.address, [...ofB][0]);
  const unknown = await jsonCall(h.app, "GET", "/admin/v1/trading/traders/trd_nobody/deposit/address", { "x-operator-key": operatorKey });
  assert.equal(unknown.status, 404);
  // The cabinet's deposit section shows it too.
  const form = { "content-type": "application/x-www-form-urlencoded" };
  const login = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: form, payload: new URLSearchParams({ key: a.traderKey }).toString() });
  assert.equal(login.statusCode, 303);
  const page = await h.app.inject({ method: "GET", url: "/cabinet", headers: { cookie: String(login.headers["set-cookie"]).split(";")[0]! } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`<p class="mono wrap" id="deposit-address">${[...ofA][0]}</p>`));
  assert.match(page.body, new RegExp(`after ${CONFIRMATIONS} confirmations`));
  // A platform without an xpub gives no address.
  await assert.rejects(traderDepositAddress({ ...h.deps, ports: { ...h.deps.ports, chainDeposits: null } }, a.traderId), (e: Error & { code?: string }) => e.code === "deposit_address_unavailable");
});

test("a deposit is credited once at the confirmation depth and backs a trading pay-in; ETH to the address is parked", async () => {
  const t = await newTrader();
  const { address } = await traderDepositAddress(h.deps, t.traderId);
  const refused = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: 900 }),
  });
  assert.equal(refused.statusCode, 403, "no trader has a free deposit yet");
  assert.equal(refused.json().code, "no_requisite_available");

  const sent = await sendUsdt(evm.anvil, address, USDT(25));
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), 0n, "one confirmation is not enough");
  assert.equal((await depositRows(t.traderId)).length, 0);

  await evm.anvil.mine(CONFIRMATIONS - 1);
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), USDT(25));
  const [row] = await depositRows(t.traderId);
  assert.equal(row?.status, "credited");
  assert.equal(row?.tx_hash, sent.hash);
  assert.equal(row?.amount_base, String(USDT(25)));

  // Watching again, and two runs at once, credit nothing more.
  await evm.anvil.mine(3);
  await Promise.all([watchUntilIdle(), watchUntilIdle()]);
  assert.equal(await freeDeposit(t.traderId), USDT(25));
  assert.equal((await transfersOf("trader_chain_deposit", t.traderId)).length, 1);

  // 900 RUB at 90 RUB/USDT holds 10 USDT of the deposit that came in on chain.
  const payin = await createPayinOverHttp(h.app, fx.merchant.apiKey, 900);
  assert.equal(payin.status, "active");
  const balance = await traderDepositBalance(h.deps, t.traderId);
  assert.equal(balance.available, USDT(15));
  assert.equal(balance.pendingDebits, USDT(10));

  // Native ETH is seen and recorded, but the trader deposit holds USDT only: parked, not credited.
  const wallet = createWalletClient({ account: privateKeyToAccount(evm.anvil.keys[1]!), chain: evm.anvil.chain, transport: http(evm.anvil.url) });
  await untilMined(evm.anvil, await wallet.sendTransaction({ to: address as Address, value: parseEther("1") }));
  await evm.anvil.mine(CONFIRMATIONS);
  await watchUntilIdle();
  const eth = (await depositRows(t.traderId)).find((r) => r.asset === "ETH");
  assert.equal(eth?.status, "parked");
  assert.equal(eth?.log_index, -1);
  assert.equal(eth?.amount_base, parseEther("1").toString());
  assert.equal((await traderDepositBalance(h.deps, t.traderId)).available, USDT(15));

  const listed = await jsonCall(h.app, "GET", "/trader/v1/deposit/chain-deposits", { "x-trader-key": t.traderKey });
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(
    (listed.json.items as { asset: string; amount: string; status: string }[]).map((d) => [d.asset, d.amount, d.status]),
    [["ETH", "1", "parked"], ["USDT", "25", "credited"]],
  );
});

test("two watchers at once credit a deposit once; a restarted watcher resumes from its cursor", async () => {
  const t = await newTrader();
  const { address } = await traderDepositAddress(h.deps, t.traderId);
  await sendUsdt(evm.anvil, address, USDT(3));
  await evm.anvil.mine(CONFIRMATIONS);
  const other: Deps = { ...h.deps, ports: { ...h.deps.ports, chainDeposits: createEvmDepositSource(h.deps.config.ports.evm!, h.deps.config.ports.evmDeposits!) } };
  await Promise.all([watchUntilIdle(), watchUntilIdle(other)]);
  assert.equal(await freeDeposit(t.traderId), USDT(3));
  assert.equal((await transfersOf("trader_chain_deposit", t.traderId)).length, 1);

  // The watcher is down while a deposit comes in; a new one (nothing in memory) starts from the cursor.
  const resumeAt = await cursor();
  await sendUsdt(evm.anvil, address, USDT(4));
  await evm.anvil.mine(CONFIRMATIONS);
  const fresh = createEvmDepositSource(h.deps.config.ports.evm!, h.deps.config.ports.evmDeposits!);
  const ranges: [bigint, bigint][] = [];
  const recording: ChainDepositSource = { ...fresh, scan: (from, to) => (ranges.push([from, to]), fresh.scan(from, to)) };
  await watchUntilIdle({ ...h.deps, ports: { ...h.deps.ports, chainDeposits: recording } });
  assert.equal(ranges[0]?.[0], resumeAt, "the first range starts at the stored cursor");
  assert.equal(await freeDeposit(t.traderId), USDT(7));
  assert.equal((await transfersOf("trader_chain_deposit", t.traderId)).length, 2);
  assert.equal(await cursor(), (await evm.anvil.blockNumber()) - BigInt(CONFIRMATIONS) + 2n, "the cursor is past the confirmed head");
});

test("a reorg that drops a credited, not yet final deposit reverses it; mined again, it is credited again", async () => {
  const t = await newTrader();
  const { address } = await traderDepositAddress(h.deps, t.traderId);
  const sent = await sendUsdt(evm.anvil, address, USDT(7));
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), USDT(7), "credited at the confirmation depth");
  const before = (await depositRows(t.traderId))[0]!;

  const creditedBefore = await depositMetric("credited");
  const reversedBefore = await depositMetric("reversed");

  // The deposit's block and the one on top of it are replaced by empty blocks.
  await evm.anvil.rpc("anvil_reorg", [CONFIRMATIONS, []]);
  assert.equal(await tokenBalance(evm.anvil, evm.token, address as Address), 0n, "the reorg took the transfer away");
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), 0n, "the credit is reversed");
  assert.equal((await depositRows(t.traderId))[0]?.status, "reorged");
  assert.equal((await transfersOf("trader_chain_deposit_reversal", t.traderId)).length, 1);

  // The same signed transaction is mined again, in a new block.
  await publicClient(evm.anvil).sendRawTransaction({ serializedTransaction: sent.raw });
  await untilMined(evm.anvil, sent.hash);
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), USDT(7), "credited again, once");
  const rows = await depositRows(t.traderId);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.status, "credited");
  assert.equal(rows[0]?.credits, 2);
  assert.notEqual(rows[0]?.block_hash, before.block_hash);
  assert.equal((await transfersOf("trader_chain_deposit", t.traderId)).length, 2);
  assert.equal(await tokenBalance(evm.anvil, evm.token, address as Address), USDT(7));
  assert.equal(await depositMetric("reversed"), reversedBefore + 1);
  assert.equal(await depositMetric("credited"), creditedBefore + 1);
});

test("a reorged deposit already held by a pay-in waits for its reversal until the hold is released", async () => {
  const t = await newTrader();
  const { address } = await traderDepositAddress(h.deps, t.traderId);
  await sendUsdt(evm.anvil, address, USDT(20));
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await watchUntilIdle();
  // 1800 RUB = 20 USDT: only this trader's free deposit covers it.
  await createPayinOverHttp(h.app, fx.merchant.apiKey, 1800);
  assert.equal((await traderDepositBalance(h.deps, t.traderId)).pendingDebits, USDT(20));

  await evm.anvil.rpc("anvil_reorg", [CONFIRMATIONS, []]);
  await watchUntilIdle();
  assert.equal((await depositRows(t.traderId))[0]?.status, "reversal_due", "nothing free to take back yet");
  assert.equal((await transfersOf("trader_chain_deposit_reversal", t.traderId)).length, 0);

  // The pay-in expires unpaid: its hold is released and the next run takes the deposit back.
  h.clock.advance(24 * 3600_000);
  await drainWorker(h.deps);
  await watchUntilIdle();
  assert.equal((await depositRows(t.traderId))[0]?.status, "reorged");
  const balance = await traderDepositBalance(h.deps, t.traderId);
  assert.equal(balance.available, 0n);
  assert.equal(balance.pendingDebits, 0n);
  assert.equal((await transfersOf("trader_chain_deposit_reversal", t.traderId)).length, 1);
});

test("a node below the scanned height is waited for, not taken for a reorg; once past it, the replaced blocks are", async () => {
  const t = await newTrader();
  const { address } = await traderDepositAddress(h.deps, t.traderId);
  const snapshot = await evm.anvil.rpc<string>("evm_snapshot");
  await sendUsdt(evm.anvil, address, USDT(5));
  await evm.anvil.mine(CONFIRMATIONS - 1);
  await watchUntilIdle();
  assert.equal(await freeDeposit(t.traderId), USDT(5));

  // The node goes back to before the deposit: it has no block at the scanned heights yet.
  await evm.anvil.rpc("evm_revert", [snapshot]);
  await watchUntilIdle();
  assert.equal((await depositRows(t.traderId))[0]?.status, "credited", "nothing reversed on a node that is merely behind");
  assert.equal(await freeDeposit(t.traderId), USDT(5));

  // It grows past them with other blocks: now that is a reorg, and the credit is reversed.
  await evm.anvil.mine(CONFIRMATIONS + 1);
  await watchUntilIdle();
  assert.equal((await depositRows(t.traderId))[0]?.status, "reorged");
  assert.equal(await freeDeposit(t.traderId), 0n);
});
