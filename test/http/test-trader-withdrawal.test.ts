// Test mode (issue 19) in a live installation: a test trader's play money (the operator's top-up, booked
// against the test platform) never leaves as real crypto. Its withdrawal is paid, polled and cancelled on
// the sandbox chain (test ports), never the live one, whose adapter here records and refuses every call;
// the live platform's balances never move. A test trader is given no deposit address either: the sandbox
// chain watches no deposits, so the live chain's source is never asked for one; and the live watcher
// takes no address of a test trader's as a trader's.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import type { Deps } from "../../src/app/deps.js";
import type { ChainDepositSource, ChainPayout } from "../../src/app/ports.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { createTrader } from "../../src/app/trading/traders.js";
import { tradersByAddress } from "../../src/db/chain/evm-deposits.js";
import { LIVE_ENV, createHarness, type Harness } from "../support/harness.js";
import { jsonCall, type Method } from "../support/json-call.js";
import { platformBalances } from "../support/platform-balances.js";
import { drainWorker, useFixedRate, verifyLedgerClean } from "../support/trading.js";
import { advanceAndDrain } from "../support/intents.js";

let h: Harness;
let operatorKey: string;
/** Every call that reached the live chain (payouts or deposit addresses). */
const liveCalls: string[] = [];

/** The live chain records each payout call and address derivation and fails it; it takes deposits, so a live trader could get an address. */
function refuseLiveChain(deps: Deps): void {
  useFixedRate(deps, "100");
  const refuse = (what: string) => () => {
    liveCalls.push(what);
    throw new Error(`live ${what} called`);
  };
  deps.ports.chain = { name: "live-chain", send: refuse("chain.send"), status: refuse("chain.status"), cancel: refuse("chain.cancel") } satisfies ChainPayout;
  deps.ports.chainDeposits = {
    chainId: 1,
    xpub: "xpub-live",
    deriveAddress: refuse("deposits.deriveAddress"),
    // The watcher the worker runs sees an empty chain.
    head: async () => 0n,
    blockHash: async () => null,
    scan: async () => ({ blocks: [], transfers: [] }),
  } satisfies ChainDepositSource;
  (deps.config.ports as { evmDeposits: unknown }).evmDeposits = { xpub: "xpub-live", confirmations: 12, finalityBlocks: 64, blocksPerRun: 100 };
}

before(async () => {
  h = await createHarness({
    env: { ...LIVE_ENV, RAMPART_WITHDRAWAL_COOLING_OFF_HOURS: "0", RAMPART_WITHDRAWAL_FEES: "USDT=1", RAMPART_WITHDRAWAL_APPROVAL_ABOVE: "USDT=1000" },
    tweak: refuseLiveChain,
  });
  operatorKey = await createOperatorKey(h.deps, "test trader withdrawal");
});
after(async () => {
  await h?.close();
});

const admin = (method: Method, url: string, body?: unknown) => jsonCall(h.app, method, `/admin/v1/trading${url}`, { "x-operator-key": operatorKey }, body);

async function toppedUpTestTrader(name: string, reference: string) {
  const made = await admin("POST", "/traders", { name, test: true });
  assert.equal(made.status, 201, made.text);
  const { traderId, traderKey } = made.json as { traderId: string; traderKey: string };
  const topUp = await admin("POST", `/traders/${traderId}/deposit/top-ups`, { amount: "100", reference });
  assert.equal(topUp.status, 201, topUp.text);
  const call = (method: Method, url: string, body?: unknown) => jsonCall(h.app, method, url, { "x-trader-key": traderKey }, body);
  return { traderId, call };
}

