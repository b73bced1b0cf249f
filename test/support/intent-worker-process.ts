// A worker process for the payout crash test: deps against the PostgreSQL URL in argv[2], the sandbox
// chain's ledger file in the data dir argv[3] (shared with the test), the full worker task list.
// With RAMPART_TEST_HANG_AT=before_send or after_send the chain port stops right there (prints
// "hang:<where>" and never returns), so the test can SIGKILL the process at that exact point.
import { loadConfig } from "../../src/config/config.js";
import { buildDeps } from "../../src/main/deps.js";
import { startWorker } from "../../src/main/worker.js";
import { TEST_SECRET_KEY } from "./harness.js";

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error("usage: intent-worker-process.ts <postgres-url> <data-dir>");
const config = loadConfig({
  DATABASE_URL: url,
  RAMPART_DATA_DIR: dataDir,
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1",
  RAMPART_POLL_INTERVAL_MS: "50",
  RAMPART_DB_POOL_SIZE: "4",
  RAMPART_SANDBOX_CHAIN_CONFIRMATIONS: "3",
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.92",
  LOG_LEVEL: "warn",
});
const deps = await buildDeps(config);
const hangAt = process.env.RAMPART_TEST_HANG_AT;
if (hangAt) {
  const chain = deps.ports.chain;
  const hang = (where: string) => {
    process.stdout.write(`hang:${where}\n`);
    return new Promise<never>(() => {});
  };
  deps.ports.chain = {
    name: chain.name,
    status: (key) => chain.status(key),
    async send(req) {
      if (hangAt === "before_send") return hang("before_send");
      await chain.send(req);
      return hang("after_send");
    },
  };
}
const worker = startWorker(deps);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker.stop().then(() => deps.database.close()).then(() => process.exit(0));
});
