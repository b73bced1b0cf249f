// Benchmark: trading pay-in create (POST /payment/trading/pay-in) on PostgreSQL with 200 requisites
// and amount ranges, at 1, 8 and 32 connections, and in the same run pgbench with a transaction
// equivalent to the create's SQL (see pgbenchScript) and pg-ceiling.sh (bench/support/ceiling.ts). Prints
// req/s, p50/p99, the ratio to pgbench, and last the share of the physical ceiling.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/trading-create.ts [seconds]
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import pg from "pg";
import type { Deps } from "../src/app/deps.js";
import { createIds } from "../src/adapters/ids/time-ordered-ids.js";
import { systemClock } from "../src/adapters/clock/system-clock.js";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { SANDBOX_BANKS } from "../src/app/sandbox/seed-trading.js";
import { fundTraderDeposit } from "../src/app/trading/ledger-postings.js";
import { saveTradingSettings } from "../src/app/trading/settings-admin.js";
import { createRequisite, createTrader } from "../src/app/trading/traders.js";
import { loadConfig } from "../src/config/config.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { upsertBank } from "../src/db/trading/traders.js";
import { buildApp } from "../src/http/build-app.js";
import { buildPorts } from "../src/main/deps.js";
import { createLogger } from "../src/main/logger.js";
import { useFixedRate } from "../test/support/trading.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";
import { createOpsMetrics } from "../src/app/ops/metrics.js";

const SECONDS = Number(process.argv[2] ?? 5);
const CONNECTIONS = [1, 8, 32];
const dbName = `rampart_bench_trading_${randomBytes(4).toString("hex")}`;


/**
 * Waits until no session of the bench database is busy (sampled for 300 ms): autocannon ends with
 * requests in flight whose transactions still hold row locks, which the next phase would wait on.
 */
