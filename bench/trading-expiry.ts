// Benchmark: trading pay-in expiry (issue 16: 100,000 due pay-ins canceled, their holds voided and their
// webhooks enqueued in < 60 s, while creates keep running). N pay-ins are seeded in bulk with what a create
// writes (the pay-in, its first event, its expiry job with its trader as group, its escrow hold in the
// ledger with both balance rows moved, the requisite's turn), created one payment window ago, so their
// windows ended a minute ago:
// the same as moving the clock past them, for processes that run on the system clock. Then W worker
// processes (test/support/worker-process.ts: the production job dispatcher and expiry sweep) expire them
// while autocannon creates trading pay-ins against a `rampart start --role api` process. The clock runs
// from the first worker's "ready" until no seeded expiry job is left pending or running.
// Correctness in the same run: every seeded pay-in canceled with its hold voided, exactly one cancel event,
// one resolution and one webhook each, every job done at its first attempt; the ledger verifies and escrow
// equals the active pay-ins' crypto; every create answered 2xx (or a capacity refusal) and stayed active.
// Ends with the ceiling line (pg-ceiling.sh in the same run): there the figure is expiries/s and p99 that
// of the creates running alongside.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/trading-expiry.ts [N=20000] [workers=2]
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import autocannon from "autocannon";
import { type RawBuilder, sql } from "kysely";
import type { Deps } from "../src/app/deps.js";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { verifyLedger } from "../src/app/ledger/verify-ledger.js";
import { SANDBOX_BANKS } from "../src/app/sandbox/seed-trading.js";
import { computeTradingAmounts, TRADING_CRYPTO } from "../src/app/trading/amounts.js";
import { traderDeposit } from "../src/app/trading/ledger-postings.js";
import { saveTradingSettings } from "../src/app/trading/settings-admin.js";
import { isNoNegative } from "../src/core/ledger/accounts.js";
import { connectPostgres } from "../src/db/connect.js";
import { ensureAccounts } from "../src/db/ledger/ledger-store.js";
import { migrate } from "../src/db/migrate.js";
import { upsertBank } from "../src/db/trading/traders.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { perRequest, startApiProcess } from "./support/api-process.js";
import { benchDeps } from "./support/bench-deps.js";
import { seedBenchTraders } from "./support/bench-traders.js";
import { ceilingLine, loadAverage, measureCeiling } from "./support/ceiling.js";

const N = Number(process.argv[2] ?? 20_000);
const WORKERS = Number(process.argv[3] ?? 2);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const MAX_SECONDS = Number(process.env.BENCH_EXPIRY_MAX_SECONDS ?? 300);
const TRADERS = 20;
const REQUISITES_PER_TRADER = 10;
const CHUNK = 5_000;
const RATE = "99.12";
const FEE_RATE = "0.085";
const WINDOW_SECONDS = 15 * 60;
const ROOT = path.resolve(import.meta.dirname, "..");
/** The fields of autocannon's result this benchmark reads (autocannon ships no types). */
interface LoadResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
}
const dbName = `rampart_bench_expiry_${randomBytes(4).toString("hex")}`;
const ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: `RUB/USDT=${RATE}`, RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

async function setup(deps: Deps): Promise<{ apiKey: string; apiKeyId: string; merchantId: string }> {
  for (const b of SANDBOX_BANKS) await upsertBank(deps.database.db, b);
  const merchantId = randomUUID();
  await deps.database.db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "bench");
  const { id: apiKeyId } = await deps.database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", merchantId).executeTakeFirstOrThrow();
  // A webhook URL, so each expiry enqueues the pay-in's webhook (no worker here delivers it).
  await saveTradingSettings(deps, merchantId, { fiatCurrency: "RUB", feeRate: FEE_RATE, paymentWindowSeconds: WINDOW_SECONDS, webhookUrl: "https://merchant.example/hooks" });
  await seedBenchTraders(deps, TRADERS, REQUISITES_PER_TRADER);
  return { apiKey, apiKeyId, merchantId };
}

