// Benchmark: what the application metrics cost on the hot paths. Two API processes (`rampart start
// --role api`) on one PostgreSQL database, one with metrics on (and /metrics scraped every second, as
// Prometheus would, more often than its usual 15 s) and one with RAMPART_METRICS=0, loaded in turns
// (off, on, off, on, ...) so both see the same machine: trading pay-in create (POST) and pay-in read
// (GET). Prints req/s and server CPU per request of each, the on/off ratios, and last the write ceiling
// (pg-ceiling.sh) measured in the same run. On a loaded machine the two processes' req/s swing by more
// than the 2 % being looked for, so the script also measures the metrics' own work in this process:
// the CPU of the calls one request makes (HTTP histogram + a payment counter) and of one scrape's
// database statement, to read against the server's CPU per request.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/metrics-overhead.ts [seconds] [rounds]
import { randomBytes } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { createOpsMetrics } from "../src/app/ops/metrics.js";
import { GAUGE_COUNT_CAP } from "../src/app/ops/ops-gauges.js";
import { TRADER_DEPOSIT_ACCOUNT } from "../src/app/trading/ledger-postings.js";
import { readOpsSnapshot } from "../src/db/ops/ops-snapshot.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { setupTrading } from "../test/support/trading.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchDeps } from "./support/bench-deps.js";
import { type ApiProcess, startApiProcess } from "./support/api-process.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";

// The default size runs in about 40 s; longer rounds (e.g. 10 5) narrow the A/B's swing on a quiet machine.
const SECONDS = Number(process.argv[2] ?? 2);
const ROUNDS = Number(process.argv[3] ?? 2);
const CONNECTIONS = 8;
const dbName = `rampart_bench_metrics_${randomBytes(4).toString("hex")}`;
const ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "RUB/USDT=99.12", RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

interface Tally {
  requests: number;
  seconds: number;
  cpuMs: number;
}
const tally = (): Tally => ({ requests: 0, seconds: 0, cpuMs: 0 });

