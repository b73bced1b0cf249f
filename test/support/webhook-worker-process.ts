// A worker process for multi-process tests and benchmarks: builds deps against the PostgreSQL URL given
// as argv[2] and runs the webhook delivery task until killed. Prints "ready" once polling.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../src/config/config.js";
import { deliverWebhooksTask } from "../../src/jobs/deliver-webhooks.js";
import { buildDeps } from "../../src/main/deps.js";
import { startWorker } from "../../src/main/worker.js";
import { TEST_SECRET_KEY } from "./harness.js";

const url = process.argv[2];
if (!url) throw new Error("usage: webhook-worker-process.ts <postgres-url>");
const config = loadConfig({
  DATABASE_URL: url,
  RAMPART_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rampart-worker-")),
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1",
  RAMPART_POLL_INTERVAL_MS: process.env.RAMPART_POLL_INTERVAL_MS ?? "50",
  RAMPART_WEBHOOK_TIMEOUT_MS: process.env.RAMPART_WEBHOOK_TIMEOUT_MS ?? "2000",
  RAMPART_DB_POOL_SIZE: "5",
  LOG_LEVEL: "warn",
});
const deps = await buildDeps(config);
const worker = startWorker(deps, [deliverWebhooksTask]);
process.stdout.write("ready\n");
process.on("SIGTERM", () => {
  void worker.stop().then(() => deps.database.close()).then(() => process.exit(0));
});