/**
 * N active pay-ins whose windows ended a minute ago, CHUNK per statement, written as a create writes
 * them (src/db/trading/payins.ts insertNewPayin, ledger-postings.ts holdPayinCrypto): slots (requisite,
 * amount) distinct, each hold moving the trader's deposit into its escrow (pending), its expiry job due.
 */
async function seedDuePayins(deps: Deps, m: { merchantId: string; apiKeyId: string }): Promise<void> {
  const db = deps.database.db;
  const requisites = await db.selectFrom("trading_requisites").select(["id", "trader_id", "bank_code", "method"]).orderBy("id").execute();
  const accounts = new Map<string, { deposit: string; escrow: string }>();
  await db.transaction().execute(async (trx) => {
    for (const traderId of new Set(requisites.map((r) => r.trader_id))) {
      const refs = [traderDeposit(traderId), { ...traderDeposit(traderId), purpose: "trader_escrow" as const }];
      const [deposit, escrow] = await ensureAccounts(trx, refs.map((ref) => ({ ref, noNegative: isNoNegative(ref.purpose) })));
      accounts.set(traderId, { deposit: deposit!, escrow: escrow! });
    }
  });
  const createdAt = new Date(Date.now() - (WINDOW_SECONDS + 60) * 1000);
  const expiresAt = new Date(createdAt.getTime() + WINDOW_SECONDS * 1000);
  for (let start = 0; start < N; start += CHUNK) {
    const cols = { id: [] as string[], req: [] as string[], trader: [] as string[], bank: [] as string[], method: [] as string[], fiat: [] as string[], crypto: [] as string[], fee: [] as string[], dep: [] as string[], esc: [] as string[] };
    for (let i = start; i < Math.min(N, start + CHUNK); i++) {
      const r = requisites[i % requisites.length]!;
      // Whole roubles from 1,000 up, one per pay-in of a requisite: every (requisite, amount) slot distinct.
      const fiat = BigInt(1000 + Math.floor(i / requisites.length)) * 100n;
      const a = computeTradingAmounts(fiat, RATE, FEE_RATE);
      cols.id.push(randomUUID());
      cols.req.push(r.id);
      cols.trader.push(r.trader_id);
      cols.bank.push(r.bank_code);
      cols.method.push(r.method);
      cols.fiat.push(fiat.toString());
      cols.crypto.push(a.cryptoMinor.toString());
      cols.fee.push(a.feeMinor.toString());
      cols.dep.push(accounts.get(r.trader_id)!.deposit);
      cols.esc.push(accounts.get(r.trader_id)!.escrow);
    }
    await sql`
      WITH v AS MATERIALIZED (
        SELECT * FROM unnest(${cols.id}::uuid[], ${cols.req}::uuid[], ${cols.trader}::text[], ${cols.bank}::text[], ${cols.method}::text[],
                             ${cols.fiat}::bigint[], ${cols.crypto}::bigint[], ${cols.fee}::bigint[], ${cols.dep}::bigint[], ${cols.esc}::bigint[])
          AS v(id, requisite_id, trader_id, bank_code, method, fiat, crypto, fee, deposit_id, escrow_id)
      ), p AS (
        INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor, merchant_fee_minor,
                                    fee_rate, currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id,
                                    request_fingerprint, extra, hold_transfer_id, expires_at, created_at, updated_at)
        SELECT id, ${m.merchantId}, ${m.apiKeyId}, 'active', fiat, 'RUB', crypto, fee, ${FEE_RATE}, ${RATE}, ${TRADING_CRYPTO.wireCurrency},
               ${TRADING_CRYPTO.wireNetwork}, bank_code, method, requisite_id, trader_id, 'bench-seed', '{}', 'trading:' || id || ':hold',
               ${expiresAt}, ${createdAt}, ${createdAt}
        FROM v
      ), ev AS (
        INSERT INTO trading_payin_events (payin_id, actor, actor_id, from_status, to_status, at, data)
        SELECT id, 'merchant', ${m.apiKeyId}, NULL, 'active', ${createdAt}, '{}' FROM v
      ), job AS (
        INSERT INTO jobs (id, kind, key, payload, due_at, group_key)
        SELECT gen_random_uuid(), 'trading.payin_expire', 'trading.payin_expire:' || id, jsonb_build_object('payinId', id), ${expiresAt}, trader_id::text FROM v
      ), tr AS (
        INSERT INTO ledger_transfers (id, code, ref_type, ref_id, pending, created_at)
        SELECT 'trading:' || id || ':hold', 'trading_payin_escrow_hold', 'trading_payin', id::text, true, ${createdAt} FROM v
      ), e AS (
        INSERT INTO ledger_entries (transfer_id, account_id, asset, amount)
        SELECT 'trading:' || v.id || ':hold', x.account_id, ${TRADING_CRYPTO.asset}, x.amount
        FROM v CROSS JOIN LATERAL (VALUES (1, v.deposit_id, -v.crypto), (2, v.escrow_id, v.crypto)) AS x(ord, account_id, amount)
        ORDER BY v.id, x.ord
      ), bal AS (
        UPDATE ledger_account_balances AS b SET pending_debits = b.pending_debits + s.debits, pending_credits = b.pending_credits + s.credits
        FROM (SELECT deposit_id AS account_id, sum(crypto) AS debits, 0 AS credits FROM v GROUP BY 1
              UNION ALL SELECT escrow_id, 0, sum(crypto) FROM v GROUP BY 1) AS s
        WHERE b.account_id = s.account_id
      ), turn AS (
        UPDATE trading_requisites AS q SET payins_assigned = q.payins_assigned + s.n, last_assigned_at = ${createdAt}
        FROM (SELECT requisite_id, count(*) AS n FROM v GROUP BY 1) AS s WHERE q.id = s.requisite_id
      )
      SELECT count(*) FROM v`.execute(db);
  }
}

