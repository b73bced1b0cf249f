// Benchmark: trading pay-in create (POST /payment/trading/pay-in) against a `rampart start --role api`
// process on PostgreSQL, 200 requisites over 20 traders (so traders' rows are shared) and amount
// ranges, at 8 and 32 connections; the write ceiling (../shared/bench/pg-ceiling.sh) in the same run.
// Then it checks what the load left: every active pay-in holds its own (requisite, amount) slot, no
// trader's holds exceed its deposit, the ledger verifies. Refusals are counted by error code: only
// no_requisite_available (capacity) is an allowed non-2xx.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/trading-create.ts [seconds]
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { sql } from "kysely";
import type { Deps } from "../src/app/deps.js";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { verifyLedger } from "../src/app/ledger/verify-ledger.js";
import { SANDBOX_BANKS } from "../src/app/sandbox/seed-trading.js";
import { saveTradingSettings } from "../src/app/trading/settings-admin.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { upsertBank } from "../src/db/trading/traders.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchDeps } from "./support/bench-deps.js";
import { seedBenchTraders } from "./support/bench-traders.js";
import { perRequest, postgresCpuMs, startApiProcess } from "./support/api-process.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = [8, 32];
const TRADERS = 20;
const REQUISITES_PER_TRADER = 10;
const dbName = `rampart_bench_trading_${randomBytes(4).toString("hex")}`;
const ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "RUB/USDT=99.12", RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

async function setup(deps: Deps): Promise<string> {
  for (const b of SANDBOX_BANKS) await upsertBank(deps.database.db, b);
  const merchantId = crypto.randomUUID();
  await deps.database.db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "bench");
  await saveTradingSettings(deps, merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
  await seedBenchTraders(deps, TRADERS, REQUISITES_PER_TRADER);
  return apiKey;
}

/** What the load left in the database: slots given once, holds within deposits, the ledger verified. */
async function checkInvariants(deps: Deps): Promise<string[]> {
  const db = deps.database.db;
  const slots = (
    await sql<{ active: string; distinct_slots: string }>`
      SELECT count(*) AS active, count(DISTINCT (requisite_id, fiat_amount_minor)) AS distinct_slots
      FROM trading_payins WHERE status = 'active'`.execute(db)
  ).rows[0]!;
  // Each trader's escrow holds exactly its active pay-ins' crypto, and its deposit covers them.
  const overdrawn = (
    await sql<{ n: string }>`
      SELECT count(*) AS n FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
      WHERE a.purpose = 'trader_deposit' AND b.posted - b.pending_debits < 0`.execute(db)
  ).rows[0]!;
  const heldVsPayins = (
    await sql<{ held: string; payins: string }>`
      SELECT (SELECT coalesce(sum(b.pending_credits), 0) FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
              WHERE a.purpose = 'trader_escrow')::text AS held,
             (SELECT coalesce(sum(crypto_amount_minor), 0) FROM trading_payins WHERE status = 'active')::text AS payins`.execute(db)
  ).rows[0]!;
  const report = await verifyLedger(db);
  const ok = slots.active === slots.distinct_slots && overdrawn.n === "0" && heldVsPayins.held === heldVsPayins.payins && report.ok;
  return [
    `slots: ${slots.active} active pay-ins over ${slots.distinct_slots} distinct (requisite, amount) pairs`,
    `deposits: ${overdrawn.n} overdrawn; held in escrow ${heldVsPayins.held} = active pay-ins' crypto ${heldVsPayins.payins}`,
    `ledger verify: ${report.ok ? "ok" : `FAILED\n  ${report.problems.join("\n  ")}`} (${report.transfers} transfers)`,
    `invariants: ${ok ? "ok" : "BROKEN"}`,
  ];
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 4 });
  try {
    await migrate(database);
    const deps = await benchDeps(database, ENV);
    const apiKey = await setup(deps);
    const server = await startApiProcess(urlFor(dbName), { ...ENV, RAMPART_DB_POOL_SIZE: "32" });
    const results = new Map<number, { reqPerSec: number; p99: number }>();
    let failed = false;
    try {
      for (const connections of CONNECTIONS) {
        const refusals = new Map<string, number>();
        const cpu0 = server.cpuMs();
        const db0 = postgresCpuMs();
        const r = await autocannon({
          url: `${server.url}/payment/trading/pay-in`,
          connections,
          duration: SECONDS,
          requests: [
            {
              method: "POST",
              headers: { "content-type": "application/json", "x-api-key": apiKey },
              setupRequest: (req: Record<string, unknown>) => {
                const c = 1000 + Math.floor(Math.random() * 249_000);
                return { ...req, body: JSON.stringify({ fiatAmountRange: { min: c - 50, max: c + 50 } }) };
              },
              onResponse: (status: number, body: string) => {
                if (status < 300) return;
                const code = `${status} ${(JSON.parse(body) as { code?: string }).code ?? "?"}`;
                refusals.set(code, (refusals.get(code) ?? 0) + 1);
              },
            },
          ],
        });
        const cpu = perRequest(server.cpuMs() - cpu0, r);
        const dbCpu = perRequest(postgresCpuMs() - db0, r);
        const other = [...refusals].filter(([code]) => !code.endsWith("no_requisite_available"));
        if (other.length > 0 || r.errors > 0) failed = true;
        const refused = [...refusals].map(([code, n]) => `${code}×${n}`).join(" ");
        console.log(
          `POST /payment/trading/pay-in c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${cpu} ms/req, PostgreSQL CPU ${dbCpu} ms/req, non-2xx ${r.non2xx}${refused ? ` (${refused})` : ""}, errors ${r.errors}`,
        );
        results.set(connections, { reqPerSec: r.requests.average, p99: r.latency.p99 });
      }
    } finally {
      await server.stop();
    }
    const ceiling = await measureCeiling();
    const checks = await checkInvariants(deps);
    for (const line of checks) console.log(line);
    if (checks.at(-1) !== "invariants: ok" || failed) process.exitCode = 1;
    const at32 = results.get(32)!;
    console.log(ceilingLine("trading create", 32, at32.reqPerSec, at32.p99, ceiling));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
