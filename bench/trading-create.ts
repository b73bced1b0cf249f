// Benchmark: trading pay-in create (POST /payment/trading/pay-in) on PostgreSQL with 200 requisites
// and amount ranges, at 1, 8 and 32 connections, and in the same run pgbench with a transaction
// equivalent to the create's SQL (candidate pick, requisite lock, usage checks, pay-in insert, event,
// the ledger hold with its balance rows, the expiry job). Prints req/s, p50/p99 and the ratio to pgbench.
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
import { fundTraderDeposit } from "../src/app/trading/effects.js";
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

const SECONDS = Number(process.argv[2] ?? 8);
const CONNECTIONS = [1, 8, 32];
const adminUrl = process.env.DATABASE_URL;
if (!adminUrl) throw new Error("DATABASE_URL (PostgreSQL) is required");
const dbName = `rampart_bench_trading_${randomBytes(4).toString("hex")}`;
const urlFor = (name: string) => Object.assign(new URL(adminUrl), { pathname: `/${name}` }).toString();

async function admin(q: string) {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(q);
  } finally {
    await c.end();
  }
}

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

/** pgbench script: the create transaction's statements against the same schema. */
function pgbenchScript(merchantId: string, merchantAccount: string, feeAccount: string): string {
  return `
\\set center random(1000, 250000)
BEGIN;
SELECT r.id FROM trading_requisites r JOIN trading_banks b ON b.code = r.bank_code AND b.enabled
  JOIN traders t ON t.id = r.trader_id AND t.enabled
  WHERE r.enabled AND r.fiat_currency = 'RUB'
    AND (SELECT count(*) FROM trading_payins p WHERE p.requisite_id = r.id AND p.status = 'active') < r.max_open_payins
  ORDER BY r.last_assigned_at ASC NULLS FIRST, r.id LIMIT 24;
SAVEPOINT a;
SELECT id, trader_id FROM trading_requisites WHERE enabled ORDER BY last_assigned_at ASC NULLS FIRST, id LIMIT 1 FOR UPDATE SKIP LOCKED \\gset r_
SELECT count(*) FILTER (WHERE status = 'active') FROM trading_payins WHERE requisite_id = ':r_id' AND (status = 'active' OR created_at >= date_trunc('month', now()));
SELECT fiat_amount_minor FROM trading_payins WHERE requisite_id = ':r_id' AND status = 'active' AND fiat_amount_minor BETWEEN (:center - 50) * 100 AND (:center + 50) * 100;
INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor, merchant_fee_minor, fee_rate,
  currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id, request_fingerprint, extra, expires_at, created_at, updated_at)
  SELECT gen_random_uuid(), '${merchantId}', 'k', 'active', :center * 100 + (random() * 1e6)::int8 * 100000000, 'RUB', 60835352, 5171005, 0.085, '99.12', 'usdt', 'trc20', bank_code, method, id, trader_id, 'f', '{}', now() + interval '15 min', now(), now()
  FROM trading_requisites WHERE id = ':r_id' RETURNING id \\gset p_
INSERT INTO trading_payin_events (payin_id, actor, to_status, at) VALUES (':p_id', 'merchant', 'active', now());
SELECT id AS acc FROM ledger_accounts WHERE owner = 'trader:' || ':r_trader_id' AND asset = 'USDT' AND purpose = 'trader_deposit' \\gset t_
SELECT account_id FROM ledger_account_balances WHERE account_id IN (:t_acc, ${merchantAccount}, ${feeAccount}) ORDER BY account_id FOR UPDATE;
INSERT INTO ledger_transfers (id, code, ref_type, ref_id, pending, created_at) VALUES ('b:' || ':p_id', 'trading_payin_hold', 'trading_payin', ':p_id', true, now());
INSERT INTO ledger_entries (transfer_id, account_id, asset, amount) VALUES ('b:' || ':p_id', :t_acc, 'USDT', -60835352), ('b:' || ':p_id', ${merchantAccount}, 'USDT', 55664347), ('b:' || ':p_id', ${feeAccount}, 'USDT', 5171005);
UPDATE ledger_account_balances SET pending_debits = pending_debits + 60835352 WHERE account_id = :t_acc;
UPDATE ledger_account_balances SET pending_credits = pending_credits + 55664347 WHERE account_id = ${merchantAccount};
UPDATE ledger_account_balances SET pending_credits = pending_credits + 5171005 WHERE account_id = ${feeAccount};
INSERT INTO jobs (id, kind, key, payload, due_at) VALUES (gen_random_uuid(), 'trading.payin_expire', 'bench:' || ':p_id', '{}', now() + interval '15 min');
UPDATE trading_requisites SET last_assigned_at = now() WHERE id = ':r_id';
RELEASE SAVEPOINT a;
COMMIT;
`;
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 40 });
  try {
    await migrate(database);
    const config = { ...loadConfig({ LOG_LEVEL: "warn", RAMPART_RATE_LIMIT_PER_MINUTE: "0", RAMPART_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bench-")) }), secretKey: "bench-secret-key-0123456789abcdef0123456789" };
    const deps: Deps = { config, database, clock: systemClock, ids: createIds(systemClock), logger: createLogger("warn"), ports: buildPorts(config, systemClock) };
    useFixedRate(deps, "99.12");
    const apiKey = await setup(deps);
    const app = await buildApp(deps);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/payment/trading/pay-in`;
    const lines: string[] = [];
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
    fs.writeFileSync(script, pgbenchScript(merchantId, String(await accountId(`merchant:${merchantId}`, "merchant_balance")), String(await accountId("platform", "fee_revenue"))));
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
    }
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