/** Seeded expiry jobs not yet recorded done (the seeded ones are the only ones due): the progress line's count. */
async function expiriesLeft(deps: Deps, seededDue: Date): Promise<number> {
  const r = await sql<{ n: string }>`
    SELECT count(*) AS n FROM jobs WHERE kind = 'trading.payin_expire' AND status IN ('pending', 'running') AND due_at <= ${seededDue}`.execute(deps.database.db);
  return Number(r.rows[0]!.n);
}

/**
 * Whether any seeded expiry job is not yet done, polled every 100 ms: each arm stops at its partial
 * index's first row. The count above reads every job left (190 ms of PostgreSQL's CPU at 100,000), so
 * polling it took a core from the workers being measured.
 */
async function anyExpiryLeft(deps: Deps, seededDue: Date): Promise<boolean> {
  const r = await sql<{ left: boolean }>`
    SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'pending' AND kind = 'trading.payin_expire' AND due_at <= ${seededDue})
        OR EXISTS (SELECT 1 FROM jobs WHERE status = 'running' AND kind = 'trading.payin_expire' AND due_at <= ${seededDue}) AS left`.execute(deps.database.db);
  return r.rows[0]!.left;
}

function spawnWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/support/worker-process.ts"), url, "dispatch-jobs,trading.expiry_sweep"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, RAMPART_SECRET_KEY: ENV.RAMPART_SECRET_KEY },
  });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`worker exited early (${code})`)));
    child.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve(child));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
}