async function settle(): Promise<void> {
  const c = new pg.Client({ connectionString: urlFor(dbName) });
  await c.connect();
  try {
    for (let quiet = 0; quiet < 6; ) {
      const r = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state <> 'idle' AND pid <> pg_backend_pid()");
      quiet = r.rows[0].n === 0 ? quiet + 1 : 0;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await c.end();
  }
}

async function setup(deps: Deps) {
  for (const b of SANDBOX_BANKS) await upsertBank(deps.database.db, b);
  const merchantId = crypto.randomUUID();
  await deps.database.db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "bench");
  await saveTradingSettings(deps, merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
  const banks = ["SBER", "TBANK", "ALFA", "VTB"];
  for (let t = 0; t < 20; t++) {
    const { traderId } = await createTrader(deps, `bench trader ${t}`);
    await fundTraderDeposit(deps, traderId, 10n ** 15n, `bench:fund:${traderId}`);
    for (let r = 0; r < 10; r++) {
      await createRequisite(deps, {
        traderId,
        bank: banks[(t + r) % banks.length]!,
        method: "card",
        ownerName: `Owner ${t}-${r}`,
        number: `2200${String(t * 100 + r).padStart(12, "0")}`,
        maxOpenPayins: 100_000,
      });
    }
  }
  return apiKey;
}

/**
 * pgbench script: the create's statements, in its order, with its locks (src/app/trading/create-payin.ts,
 * allocate.ts, src/db/trading/requisites.ts, src/app/ledger/ledger.ts): the key and settings reads
 * before the transaction; then the savepoint, candidate pick + first lock (when every candidate is
 * held, the app waits for the first one in a second statement: here the same statement does), usage
 * and taken amounts, touch, pay-in insert, event, expiry job, ledger lock by account ref (all three
 * balance rows, id order) and the one-statement ledger write; the commit releases the savepoint.
 * The amount is spread so that the slot index never refuses (the app computes a free amount).
 */
function pgbenchScript(x: { merchantId: string; apiKeyId: string; merchantAccount: string; feeAccount: string }): string {
  const lru = "last_assigned_at ASC NULLS FIRST, id";
  return `
\\set center random(1000, 250000)
SELECT id, merchant_id, key_hash, key_enc FROM api_keys WHERE id = '${x.apiKeyId}' AND revoked_at IS NULL;
SELECT * FROM trading_merchant_settings WHERE merchant_id = '${x.merchantId}';
BEGIN;
SAVEPOINT trading_alloc;
WITH cand AS MATERIALIZED (
  SELECT r.id, r.trader_id, r.last_assigned_at FROM trading_requisites r
  JOIN trading_banks b ON b.code = r.bank_code AND b.enabled JOIN traders t ON t.id = r.trader_id AND t.enabled
  WHERE r.enabled AND r.fiat_currency = 'RUB' AND true AND true
    AND (SELECT count(*) FROM (SELECT 1 FROM trading_payins p WHERE p.requisite_id = r.id AND p.status = 'active' LIMIT r.max_open_payins) o) < r.max_open_payins
    AND (SELECT count(*) FROM trading_payins p WHERE p.requisite_id = r.id AND p.status = 'active'
         AND p.fiat_amount_minor BETWEEN (:center - 50) * 100 AND (:center + 50) * 100 AND (p.fiat_amount_minor - (:center - 50) * 100) % 100 = 0) < 101
  ORDER BY r.${lru} LIMIT 24
), locked AS MATERIALIZED (
  SELECT id, trader_id, bank_code, method, owner_name, number, sbp_phone, fiat_currency, max_open_payins, daily_volume_limit_minor, monthly_volume_limit_minor
  FROM trading_requisites WHERE id IN (SELECT id FROM cand) AND enabled ORDER BY ${lru} LIMIT 1 FOR UPDATE SKIP LOCKED
), waited AS MATERIALIZED (
  SELECT id, trader_id, bank_code, method FROM trading_requisites
  WHERE id = (SELECT id FROM cand ORDER BY ${lru} LIMIT 1) AND NOT EXISTS (SELECT 1 FROM locked) FOR UPDATE
)
SELECT id, trader_id, bank_code, method FROM locked UNION ALL SELECT id, trader_id, bank_code, method FROM waited \\gset r_
SELECT count(*) FILTER (WHERE status = 'active') AS open,
       coalesce(sum(fiat_amount_minor) FILTER (WHERE status <> 'canceled' AND created_at >= date_trunc('day', now())), 0) AS day_volume,
       coalesce(sum(fiat_amount_minor) FILTER (WHERE status <> 'canceled' AND created_at >= date_trunc('month', now())), 0) AS month_volume,
       coalesce(array_agg(fiat_amount_minor::text) FILTER (WHERE status = 'active' AND fiat_amount_minor BETWEEN (:center - 50) * 100 AND (:center + 50) * 100), '{}') AS taken
  FROM trading_payins WHERE requisite_id = ':r_id' AND (status = 'active' OR created_at >= date_trunc('month', now()));
UPDATE trading_requisites SET last_assigned_at = now() WHERE id = ':r_id';
INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor, merchant_fee_minor, fee_rate,
  currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id, external_transaction_id, request_fingerprint, callback_url,
  extra, deposit_type, transfer_type, hold_transfer_id, expires_at, created_at, updated_at)
  VALUES (gen_random_uuid(), '${x.merchantId}', '${x.apiKeyId}', 'active', :center * 100 + (random() * 1e6)::int8 * 100000000, 'RUB', 60835352, 5171005, 0.085,
  '99.12', 'usdt', 'trc20', ':r_bank_code', ':r_method', ':r_id', ':r_trader_id', NULL, 'f', NULL, '{}', NULL, NULL, 'hold', now() + interval '15 min', now(), now())
  RETURNING * \\gset p_
INSERT INTO trading_payin_events (payin_id, actor, actor_id, from_status, to_status, at, data) VALUES (':p_id', 'merchant', '${x.apiKeyId}', NULL, 'active', now(), '{}');
INSERT INTO jobs (id, kind, key, payload, due_at) VALUES (gen_random_uuid(), 'trading.payin_expire', 'trading.payin_expire:' || ':p_id', '{}', now() + interval '15 min')
  ON CONFLICT (key) DO NOTHING;
WITH l AS (
  WITH acc AS MATERIALIZED (
    SELECT a.id, a.owner, a.asset, a.purpose, a.no_negative FROM ledger_accounts a
    JOIN (VALUES ('trader:' || ':r_trader_id', 'USDT', 'trader_deposit'), ('merchant:${x.merchantId}', 'USDT', 'merchant_balance'), ('platform', 'USDT', 'fee_revenue'))
      AS w(owner, asset, purpose) ON a.owner = w.owner AND a.asset = w.asset AND a.purpose = w.purpose
  )
  SELECT b.account_id, acc.purpose, b.posted, b.pending_debits, b.pending_credits FROM ledger_account_balances b JOIN acc ON acc.id = b.account_id
  WHERE (SELECT count(*) FROM acc) = 3 AND NOT EXISTS (SELECT 1 FROM ledger_transfers WHERE id = 'trading:' || ':p_id' || ':hold')
  ORDER BY b.account_id FOR UPDATE OF b
)
SELECT max(account_id) FILTER (WHERE purpose = 'trader_deposit') AS tacc, count(*) AS n FROM l \\gset l_
WITH t AS (
  INSERT INTO ledger_transfers (id, code, ref_type, ref_id, pending, expires_at, reversal_of, created_at)
  VALUES ('trading:' || ':p_id' || ':hold', 'trading_payin_hold', 'trading_payin', ':p_id', true, NULL, NULL, now()) ON CONFLICT (id) DO NOTHING RETURNING id
), e AS (
  INSERT INTO ledger_entries (transfer_id, account_id, asset, amount)
  SELECT t.id, v.account_id, v.asset, v.amount FROM t CROSS JOIN (VALUES (0, :l_tacc::bigint, 'USDT', -60835352::bigint), (1, ${x.merchantAccount}, 'USDT', 55664347),
    (2, ${x.feeAccount}, 'USDT', 5171005)) AS v(ord, account_id, asset, amount) ORDER BY v.ord
), u AS (
  UPDATE ledger_account_balances AS b
  SET posted = b.posted + v.posted, pending_debits = b.pending_debits + v.debits, pending_credits = b.pending_credits + v.credits
  FROM t CROSS JOIN (VALUES (:l_tacc::bigint, 0::bigint, 60835352::bigint, 0::bigint), (${x.merchantAccount}, 0, 0, 55664347), (${x.feeAccount}, 0, 0, 5171005))
    AS v(account_id, posted, debits, credits)
  WHERE b.account_id = v.account_id
)
SELECT count(*)::int AS inserted FROM t;
COMMIT;
`;
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 40 });
  try {
    await migrate(database);
    const config = { ...loadConfig({ LOG_LEVEL: "warn", RAMPART_RATE_LIMIT_PER_MINUTE: "0", RAMPART_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-")) }), secretKey: "bench-secret-key-0123456789abcdef0123456789" };
    const deps: Deps = { config, database, clock: systemClock, ids: createIds(systemClock), logger: createLogger("warn"), ports: buildPorts(config, systemClock, createLogger("warn")), metrics: createOpsMetrics() };
    useFixedRate(deps, "99.12");
    const apiKey = await setup(deps);
    const ceiling = await measureCeiling();
    const p99 = new Map<number, number>();
    const app = await buildApp(deps);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/payment/trading/pay-in`;
    const lines: string[] = [];
    const reqPerSec = new Map<number, number>();
    for (const connections of CONNECTIONS) {
      const r = await autocannon({
        url,
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
          },
        ],
      });
      reqPerSec.set(connections, r.requests.average);
      p99.set(connections, r.latency.p99);
      const byStatus = Object.entries(r.statusCodeStats)
        .filter(([code]) => !code.startsWith("2"))
        .map(([code, s]) => `${code}×${(s as { count: number }).count}`)
        .join(" ");
      lines.push(
        `autocannon c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}${byStatus ? ` (${byStatus})` : ""}, errors ${r.errors}, timeouts ${r.timeouts}`,
      );
      console.log(lines.at(-1));
      // autocannon stops with requests in flight; let their transactions finish before the next phase.
      await settle();
    }
    await app.close();
    await settle();
    const merchantId = (await database.db.selectFrom("merchants").select("id").executeTakeFirstOrThrow()).id;
    const script = path.join(os.tmpdir(), `${dbName}.sql`);
    const accountId = async (owner: string, purpose: string) =>
      (await database.db.selectFrom("ledger_accounts").select("id").where("owner", "=", owner).where("asset", "=", "USDT").where("purpose", "=", purpose).executeTakeFirstOrThrow()).id;
    const apiKeyId = (await database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", merchantId).executeTakeFirstOrThrow()).id;
    fs.writeFileSync(
      script,
      pgbenchScript({
        merchantId,
        apiKeyId,
        merchantAccount: String(await accountId(`merchant:${merchantId}`, "merchant_balance")),
        feeAccount: String(await accountId("platform", "fee_revenue")),
      }),
    );
    for (const clients of CONNECTIONS) {
      // Asynchronous, so this process keeps serving its pool's sockets (a blocked event loop would
      // leave any late transaction holding its locks and pgbench waiting on them for ever).
      const { stdout: out } = await promisify(execFile)("pgbench", ["-n", "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(SECONDS), "-f", script, urlFor(dbName)], {
        encoding: "utf8",
      });
      const tps = /tps = ([\d.]+)/.exec(out)?.[1];
      const lat = /latency average = ([\d.]+) ms/.exec(out)?.[1];
      lines.push(`pgbench c=${clients}: ${Number(tps).toFixed(0)} tps, latency avg ${lat} ms`);
      console.log(lines.at(-1));
      const ratio = (reqPerSec.get(clients)! / Number(tps)) * 100;
      console.log(`ratio c=${clients}: HTTP create / pgbench = ${ratio.toFixed(0)} %`);
    }
    console.log(ceilingLine("trading-create", 32, reqPerSec.get(32)!, p99.get(32)!, ceiling));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
