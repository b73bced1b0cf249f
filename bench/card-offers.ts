// Benchmark: card offers (POST /v3/payin/offer) and the payment outcome (GET /v3/payin/pay-callback)
// on PostgreSQL with autocannon against a `rampart start --role api` process, and in the same run
// pgbench with the offer's SQL: the insert alone, and the statement for one offer (card check, rolling
// volume and insert; the server sends it for several concurrent offers at once, and serves the bearer
// session from its cache), and pg-ceiling.sh (bench/support/ceiling.ts). It also checks that every offer
// answered 200 was stored, and ends with the share of the physical ceiling.
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/card-offers.ts [seconds]
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import autocannon from "autocannon";
import { connectPostgres } from "../src/db/connect.js";
import { addCard, CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../test/support/card-customer.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchApp } from "./support/bench-deps.js";
import { perRequest, postgresCpuMs, startApiProcess } from "./support/api-process.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";

const SECONDS = Number(process.argv[2] ?? 4);
const CONNECTIONS = [8, 32];
const dbName = `rampart_bench_card_${randomBytes(4).toString("hex")}`;
const ENV = { ...CARD_TEST_ENV, RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };


function pgbench(script: string, clients: number): { tps: number; lat: string } {
  const file = path.join(os.tmpdir(), `${dbName}-${randomBytes(3).toString("hex")}.sql`);
  fs.writeFileSync(file, script);
  const out = execFileSync("pgbench", ["-n", "-c", String(clients), "-j", String(Math.min(clients, 2)), "-T", String(SECONDS), "-f", file, urlFor(dbName)], { encoding: "utf8" });
  return { tps: Number(/tps = ([\d.]+)/.exec(out)?.[1]), lat: /latency average = ([\d.]+) ms/.exec(out)?.[1] ?? "?" };
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 32 });
  const lines: string[] = [];
  const log = (l: string) => {
    lines.push(l);
    console.log(l);
  };
  try {
    const { deps, app, merchantId } = await benchApp(database, ENV);
    await seedCardPairs(deps);
    const who = await registerCustomer(app, merchantId);
    const cardId = await addCard(app, who, 4242424242424242);
    const offer = (await app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT" } })).json();
    const paid = await app.inject({ method: "POST", url: `/v3/payin/pay/${offer.offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
    if (paid.json().transactionStatusCode !== 0) throw new Error(`setup payment failed: ${paid.body}`);
    await app.close(); // the setup's app; the load goes to a server process of its own
    const ceiling = await measureCeiling();
    const summary: string[] = [];
    const server = await startApiProcess(urlFor(dbName), ENV);
    const base = server.url;
    const headers = { "content-type": "application/json", authorization: who.headers.authorization!, "x-merchant-id": merchantId };
    const offerBody = JSON.stringify({ cardId, fromCurrency: "EUR", amount: 100, toCurrency: "USDT", operation: "PAYIN" });

    const countOffers = async () => Number((await database.db.selectFrom("card_offers").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow()).n);
    const offersBefore = await countOffers();
    let answered = 0;
    for (const connections of CONNECTIONS) {
      const cpu0 = server.cpuMs();
      const db0 = postgresCpuMs();
      const r = await autocannon({ url: `${base}/v3/payin/offer`, connections, duration: SECONDS, method: "POST", headers, body: offerBody });
      answered += r["2xx"];
      summary.push(ceilingLine("card-offer", connections, r.requests.average, r.latency.p99, ceiling));
      log(`POST /v3/payin/offer c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req, PostgreSQL CPU ${perRequest(postgresCpuMs() - db0, r)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
    // Every 200 must be a stored offer (autocannon may stop with requests in flight: those can add rows).
    await new Promise((r) => setTimeout(r, 500));
    const written = (await countOffers()) - offersBefore;
    log(`offers answered 200: ${answered}, offers written: ${written}${written >= answered ? "" : "  ← MISSING OFFERS"}`);
    for (const connections of CONNECTIONS) {
      const cpu0 = server.cpuMs();
      const r = await autocannon({ url: `${base}/v3/payin/pay-callback?offerId=${offer.offerId}`, connections, duration: SECONDS, headers });
      summary.unshift(ceilingLine("card-pay-callback", connections, r.requests.average, r.latency.p99, ceiling));
      log(`GET /v3/payin/pay-callback c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`);
    }
    await server.stop();

    const customerId = (await database.db.selectFrom("card_customers").select("id").executeTakeFirstOrThrow()).id;
    await database.close(); // free the pool's connections for pgbench
    const insert = `INSERT INTO card_offers (customer_id, card_id, fiat, fiat_minor, crypto, crypto_network, crypto_decimals, crypto_minor, fee_minor, mid_rate, rate_source, expires_at, created_at, updated_at)
  VALUES ('${customerId}', ${cardId}, 'EUR', 10000, 'USDT', 'erc20', 6, 105119563, 175, '0.93', 'fixed', now() + interval '20 seconds', now(), now()) RETURNING *;`;
    // The offer as the API sends it: the bearer session comes from the process's cache, then one
    // statement checks the card and the rolling volume and inserts (src/db/card/offers.ts).
    const whole = `WITH card AS (SELECT id FROM card_cards WHERE id = ${cardId} AND customer_id = '${customerId}'),
  vol AS (SELECT coalesce(sum(limit_minor), 0)::text AS used, coalesce(sum(limit_minor) FILTER (WHERE status IN ('authorizing', 'challenge', 'provider_error')), 0)::text AS pending
          FROM card_payments WHERE customer_id = '${customerId}' AND created_at > now() - interval '30 days' AND status <> 'failed'),
  ins AS (INSERT INTO card_offers (customer_id, card_id, fiat, fiat_minor, crypto, crypto_network, crypto_decimals, crypto_minor, fee_minor, mid_rate, rate_source, expires_at, created_at, updated_at)
          SELECT '${customerId}', ${cardId}, 'EUR', 10000, 'USDT', 'erc20', 6, 105119563, 175, '0.93', 'fixed', now() + interval '20 seconds', now(), now() FROM card, vol
          WHERE vol.used::numeric + 10000 <= 30000 RETURNING *)
SELECT (SELECT count(*) FROM card)::int AS card_found, vol.used, vol.pending, ins.* FROM vol LEFT JOIN ins ON true;`;
    for (const clients of CONNECTIONS) {
      const a = pgbench(insert, clients);
      log(`pgbench insert only c=${clients}: ${a.tps.toFixed(0)} tps, latency avg ${a.lat} ms`);
      const b = pgbench(whole, clients);
      log(`pgbench offer statement c=${clients}: ${b.tps.toFixed(0)} tps, latency avg ${b.lat} ms`);
    }
    for (const l of summary) log(l); // the card offer at 32 connections last
  } finally {
    await database.close().catch(() => {});
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
  return lines;
}

await main();
