// What every use case, route and job receives. Built once in src/main/deps.ts (or by the test harness).
import type { Logger } from "pino";
import type { Config } from "../config/config.js";
import type { Database } from "../db/connect.js";
import type { OpsMetrics } from "./ops/metrics.js";
import type { Clock, Ids, Ports } from "./ports.js";

export interface Deps {
  config: Config & { secretKey: string };
  database: Database;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  ports: Ports;
  /** The sandbox adapters, always offline, that a test twin's payments use (app/merchants/test-mode.ts portsFor). */
  testPorts: Ports;
  /** The process's Prometheus metrics (app/ops/metrics.ts): use cases and jobs count their events here. */
  metrics: OpsMetrics;
}
