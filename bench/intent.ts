// Benchmark: payment intents on PostgreSQL. POST /payment/intent for a user whose KYC is already valid
// (→ status 4: user upsert, intent + events, order number, payment-window job) and
// GET /payment/intent/{id}/status, with autocannon at 1, 8 and 32 connections; in the same run pgbench
// with the create's SQL and the status read's SQL, pg-ceiling.sh (bench/support/ceiling.ts), and the
// machine's bare HTTP floor (bench/support/http-floor.ts). Prints req/s, p50/p99, the ratios, the status
// read's share of the bare floor, and last the share of the physical ceiling.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/intent.ts [seconds]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { sql } from "kysely";
import type { Deps } from "../src/app/deps.js";
import { ensureIntentSettings } from "../src/app/intents/store-settings.js";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { sandboxCredentials } from "../src/app/sandbox/sandbox-credentials.js";
import { seedPricing } from "../src/app/sandbox/seed-pricing.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchDeps } from "./support/bench-deps.js";
import { perRequest, postgresCpuMs, startApiProcess } from "./support/api-process.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";
import { floorLine, measureHttpFloor } from "./support/http-floor.js";

const SECONDS = Number(process.argv[2] ?? 3);
const CONNECTIONS = [1, 8, 32];
const dbName = `rampart_bench_intent_${randomBytes(4).toString("hex")}`;
const EMAIL = "bench.user@example.com";
const WALLET = "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t";
const ENV = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92", RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

async function setup(deps: Deps) {
  await seedPricing(deps, sandboxCredentials(deps.config.secretKey));
  const merchantId = crypto.randomUUID();
  const storeId = "store_bench";
  await deps.database.db.insertInto("merchants").values({ id: merchantId, name: "bench" }).execute();
  await deps.database.db.insertInto("stores").values({ id: storeId, merchant_id: merchantId, name: "bench" }).execute();
  const apiKey = await createMerchantKey(deps, merchantId, "bench");
  await ensureIntentSettings(deps, {
    storeId,
    servedCountries: ["ES"],
    bank: { iban: "ES9121000418450200051332", bic: "CAIXESBBXXX", beneficiary: "Bench", bankName: "Bench Bank" },
  });
  // The user's KYC is already approved, so every create lands on 4.
  const userId = "usr_bench";
  const now = new Date();
  await deps.database.db.insertInto("kyc_users").values({ id: userId, store_id: storeId, email: EMAIL }).execute();
  await deps.database.db
    .insertInto("kyc_cases")
    .values({ id: "kyc_bench0000000000", user_id: userId, level: "KYC_1", status: "approved", files: "[]", decided_at: now, expires_at: new Date(now.getTime() + 365 * 86_400_000), created_at: now, updated_at: now })
    .execute();
  return { apiKey, merchantId, storeId, userId };
}

function createBody(storeId: string): string {
  return JSON.stringify({ email: EMAIL, currencyIsoCode: "EUR", cryptoSymbol: "USDT", network: "trc20", walletAddress: WALLET, ip: "203.0.113.7", storeId, fiatAmount: 100, countryIsoCode: "ES" });
}

/** pgbench: the statements of one create (KYC valid), in one transaction, plus the reads before it. */
function pgbenchCreate(merchantId: string, storeId: string, userId: string): string {
  return `
SELECT st.merchant_id AS owner_merchant_id, s.* FROM stores st LEFT JOIN intent_store_settings s ON s.store_id = st.id WHERE st.id = '${storeId}';
SELECT p.*, a.symbol, a.network, a.name, a.decimals, a.address_format FROM pairs p LEFT JOIN assets a ON a.symbol = p.crypto AND a.network = p.network AND a.enabled
  WHERE p.fiat = 'EUR' AND p.crypto = 'USDT' AND p.network = 'trc20';
BEGIN;
WITH ins AS (INSERT INTO kyc_users (id, store_id, email) VALUES ('usr_x' || md5(random()::text), '${storeId}', '${EMAIL}') ON CONFLICT (store_id, email) DO NOTHING RETURNING id)
  SELECT id FROM ins UNION ALL SELECT id FROM kyc_users WHERE store_id = '${storeId}' AND email = '${EMAIL}';
WITH i AS (INSERT INTO payment_intents (id, merchant_id, store_id, user_id, status, email, country, ip, payment_method, fiat_currency, fiat_minor, fee_fiat_minor,
  crypto_symbol, network, crypto_minor, network_fee_minor, rate, rate_source, rate_fetched_at, wallet_address, reference, created_at, updated_at)
  VALUES ('pi_' || md5(random()::text), '${merchantId}', '${storeId}', '${userId}', 1, '${EMAIL}', 'ES', '203.0.113.7', 'bank_transfer', 'EUR', 10000, 175,
  'USDT', 'trc20', 106000000, 1000000, '0.9246', 'fixed', now(), '${WALLET}', 'RMP' || md5(random()::text), now(), now()) RETURNING *),
  e AS (INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data) SELECT id, NULL, status, 'merchant', now(), '{}' FROM i)
  SELECT * FROM i \\gset i_
SELECT * FROM kyc_cases WHERE user_id = '${userId}' AND level = 'KYC_1' AND status = 'approved' ORDER BY decided_at DESC LIMIT 1;
INSERT INTO jobs (id, kind, key, payload, due_at, status, attempts, created_at) VALUES (gen_random_uuid(), 'intent.timeout', 'bench:' || ':i_id', '{}', now() + interval '1 hour', 'pending', 0, now()) ON CONFLICT DO NOTHING;
WITH u AS (UPDATE payment_intents SET status = 4, window_ends_at = now() + interval '1 hour', updated_at = now(),
  bank_iban = 'ES9121000418450200051332', bank_bic = 'CAIXESBBXXX', bank_beneficiary = 'Bench', bank_name = 'Bench Bank',
  order_number = coalesce(order_number, 'ORD-' || nextval('intent_order_number_seq')) WHERE id = ':i_id' RETURNING *),
  e AS (INSERT INTO payment_intent_events (intent_id, from_status, to_status, actor, at, data) SELECT id, 1, status, 'system', now(), '{"action":"kyc_already_valid"}' FROM u)
  SELECT * FROM u;
COMMIT;
`;
}

