// A worker process for the EVM payout crash test: deps against the PostgreSQL URL in argv[2], the EVM
// chain configured by the RAMPART_CHAIN / RAMPART_EVM_* variables the test passes, the full worker task list.
// RAMPART_TEST_HANG_AT stops the payout right there (prints "hang:<where>" and never returns), so the
// test can SIGKILL the process at that exact point:
//  - after_sign: the transaction is signed and recorded, not yet broadcast;
//  - after_send: the node accepted it, Rampart has not recorded the chain's answer.
import { createEvmChain } from "../../src/adapters/chain/evm/evm-chain.js";
import { loadConfig } from "../../src/config/config.js";
import { createEvmPayoutStore } from "../../src/db/chain/evm-payouts.js";
import { buildDeps } from "../../src/main/deps.js";
import { startWorker } from "../../src/main/worker.js";
import { TEST_SECRET_KEY } from "./harness.js";

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error("usage: evm-worker-process.ts <postgres-url> <data-dir>");
const evmEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k === "RAMPART_CHAIN" || k.startsWith("RAMPART_EVM_")));
const config = loadConfig({
  ...evmEnv,
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
const evm = config.ports.evm!;
const chain = createEvmChain({
  config: evm,
  store: createEvmPayoutStore(deps.database.db, evm.chainId),
  clock: deps.clock,
  logger: deps.logger,
  ...(hangAt === "after_sign" ? { beforeBroadcast: () => hang("after_sign") } : {}),
});
deps.ports.chain =
  hangAt === "after_send"
    ? {
        name: chain.name,
        status: (key) => chain.status(key),
        async send(req) {
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
