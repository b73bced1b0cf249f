// Payouts per second from one hot wallet to anvil (automine, 1 confirmation) through the chain part of
// the payout path, against anvil's own raw eth_sendRawTransaction rate in the same run (issue 15):
//   payouts: N jobs enqueued at once in the jobs table; W dispatchers (runDueJobs, as W worker
//            processes would, SKIP LOCKED) each run a job as the payout job does — ask the chain by key,
//            send if unknown (nonce under the sender's row lock, sign, record, broadcast), then poll
//            until the receipt is 1 deep (confirmed) — until every payout is confirmed;
//   raw:     N ERC-20 transfers of the same token pre-signed with viem from W other funded accounts
//            (nonces 0..N/W−1 each), sent by W senders, one account each, until all are mined.
// The ratio is payouts/s over raw tx/s: what the nonce manager, the database and the adapter's reads
// cost on top of the node. Not measured here: the intent's ledger hold and settle (bench/ledger-transfers.ts).
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/evm-payouts.ts [--payouts 200] [--workers 4]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { type Hex, createWalletClient, encodeFunctionData, erc20Abi, http } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import type { EvmChain } from "../src/adapters/chain/evm/evm-chain.js";
import type { JobHandlerTable } from "../src/app/outbox/outbox.js";
import { runDueJobs } from "../src/app/outbox/run-jobs.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { ANVIL_CHAIN_ID, deployTestToken, publicClient, startAnvil } from "../test/support/anvil.js";
import { freshAddress } from "../test/support/evm.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchDeps } from "./support/bench-deps.js";
import { loadAverage } from "./support/ceiling.js";

const { values } = parseArgs({ options: { payouts: { type: "string", default: "200" }, workers: { type: "string", default: "4" } } });
const N = Number(values.payouts);
const W = Number(values.workers);
if (!(W >= 1 && W <= 9) || N % W !== 0) throw new Error("--workers 1..9 (anvil funds 10 accounts, one is the hot wallet), --payouts a multiple of --workers");
const AMOUNT = 1_000_000n;
const JOB_KIND = "bench.evm_payout";

const anvil = await startAnvil();
const name = `rampart_bench_${randomBytes(4).toString("hex")}`;
await admin(`CREATE DATABASE ${name}`);
const database = connectPostgres({ url: urlFor(name), poolSize: W + 2 });

try {
  const hotKey = anvil.keys[0]!;
  const token = await deployTestToken(anvil, hotKey, 10n ** 15n);
  const client = publicClient(anvil);
  await migrate(database);
  const deps = await benchDeps(database, {
    RAMPART_SECRET_KEY: randomBytes(32).toString("hex"),
    RAMPART_CHAIN: "evm",
    RAMPART_EVM_RPC_URLS: anvil.url,
    RAMPART_EVM_CHAIN_ID: String(ANVIL_CHAIN_ID),
    RAMPART_EVM_CONFIRMATIONS: "1",
    RAMPART_EVM_TOKENS: `USDT=${token}`,
    RAMPART_EVM_HOT_WALLET_KEY: hotKey,
  });
  const chain = deps.ports.chain as EvmChain;

  // The raw senders' tokens come from the hot wallet before either phase (its nonce moves on here).
  const hot = createWalletClient({ account: privateKeyToAccount(hotKey), chain: anvil.chain, transport: http(anvil.url) });
  const senders = anvil.keys.slice(1, W + 1).map((k) => privateKeyToAccount(k));
  for (const s of senders) {
    await client.waitForTransactionReceipt({ hash: await hot.writeContract({ address: token, abi: erc20Abi, functionName: "transfer", args: [s.address, 10n ** 12n] }), pollingInterval: 20 });
  }

  // Raw: pre-signed, so the phase times only the node.
  const gasPrice = (await client.getBlock()).baseFeePerGas! * 2n + 1_000_000_000n;
  const signed: Hex[][] = await Promise.all(
    senders.map(async (s) => {
      const txs: Hex[] = [];
      for (let nonce = 0; nonce < N / W; nonce++) {
        txs.push(
          await s.signTransaction({
            type: "eip1559",
            chainId: ANVIL_CHAIN_ID,
            nonce,
            to: token,
            data: encodeFunctionData({ abi: erc20Abi, functionName: "transfer", args: [freshAddress(), AMOUNT] }),
            gas: 100_000n,
            maxFeePerGas: gasPrice,
            maxPriorityFeePerGas: 1_000_000_000n,
          }),
        );
      }
      return txs;
    }),
  );
  const rawStart = performance.now();
  const lastHashes = await Promise.all(
    signed.map(async (txs) => {
      let last: Hex = "0x";
      for (const raw of txs) last = await client.sendRawTransaction({ serializedTransaction: raw });
      return last;
    }),
  );
  for (const h of lastHashes) await client.waitForTransactionReceipt({ hash: h, pollingInterval: 5 });
  const rawSeconds = (performance.now() - rawStart) / 1000;
  const rawRate = N / rawSeconds;
  console.log(`raw eth_sendRawTransaction, ${W} senders: ${N} transfers mined in ${rawSeconds.toFixed(2)} s, ${rawRate.toFixed(0)} tx/s`);

  // Payouts: the jobs table, W dispatchers, the EVM adapter with its nonce manager.
  const handlers: JobHandlerTable<{ [JOB_KIND]: { key: string; to: string } }> = {
    [JOB_KIND]: async (d, job) => {
      const { key, to } = job.payload;
      let st = await chain.status(key);
      if (st.kind === "unknown") st = await chain.send({ payoutKey: key, network: "erc20", asset: "USDT", address: to, amountMinor: AMOUNT });
      if (st.kind === "confirmed") return { kind: "done" };
      if (st.kind === "failed") return { kind: "failed", error: st.reason };
      return { kind: "retry", at: d.clock.now(), error: "not yet confirmed" };
    },
  };
  const start = performance.now();
  await database.db
    .insertInto("jobs")
    .values(Array.from({ length: N }, (_, i) => ({ id: crypto.randomUUID(), kind: JOB_KIND, key: `${JOB_KIND}:${i}`, payload: JSON.stringify({ key: `bench_${i}`, to: freshAddress() }), due_at: new Date() })))
    .execute();
  const open = async () => Number((await database.db.selectFrom("jobs").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "pending").executeTakeFirstOrThrow()).n);
  await Promise.all(
    Array.from({ length: W }, async (_, w) => {
      while ((await runDueJobs(deps, handlers, `bench-${w}`)) > 0 || (await open()) > 0);
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const rate = N / seconds;
  const confirmed = Number((await database.db.selectFrom("evm_payouts").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "confirmed").executeTakeFirstOrThrow()).n);
  const failed = await database.db.selectFrom("jobs").select(["key", "last_error"]).where("status", "=", "failed").execute();
  if (confirmed !== N || failed.length > 0) throw new Error(`${confirmed} of ${N} payouts confirmed; failed jobs: ${JSON.stringify(failed.slice(0, 3))}`);
  console.log(`payouts, ${W} dispatchers: ${N} confirmed in ${seconds.toFixed(2)} s, ${rate.toFixed(0)} payouts/s; load average ${loadAverage()}`);
  console.log(`evm-payouts c=${W}: ${rate.toFixed(1)} payouts/s, raw ${rawRate.toFixed(0)} tx/s, ratio ${((100 * rate) / rawRate).toFixed(1)} %`);
} finally {
  await database.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await anvil.stop();
}