/** pgbench: the status read (the merchant's key lookup, then the intent by id and merchant). */
function pgbenchStatus(merchantId: string, apiKeyId: string, ids: string[]): string {
  return `\\set n random(0, ${ids.length - 1})
SELECT * FROM api_keys WHERE id = '${apiKeyId}' AND revoked_at IS NULL;
SELECT p.* FROM bench_ids b JOIN payment_intents p ON p.id = b.id AND p.merchant_id = '${merchantId}' WHERE b.n = :n;
`;
}

function pgbench(script: string, clients: number, name: string): number {
  const file = path.join(os.tmpdir(), `${dbName}-${name}.sql`);
  fs.writeFileSync(file, script);
  const out = execFileSync("pgbench", ["-n", "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(SECONDS), "-f", file, urlFor(dbName)], { encoding: "utf8" });
  return Number(/tps = ([\d.]+)/.exec(out)?.[1]);
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 40 });
  try {
    await migrate(database);
    const deps = await benchDeps(database, ENV);
    const { apiKey, merchantId, storeId, userId } = await setup(deps);
    const ceiling = await measureCeiling();
    const floor = await measureHttpFloor(SECONDS, [8, 32]);
    const server = await startApiProcess(urlFor(dbName), ENV);
    const base = server.url;
    const create: Record<number, number> = {};
    const status: Record<number, number> = {};
    const p99: Record<string, number> = {};
    for (const connections of CONNECTIONS) {
      const cpu0 = server.cpuMs();
      const db0 = postgresCpuMs();
      const r = await autocannon({ url: `${base}/payment/intent`, connections, duration: SECONDS, method: "POST", headers: { "content-type": "application/json", "x-api-key": apiKey }, body: createBody(storeId) });
      create[connections] = r.requests.average;
      p99[`create${connections}`] = r.latency.p99;
      console.log(`create     autocannon c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req, PostgreSQL CPU ${perRequest(postgresCpuMs() - db0, r)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
    const ids = (await database.db.selectFrom("payment_intents").select("id").where("status", "=", 4).limit(1000).execute()).map((r) => r.id);
    for (const connections of CONNECTIONS) {
      let i = 0;
      const cpu0 = server.cpuMs();
      const r = await autocannon({
        url: base,
        connections,
        duration: SECONDS,
        headers: { "x-api-key": apiKey },
        requests: [{ method: "GET", setupRequest: (req: Record<string, unknown>) => ({ ...req, path: `/payment/intent/${ids[i++ % ids.length]}/status` }) }],
      });
      status[connections] = r.requests.average;
      p99[`status${connections}`] = r.latency.p99;
      console.log(`status     autocannon c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
    await server.stop();
    const apiKeyId = (await database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", merchantId).executeTakeFirstOrThrow()).id;
    // Random ids for pgbench: a numbered copy of the ids the API read (one PK probe per lookup).
    await sql`CREATE TABLE bench_ids (n integer PRIMARY KEY, id text NOT NULL)`.execute(database.db);
    await database.db.insertInto("bench_ids" as never).values(ids.map((id, n) => ({ n, id })) as never).execute();
    for (const clients of CONNECTIONS) {
      const tps = pgbench(pgbenchCreate(merchantId, storeId, userId), clients, "create");
      console.log(`create     pgbench    c=${clients}: ${tps.toFixed(0)} tps → API at ${((100 * create[clients]!) / tps).toFixed(0)} % of pgbench`);
    }
    for (const clients of CONNECTIONS) {
      const tps = pgbench(pgbenchStatus(merchantId, apiKeyId, ids), clients, "status");
      console.log(`status     pgbench    c=${clients}: ${tps.toFixed(0)} tps → API at ${((100 * status[clients]!) / tps).toFixed(0)} % of pgbench`);
    }
    for (const c of [8, 32]) console.log(floorLine("intent-status", c, status[c]!, floor));
    for (const c of [8, 32]) console.log(ceilingLine("intent-status", c, status[c]!, p99[`status${c}`]!, ceiling));
    console.log(ceilingLine("intent-create", 32, create[32]!, p99.create32!, ceiling));
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
}

await main();