async function load(server: ApiProcess, apiKey: string, path: () => string | null, into: Tally): Promise<number> {
  const cpu0 = server.cpuMs();
  const r = await autocannon({
    url: server.url,
    connections: CONNECTIONS,
    duration: SECONDS,
    headers: { "x-api-key": apiKey, "content-type": "application/json" },
    requests: [
      {
        setupRequest: (req: Record<string, unknown>) => {
          const p = path();
          if (p !== null) return { ...req, method: "GET", path: p };
          const c = 1000 + Math.floor(Math.random() * 249_000);
          return { ...req, method: "POST", path: "/payment/trading/pay-in", body: JSON.stringify({ fiatAmountRange: { min: c - 50, max: c + 50 } }) };
        },
      },
    ],
  });
  if (r.non2xx > 0 || r.errors > 0) console.log(`  (non-2xx ${r.non2xx}, errors ${r.errors})`);
  into.requests += r.requests.total;
  into.seconds += SECONDS;
  into.cpuMs += server.cpuMs() - cpu0;
  return r.requests.average;
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 10 });
  const servers: ApiProcess[] = [];
  try {
    await migrate(database);
    const deps = await benchDeps(database, ENV);
    const fx = await setupTrading(deps, { traders: 4, requisitesPerTrader: 50, maxOpenPayins: 100_000 });
    const apiKey = fx.merchant.apiKey;
    const ceiling = await measureCeiling([32]);
    // Both start at once: most of a start is loading the app, which the two cores share.
    const started = await Promise.allSettled([startApiProcess(urlFor(dbName), { ...ENV, RAMPART_METRICS: "0" }), startApiProcess(urlFor(dbName), ENV)]);
    for (const s of started) if (s.status === "fulfilled") servers.push(s.value); // stopped in finally, even if the other failed
    for (const s of started) if (s.status === "rejected") throw s.reason;
    const [off, on] = servers as [ApiProcess, ApiProcess];
    // Prometheus scraping the "on" process once a second for the whole run.
    const scraper = setInterval(() => void fetch(`${on.url}/metrics`).then((r) => r.text()).catch(() => {}), 1000);
    const t = { createOff: tally(), createOn: tally(), readOff: tally(), readOn: tally() };
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const [name, server, into] of [["off", off, t.createOff], ["on", on, t.createOn]] as const) {
          const rps = await load(server, apiKey, () => null, into);
          console.log(`round ${round} create metrics ${name.padEnd(3)}: ${rps.toFixed(0)} req/s`);
        }
        const ids = (await database.db.selectFrom("trading_payins").select("id").limit(2000).execute()).map((r) => r.id);
        let i = 0;
        for (const [name, server, into] of [["off", off, t.readOff], ["on", on, t.readOn]] as const) {
          const rps = await load(server, apiKey, () => `/payment/trading/${ids[i++ % ids.length]}`, into);
          console.log(`round ${round} read   metrics ${name.padEnd(3)}: ${rps.toFixed(0)} req/s`);
        }
      }
    } finally {
      clearInterval(scraper);
    }
    const rate = (x: Tally) => x.requests / x.seconds;
    const cpu = (x: Tally) => x.cpuMs / Math.max(1, x.requests);
    for (const [path, a, b] of [["create", t.createOff, t.createOn], ["read", t.readOff, t.readOn]] as const) {
      console.log(
        `${path.padEnd(6)} c=${CONNECTIONS}: off ${rate(a).toFixed(0)} req/s ${cpu(a).toFixed(3)} ms CPU/req; on ${rate(b).toFixed(0)} req/s ${cpu(b).toFixed(3)} ms CPU/req; ` +
          `on/off throughput ${((100 * rate(b)) / rate(a)).toFixed(1)} %, CPU/req ${((100 * cpu(b)) / cpu(a)).toFixed(1)} %`,
      );
    }
    // The metrics' own work, in this process: per-request calls, then one scrape's statement.
    const calls = 200_000;
    const m = createOpsMetrics();
    let c0 = process.cpuUsage();
    for (let i = 0; i < calls; i++) {
      m.httpRequest("POST", "/payment/trading/pay-in", 201, 0.004);
      m.paymentCreated(database.db, "trading");
    }
    let c1 = process.cpuUsage(c0);
    const perRequestUs = (c1.user + c1.system) / calls;
    const scrapes = 50;
    const snapshotInput = { now: new Date(), cap: GAUGE_COUNT_CAP, deposit: TRADER_DEPOSIT_ACCOUNT, lowDepositMinor: 1_000_000_000n };
    // Steady state: PostgreSQL plans a prepared statement's first five runs on each connection (custom
    // plans) before it keeps a generic one; a process scraped every 15 s is past them within minutes.
    for (let i = 0; i < 10; i++) await readOpsSnapshot(database.db, snapshotInput);
    const t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < scrapes; i++) {
      await readOpsSnapshot(database.db, snapshotInput);
    }
    c1 = process.cpuUsage(c0);
    const snapshotMs = (performance.now() - t0) / scrapes;
    console.log(
      `metrics work per request: ${perRequestUs.toFixed(2)} µs CPU (${((100 * perRequestUs) / 1000 / cpu(t.createOff)).toFixed(2)} % of a create's server CPU, ` +
        `${((100 * perRequestUs) / 1000 / cpu(t.readOff)).toFixed(2)} % of a read's); scrape statement: ${snapshotMs.toFixed(2)} ms wall, ` +
        `${((c1.user + c1.system) / 1000 / scrapes).toFixed(2)} ms client CPU, at most one per 5 s per process`,
    );
    console.log(ceilingLine("metrics-on-create", CONNECTIONS, rate(t.createOn), null, ceiling));
  } finally {
    for (const s of servers) await s.stop();
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