test("a test trader's withdrawal is paid on the sandbox chain: the live chain is never called, live platform balances stay put", async () => {
  const { traderId, call } = await toppedUpTestTrader("QA Withdrawer", "play-w1");
  const liveBefore = await platformBalances(h.deps, "platform");
  const added = await call("POST", "/trader/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" });
  assert.equal(added.status, 201, added.text);
  const res = await call("POST", "/trader/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "49" });
  assert.equal(res.status, 201, res.text);
  assert.equal(res.json.status, "approved");

  await drainWorker(h.deps);
  await advanceAndDrain(h, 1000, 5);
  const done = await call("GET", `/trader/v1/withdrawals/${res.json.id}`);
  assert.equal(done.json.status, "confirmed", "the sandbox chain paid it");
  assert.ok(done.json.txHash, "with the sandbox's hash");
  assert.deepEqual(liveCalls, [], "no payout, poll or cancel reached the live chain");
  assert.equal((await traderDepositBalance(h.deps, traderId)).available, 50_000_000n, "100 less 49 and the 1 fee");
  assert.deepEqual(await platformBalances(h.deps, "platform"), liveBefore, "the live platform's accounts did not move");
  await verifyLedgerClean(h.deps);
});

test("the operator's cancel of a test trader's payout asks the sandbox chain, which cannot cancel, not the live one", async () => {
  const { call } = await toppedUpTestTrader("QA Canceller", "play-w2");
  const added = await call("POST", "/trader/v1/withdrawal-addresses", { network: "trc20", address: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t" });
  const res = await call("POST", "/trader/v1/withdrawals", { addressId: added.json.id, asset: "USDT", amount: "10" });
  assert.equal(res.status, 201, res.text);
  await drainWorker(h.deps);
  assert.equal((await call("GET", `/trader/v1/withdrawals/${res.json.id}`)).json.status, "sent", "sent on the sandbox chain, not yet confirmed");
  const cancel = await jsonCall(h.app, "POST", `/admin/v1/withdrawals/${res.json.id}/cancel`, { "x-operator-key": operatorKey });
  assert.equal(cancel.status, 409, cancel.text);
  assert.equal(cancel.json.error, "withdrawal_cancel_unsupported", "the live chain's cancel is not the one that would replace this payout");
  await advanceAndDrain(h, 1000, 5);
  assert.equal((await call("GET", `/trader/v1/withdrawals/${res.json.id}`)).json.status, "confirmed");
  assert.deepEqual(liveCalls, []);
  await verifyLedgerClean(h.deps);
});

test("a test trader gets no deposit address (the sandbox chain takes no deposits) and the live chain's source is never asked", async () => {
  const { call } = await toppedUpTestTrader("QA Depositor", "play-d1");
  const r = await call("GET", "/trader/v1/deposit/address");
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.error, "deposit_address_unavailable");
  assert.deepEqual(liveCalls, [], "no live deposit address was derived for play money");
  assert.equal(await h.deps.database.db.selectFrom("evm_deposit_addresses").select("address").executeTakeFirst(), undefined, "none allocated");
});

test("the live deposit watcher never takes an address held by a test trader as a trader's (so never credits play money)", async () => {
  const db = h.deps.database.db;
  const liveTrader = await createTrader(h.deps, "Live Depositor");
  const { traderId: testTrader } = await toppedUpTestTrader("QA Old Address", "play-d2");
  // As an address handed out before test traders were refused one.
  await db.insertInto("evm_deposit_keys").values({ xpub: "xpub-old", next_index: 2 }).execute();
  const now = h.deps.clock.now();
  await db
    .insertInto("evm_deposit_addresses")
    .values([
      { xpub: "xpub-old", trader_id: liveTrader.traderId, child_index: 0, address: "0x" + "1".repeat(40), created_at: now },
      { xpub: "xpub-old", trader_id: testTrader, child_index: 1, address: "0x" + "2".repeat(40), created_at: now },
    ])
    .execute();
  const owners = await tradersByAddress(db, ["0x" + "1".repeat(40), "0x" + "2".repeat(40)]);
  assert.deepEqual([...owners], [["0x" + "1".repeat(40), liveTrader.traderId]]);
});
