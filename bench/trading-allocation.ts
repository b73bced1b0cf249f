// Benchmark: allocation stays flat. Trading pay-in creates (POST /payment/trading/pay-in with an
// amount range) against a `rampart start --role api` process, first with 1,000 open pay-ins, then
// after filling the same database up to SIZE open pay-ins; both spread over REQUISITES requisites
// (100 traders). Prints both p50s and their ratio (target: the big one within 20 % of the small one),
// and the ceiling line of the big phase. The open pay-ins are written in bulk by SQL (they stand for
// load, not for what a create books), on amounts the creates never ask for.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/trading-allocation.ts [size=100000] [requisites=10000] [seconds=5]
//   (the figure: size 1000000; the default runs in under a minute)
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import { sql } from "kysely";
import type { Deps } from "../src/app/deps.js";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { SANDBOX_BANKS } from "../src/app/sandbox/seed-trading.js";
import { fundTraderDeposit } from "../src/app/trading/ledger-postings.js";
import { saveTradingSettings } from "../src/app/trading/settings-admin.js";
import { createTrader } from "../src/app/trading/traders.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { upsertBank } from "../src/db/trading/traders.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchDeps } from "./support/bench-deps.js";
import { perRequest, startApiProcess } from "./support/api-process.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";

const SIZE = Number(process.argv[2] ?? 100_000);
const REQUISITES = Number(process.argv[3] ?? 10_000);
const SECONDS = Number(process.argv[4] ?? 5);
const SMALL = 1_000;
const TRADERS = 100;
const CONNECTIONS = 8;
const dbName = `rampart_bench_alloc_${randomBytes(4).toString("hex")}`;
const ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "RUB/USDT=99.12", RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

async function setup(deps: Deps): Promise<{ apiKey: string; merchantId: string; apiKeyId: string }> {
  const db = deps.database.db;
  for (const b of SANDBOX_BANKS) await upsertBank(db, b);
  const merchantId = crypto.randomUUID();
  await db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "bench");
  await saveTradingSettings(deps, merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
  const traderIds: string[] = [];
  for (let t = 0; t < TRADERS; t++) {
    const { traderId } = await createTrader(deps, `bench trader ${t}`);
    await fundTraderDeposit(deps, traderId, 10n ** 16n, `bench:fund:${traderId}`);
    traderIds.push(traderId);
  }
  await sql`
    INSERT INTO trading_requisites (id, trader_id, bank_code, method, owner_name, number, fiat_currency, max_open_payins)
    SELECT gen_random_uuid(), (${traderIds}::text[])[1 + i % ${TRADERS}::int], (ARRAY['SBER', 'TBANK', 'ALFA', 'VTB'])[1 + i % 4], 'card',
           'Owner ' || i, '2200' || lpad(i::text, 12, '0'), 'RUB', 1000000
    FROM generate_series(0, ${REQUISITES - 1}::int) AS i`.execute(db);
  const apiKeyId = (await db.selectFrom("api_keys").select("id").where("merchant_id", "=", merchantId).executeTakeFirstOrThrow()).id;
  return { apiKey, merchantId, apiKeyId };
}

/** Open pay-ins up to `total`, spread evenly over the requisites, on amounts above what creates ask for. */
async function fillOpenPayins(deps: Deps, a: { merchantId: string; apiKeyId: string }, total: number): Promise<void> {
  const db = deps.database.db;
  const have = Number((await sql<{ n: string }>`SELECT count(*) AS n FROM trading_payins WHERE status = 'active'`.execute(db)).rows[0]!.n);
  const chunk = 100_000;
  for (let from = have; from < total; from += chunk) {
    const to = Math.min(total, from + chunk);
    await sql`
      WITH r AS (SELECT id, trader_id, bank_code, (row_number() OVER (ORDER BY id) - 1)::int AS n FROM trading_requisites)
      INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor, merchant_fee_minor,
        fee_rate, currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id, request_fingerprint, extra,
        hold_transfer_id, expires_at, created_at, updated_at)
      SELECT gen_random_uuid(), ${a.merchantId}, ${a.apiKeyId}, 'active', 100000000 + (i / ${REQUISITES}::int) * 100, 'RUB', 1, 0,
        '0.085', '99.12', 'usdt', 'trc20', r.bank_code, 'card', r.id, r.trader_id, 'bench', '{}', NULL, now() + interval '1 day', now(), now()
      FROM generate_series(${from}::int, ${to - 1}::int) AS i JOIN r ON r.n = i % ${REQUISITES}::int`.execute(db);
    process.stdout.write(`\rfilled ${to} open pay-ins`);
  }
  process.stdout.write("\n");
  await sql`ANALYZE`.execute(db);
}

async function load(url: string, apiKey: string, server: { cpuMs(): number }) {
  const cpu0 = server.cpuMs();
  const r = await autocannon({
    url: `${url}/payment/trading/pay-in`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": apiKey },
        setupRequest: (req: Record<string, unknown>) => {
          const c = 1000 + Math.floor(Math.random() * 249_000);
          return { ...req, body: JSON.stringify({ fiatAmountRange: { min: c - 50, max: c + 50 } }) };
        },
      },
    ],
  });
  return { r, cpu: perRequest(server.cpuMs() - cpu0, r) };
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 4 });
  try {
    await migrate(database);
    const deps = await benchDeps(database, ENV);
    const fx = await setup(deps);
    const phases: { open: number; p50: number; p99: number; reqPerSec: number }[] = [];
    for (const open of [SMALL, SIZE]) {
      await fillOpenPayins(deps, fx, open);
      const server = await startApiProcess(urlFor(dbName), { ...ENV, RAMPART_DB_POOL_SIZE: "16" });
      try {
        const { r, cpu } = await load(server.url, fx.apiKey, server);
        console.log(
          `${open} open pay-ins over ${REQUISITES} requisites, c=${CONNECTIONS}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${cpu} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`,
        );
        phases.push({ open, p50: r.latency.p50, p99: r.latency.p99, reqPerSec: r.requests.average });
      } finally {
        await server.stop();
      }
    }
    const [small, big] = phases as [(typeof phases)[0], (typeof phases)[0]];
    const growth = (100 * (big.p50 - small.p50)) / small.p50;
    console.log(`p50 ${big.p50} ms at ${big.open} open vs ${small.p50} ms at ${small.open}: ${growth >= 0 ? "+" : ""}${growth.toFixed(0)} % (target at most +20 %: ${growth <= 20 ? "met" : "NOT met"})`);
    const ceiling = await measureCeiling();
    console.log(ceilingLine(`trading create at ${big.open} open`, CONNECTIONS, big.reqPerSec, big.p99, ceiling));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
