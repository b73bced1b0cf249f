// A worker process for multi-process tests and benchmarks: builds deps against the PostgreSQL URL given
// as argv[2] and runs, until killed, the production tasks named in argv[3] (comma-separated task names,
// src/jobs/tasks.ts; default: the webhook delivery task). Prints "ready <worker id>" once polling: the id
// its claims are leased under (locked_by).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { WORKER_ID } from "../../src/app/outbox/worker-id.js";
import { loadConfig } from "../../src/config/config.js";
import { workerTasks } from "../../src/jobs/tasks.js";
import { buildDeps } from "../../src/main/deps.js";
import { jobHandlers } from "../../src/main/job-handlers.js";
import { startWorker } from "../../src/main/worker.js";
import { TEST_SECRET_KEY } from "./harness.js";

const [url, names = "deliver-webhooks"] = process.argv.slice(2);
if (!url) throw new Error("usage: worker-process.ts <postgres-url> [task,task,...]");
const all = workerTasks(jobHandlers);
const tasks = names.split(",").map((name) => {
  const task = all.find((t) => t.name === name);
  if (!task) throw new Error(`no worker task named ${name} (known: ${all.map((t) => t.name).join(", ")})`);
  return task;
});
const config = loadConfig({
  DATABASE_URL: url,
  RAMPART_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rampart-worker-")),
  RAMPART_SECRET_KEY: process.env.RAMPART_SECRET_KEY ?? TEST_SECRET_KEY,
  RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1",
  RAMPART_POLL_INTERVAL_MS: process.env.RAMPART_POLL_INTERVAL_MS ?? "50",
  RAMPART_WEBHOOK_TIMEOUT_MS: process.env.RAMPART_WEBHOOK_TIMEOUT_MS ?? "2000",
  RAMPART_DB_POOL_SIZE: "5",
  LOG_LEVEL: "warn",
});
const deps = await buildDeps(config);
const worker = startWorker(deps, tasks);
process.stdout.write(`ready ${WORKER_ID}\n`);
process.on("SIGTERM", () => {
  void worker.stop().then(() => deps.database.close()).then(() => process.exit(0));
});