/** What the run left: each seeded pay-in expired exactly once, holds voided, webhooks enqueued, ledger sound. */
async function checkExpiry(deps: Deps, seededBefore: Date, creates: number): Promise<string[]> {
  const db = deps.database.db;
  const seeded = sql`SELECT id FROM trading_payins WHERE created_at <= ${seededBefore}`;
  const one = async (q: RawBuilder<unknown>) => (await q.execute(db)).rows[0] as Record<string, string>;
  const payins = await one(sql`
    SELECT count(*) FILTER (WHERE status = 'canceled' AND hold_state = 'voided') AS canceled, count(*) AS seeded
    FROM trading_payins WHERE created_at <= ${seededBefore}`);
  const events = await one(sql`
    SELECT count(*) AS n, count(DISTINCT payin_id) AS payins FROM trading_payin_events
    WHERE to_status = 'canceled' AND from_status = 'active' AND data->>'action' = 'expire' AND payin_id IN (${seeded})`);
  const holds = await one(sql`
    SELECT count(*) AS n, count(*) FILTER (WHERE kind = 'voided') AS voided FROM ledger_transfer_resolutions
    WHERE transfer_id IN (SELECT 'trading:' || id || ':hold' FROM (${seeded}) s)`);
  const hooks = await one(sql`
    SELECT count(*) AS n, count(DISTINCT ordering_key) AS payins, count(*) FILTER (WHERE body::json->>'status' = 'canceled') AS canceled
    FROM webhook_messages WHERE ordering_key IN (SELECT id::text FROM (${seeded}) s)`);
  const jobs = await one(sql`
    SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) FILTER (WHERE attempts > 1) AS retried FROM jobs
    WHERE kind = 'trading.payin_expire' AND (payload->>'payinId')::uuid IN (${seeded})`);
  const fresh = await one(sql`
    SELECT count(*) AS n, count(*) FILTER (WHERE status = 'active') AS active FROM trading_payins WHERE created_at > ${seededBefore}`);
  const escrow = await one(sql`
    SELECT (SELECT coalesce(sum(b.pending_credits), 0) FROM ledger_accounts a JOIN ledger_account_balances b ON b.account_id = a.id
            WHERE a.purpose = 'trader_escrow')::text AS held,
           (SELECT coalesce(sum(crypto_amount_minor), 0) FROM trading_payins WHERE status = 'active')::text AS active`);
  const report = await verifyLedger(db);
  const n = String(N);
  const ok =
    payins.seeded === n && payins.canceled === n && events.n === n && events.payins === n && holds.n === n && holds.voided === n &&
    hooks.n === n && hooks.payins === n && hooks.canceled === n && jobs.done === n && jobs.retried === "0" &&
    Number(fresh.n) >= creates && fresh.active === fresh.n && escrow.held === escrow.active && report.ok;
  return [
    `pay-ins: ${payins.canceled} of ${payins.seeded} seeded canceled with their hold voided`,
    `cancel events: ${events.n} over ${events.payins} pay-ins; hold resolutions: ${holds.n} (${holds.voided} voided)`,
    `webhooks enqueued: ${hooks.n} over ${hooks.payins} pay-ins (${hooks.canceled} saying canceled)`,
    `expiry jobs: ${jobs.done} done, ${jobs.retried} took more than one attempt`,
    // A create in flight when the load stops is written but not counted: at least as many pay-ins as 2xx answers.
    `creates during the run: ${creates} answered 2xx, ${fresh.n} new pay-ins, ${fresh.active} of them active`,
    `escrow held ${escrow.held} = active pay-ins' crypto ${escrow.active}`,
    `ledger verify: ${report.ok ? "ok" : `FAILED\n  ${report.problems.join("\n  ")}`} (${report.transfers} transfers)`,
    `invariants: ${ok ? "ok" : "BROKEN"}`,
  ];
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const url = urlFor(dbName);
  const database = connectPostgres({ url, poolSize: 4 });
  try {
    await migrate(database);
    const deps = await benchDeps(database, ENV);
    const m = await setup(deps);
    const s0 = Date.now();
    await seedDuePayins(deps, m);
    await sql`ANALYZE`.execute(database.db);
    const seededBefore = new Date();
    console.log(`seeded ${N} due pay-ins in ${((Date.now() - s0) / 1000).toFixed(1)} s; load average ${loadAverage()}`);

    const server = await startApiProcess(url, { ...ENV, RAMPART_DB_POOL_SIZE: "32" });
    const refusals = new Map<string, number>();
    let creates = 0;
    let expirySeconds = 0;
    let run: LoadResult | undefined;
    try {
      const cpu0 = server.cpuMs();
      const load = autocannon({
        url: `${server.url}/payment/trading/pay-in`,
        connections: CONNECTIONS,
        duration: 3600,
        timeout: 60, // a create slowed down by the expiry is counted as slow, not as an error
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json", "x-api-key": m.apiKey },
            setupRequest: (req: Record<string, unknown>) => {
              const c = 1000 + Math.floor(Math.random() * 249_000);
              return { ...req, body: JSON.stringify({ fiatAmountRange: { min: c - 50, max: c + 50 } }) };
            },
            onResponse: (status: number, body: string) => {
              if (status < 300) return void creates++;
              const code = `${status} ${(JSON.parse(body) as { code?: string }).code ?? "?"}`;
              refusals.set(code, (refusals.get(code) ?? 0) + 1);
            },
          },
        ],
      });
      const finished = new Promise<LoadResult>((resolve) => load.once("done", resolve));
      await new Promise((r) => setTimeout(r, 2000)); // creates under way before the workers start
      const workers = await Promise.all(Array.from({ length: WORKERS }, () => spawnWorker(url)));
      const t0 = Date.now();
      try {
        let reported = t0;
        while (await anyExpiryLeft(deps, seededBefore)) {
          // A stuck run ends with its checks failing instead of hanging (its workers would outlive it).
          if (Date.now() - t0 > MAX_SECONDS * 1000) throw new Error(`${await expiriesLeft(deps, seededBefore)} expiries still left after ${MAX_SECONDS} s`);
          if (Date.now() - reported >= 5000) {
            console.log(`  ${((Date.now() - t0) / 1000).toFixed(0)} s: ${await expiriesLeft(deps, seededBefore)} left, ${creates} creates`);
            reported = Date.now();
          }
          await new Promise((r) => setTimeout(r, 100));
        }
        expirySeconds = (Date.now() - t0) / 1000;
      } finally {
        for (const w of workers) await stopWorker(w);
        load.stop();
      }
      run = await finished;
      const cpu = perRequest(server.cpuMs() - cpu0, run);
      const refused = [...refusals].map(([code, n]) => `${code}×${n}`).join(" ");
      console.log(
        `creates alongside, c=${CONNECTIONS}: ${run.requests.average.toFixed(0)} req/s, p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms, server CPU ${cpu} ms/req, non-2xx ${run.non2xx}${refused ? ` (${refused})` : ""}, errors ${run.errors}`,
      );
      console.log(`expiry: ${N} pay-ins by ${WORKERS} worker process(es) in ${expirySeconds.toFixed(1)} s, ${(N / expirySeconds).toFixed(0)} expiries/s; load average ${loadAverage()}`);
    } finally {
      await server.stop();
    }
    const ceiling = await measureCeiling();
    const checks = await checkExpiry(deps, seededBefore, creates);
    for (const line of checks) console.log(line);
    const otherRefusals = [...refusals].filter(([code]) => !code.endsWith("no_requisite_available"));
    if (!run || checks.at(-1) !== "invariants: ok" || otherRefusals.length > 0 || run.errors > 0) process.exitCode = 1;
    console.log(`trading expiry of ${N}: ${expirySeconds.toFixed(1)} s, ${(N / expirySeconds).toFixed(0)} expiries/s (target: 100,000 in < 60 s)`);
    console.log(ceilingLine("trading expiry", CONNECTIONS, N / expirySeconds, run?.latency.p99 ?? null, ceiling));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
