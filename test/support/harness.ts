// The test harness: real database (PostgreSQL or PGlite), real app through inject(), a test clock,
// captured logs. One harness per test file (or per test when a test needs isolation).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../src/app/deps.js";
import { formatAuditChainReport, verifyAuditChain } from "../../src/app/audit/verify-audit-chain.js";
import { formatLedgerReport, verifyLedger } from "../../src/app/ledger/verify-ledger.js";
import { createIds } from "../../src/adapters/ids/time-ordered-ids.js";
import { type Config, loadConfig } from "../../src/config/config.js";
import type { ScheduleReconnect } from "../../src/db/change-listener.js";
import { buildApp } from "../../src/http/build-app.js";
import { buildPorts, buildTestPorts } from "../../src/main/deps.js";
import { createOpsMetrics } from "../../src/app/ops/metrics.js";
import { registerOpsGauges } from "../../src/app/ops/ops-gauges.js";
import { createLogger } from "../../src/main/logger.js";
import { TestClock } from "./clock.js";
import { LogCapture } from "./log-capture.js";
import { createTestDatabase, type TestDatabase } from "./test-db.js";

export const TEST_SECRET_KEY = "test-secret-key-0123456789abcdef0123456789abcdef";

/** A live installation with no vendor reachable: fixed rates, manual KYC and chain, no card acquirer. */
export const LIVE_ENV = {
  RAMPART_MODE: "live",
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.92,EUR/BTC=60000,EUR/ETH=3000",
  RAMPART_KYC: "manual",
  RAMPART_CHAIN: "manual",
  RAMPART_CARD_ACQUIRER: "none",
};

export interface Harness {
  deps: Deps;
  app: FastifyInstance;
  clock: TestClock;
  logs: LogCapture;
  testDb: TestDatabase;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  config?: Partial<Config>;
  clock?: TestClock;
  poolSize?: number;
  /** Customise deps (e.g. swap a port) before the app is built. */
  tweak?: (deps: Deps) => void;
  /** Extra routes for the test, added before the app is ready. */
  routes?: (app: FastifyInstance) => void;
  /** Build every route's response serializers when the app gets ready, as the gateway's start does. */
  eagerSerializers?: boolean;
  /** PostgreSQL: when the NOTIFY session reconnects after a loss (the test decides the moment). */
  listenerReconnect?: ScheduleReconnect;
}

export async function createHarness(opts: HarnessOptions = {}): Promise<Harness> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-test-"));
  const config = {
    ...loadConfig({ RAMPART_DATA_DIR: dataDir, RAMPART_ALLOW_PRIVATE_WEBHOOKS: "1", LOG_LEVEL: "info", ...opts.env }),
    ...opts.config,
    secretKey: TEST_SECRET_KEY,
  };
  const testDb = await createTestDatabase({ poolSize: opts.poolSize ?? 10, listenerReconnect: opts.listenerReconnect });
  const clock = opts.clock ?? new TestClock();
  const logs = new LogCapture();
  const logger = createLogger(config.logLevel, logs);
  const ports = await buildPorts(config, clock, logger, testDb.database);
  const deps: Deps = {
    config,
    database: testDb.database,
    clock,
    ids: createIds(clock),
    logger,
    ports,
    testPorts: buildTestPorts(config, clock, logger, ports),
    metrics: createOpsMetrics(),
  };
  registerOpsGauges(deps.metrics.registry, deps);
  opts.tweak?.(deps);
  const app = await buildApp(deps, { serializers: opts.eagerSerializers ? "eager" : "lazy" });
  opts.routes?.(app);
  try {
    await app.ready();
  } catch (err) {
    // An app that cannot get ready (a test's broken schema) leaves no database or directory behind.
    await app.close().catch(() => {});
    await testDb.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    deps,
    app,
    clock,
    logs,
    testDb,
    // Verifies the ledger and the audit chain before tearing down: any drift or broken link a test left
    // behind fails that test file.
    async close() {
      let report;
      let audit;
      try {
        report = await verifyLedger(deps.database.db);
        audit = await verifyAuditChain(deps);
      } finally {
        await app.close();
        await testDb.close();
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
      if (!report.ok) throw new Error(`ledger drift in the harness database:\n${formatLedgerReport(report)}`);
      if (!audit.ok) throw new Error(`broken audit chain in the harness database:\n${formatAuditChainReport(audit)}`);
    },
  };
}
