// The worker process of the payout crash tests (test/processes/*-payout-crash.test.ts, started through
// payout-worker.ts): deps against the PostgreSQL URL in argv[2] and the data dir argv[3] (where the
// sandbox chain keeps its ledger file, shared with the test), the full worker task list. The chain is
// the sandbox one, or the EVM one when the test passes RAMPART_CHAIN=evm and its RAMPART_EVM_* settings.
// RAMPART_TEST_HANG_AT stops the payout right there (prints "hang:<where>" and never returns), so the
// test can SIGKILL the process at that exact point:
//  - before_send: the payout key is recorded, nothing has reached the chain;
//  - after_sign (EVM): the transaction is signed and recorded, not yet broadcast;
//  - after_send: the chain accepted the send, Rampart has not recorded its answer.
import { createEvmChain } from "../../src/adapters/chain/evm/evm-chain.js";
import { loadConfig } from "../../src/config/config.js";
import { createEvmPayoutStore } from "../../src/db/chain/evm-payouts.js";
import { buildDeps } from "../../src/main/deps.js";
import { startWorker } from "../../src/main/worker.js";
import { TEST_SECRET_KEY } from "./harness.js";

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error("usage: payout-worker-process.ts <postgres-url> <data-dir>");
const chainEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "RAMPART_CHAIN" || k.startsWith("RAMPART_EVM_")));
const config = loadConfig({
  ...chainEnv,
  DATABASE_URL: url,
  RAMPART_DATA_DIR: dataDir,
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1",
  RAMPART_POLL_INTERVAL_MS: "50",
  RAMPART_DB_POOL_SIZE: "4",
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.92",
  LOG_LEVEL: "warn",
});
const deps = await buildDeps(config);
const hangAt = process.env.RAMPART_TEST_HANG_AT;
const hang = (where: string) => {
  process.stdout.write(`hang:${where}\n`);
  return new Promise<never>(() => {});
};
const evm = config.ports.evm;
if (hangAt === "after_sign" && !evm) throw new Error("after_sign needs RAMPART_CHAIN=evm");
// The EVM chain's hook between signing and broadcast is an option of the adapter, so that hang builds
// its own; every other hang wraps the chain port the deps built.
const chain =
  hangAt === "after_sign" && evm
    ? createEvmChain({ config: evm, store: createEvmPayoutStore(deps.database.db, evm.chainId), clock: deps.clock, logger: deps.logger, beforeBroadcast: () => hang("after_sign") })
    : deps.ports.chain;
deps.ports.chain =
  hangAt === "before_send" || hangAt === "after_send"
    ? {
        name: chain.name,
        status: (key) => chain.status(key),
        async send(req) {
          if (hangAt === "before_send") return hang("before_send");
          await chain.send(req);
          return hang("after_send");
        },
      }
    : chain;
const worker = startWorker(deps);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker.stop().then(() => deps.database.close()).then(() => process.exit(0));
});
