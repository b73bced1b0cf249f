// The in-process deps a benchmark uses to migrate, seed and check its own database (the load itself
// goes to a separate API process, or to an app the benchmark builds): sandbox ports, a warn-level
// logger and a throwaway data dir.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { systemClock } from "../../src/adapters/clock/system-clock.js";
import { createIds } from "../../src/adapters/ids/time-ordered-ids.js";
import type { Deps } from "../../src/app/deps.js";
import { createOpsMetrics } from "../../src/app/ops/metrics.js";
import { loadConfig } from "../../src/config/config.js";
import type { FastifyInstance } from "fastify";
import type { Database } from "../../src/db/connect.js";
import { migrate } from "../../src/db/migrate.js";
import { buildApp } from "../../src/http/build-app.js";
import { buildPorts, buildTestPorts } from "../../src/main/deps.js";
import { createLogger } from "../../src/main/logger.js";

export async function benchDeps(database: Database, env: Record<string, string> & { RAMPART_SECRET_KEY: string }): Promise<Deps> {
  const config = { ...loadConfig({ ...env, LOG_LEVEL: "warn", RAMPART_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-")) }), secretKey: env.RAMPART_SECRET_KEY };
  const logger = createLogger("warn");
  const ports = await buildPorts(config, systemClock, logger, database);
  return { config, database, clock: systemClock, ids: createIds(systemClock), logger, ports, testPorts: buildTestPorts(config, systemClock, logger, ports), metrics: createOpsMetrics() };
}

/** Migrates the benchmark's database and builds the in-process app its set-up goes through, with one fresh merchant. */
export async function benchApp(database: Database, env: Record<string, string> & { RAMPART_SECRET_KEY: string }): Promise<{ deps: Deps; app: FastifyInstance; merchantId: string }> {
  await migrate(database);
  const deps = await benchDeps(database, env);
  const app = await buildApp(deps);
  const merchantId = crypto.randomUUID();
  await database.db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  return { deps, app, merchantId };
}
