// Benchmark: the status reads of issue 16 that bench/intent.ts does not cover, on PostgreSQL against a
// `rampart start --role api` process: GET /payment/trading/{id} (merchant API key) over many trading
// pay-ins, and GET /v3/payin/pay-callback?offerId= (card customer's bearer token) over many paid card
// payments, each at 8 and 32 connections, rotating over the ids. First the machine's HTTP floor: a bare
// node:http server (bench/support/http-floor.ts), then GET /healthz, the gateway's HTTP layer alone.
// Any non-2xx or socket error fails the run (exit code 1). Prints each read's share of the bare
// floor, and ends with the share of the physical write ceiling (bench/support/ceiling.ts), both
// measured in the same run. (The intent status read is bench/intent.ts.)
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/status-reads.ts [seconds]
import { randomBytes } from "node:crypto";
import autocannon from "autocannon";
import type { FastifyInstance } from "fastify";
import { createMerchantKey } from "../src/app/keys/create-keys.js";
import { SANDBOX_BANKS } from "../src/app/sandbox/seed-trading.js";
import { saveTradingSettings } from "../src/app/trading/settings-admin.js";
import { connectPostgres } from "../src/db/connect.js";
import { upsertBank } from "../src/db/trading/traders.js";
import { addCard, CARD_TEST_ENV, type CardCustomer, registerCustomer, seedCardPairs } from "../test/support/card-customer.js";
import { createPayinOverHttp } from "../test/support/trading.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { benchApp } from "./support/bench-deps.js";
import { seedBenchTraders } from "./support/bench-traders.js";
import { perRequest, startApiProcess } from "./support/api-process.js";
import { type Ceiling, ceilingLine, measureCeiling } from "./support/ceiling.js";
import { floorLine, measureHttpFloor } from "./support/http-floor.js";

const SECONDS = Number(process.argv[2] ?? 3);
const CONNECTIONS = [8, 32];
const TRADING_PAYINS = 100;
// 20 EUR each: 40 payments stay well within KYC_0's 9,700 EUR rolling limit.
const CARD_PAYMENTS = 40;
const dbName = `rampart_bench_reads_${randomBytes(4).toString("hex")}`;
const ENV = { ...CARD_TEST_ENV, RAMPART_SECRET_KEY: "bench-secret-key-0123456789abcdef0123456789" };

/** Trading pay-ins of distinct amounts (each its own slot), created over HTTP with the merchant's key. */
async function tradingPayins(app: FastifyInstance, apiKey: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < TRADING_PAYINS; i++) ids.push((await createPayinOverHttp(app, apiKey, 1000 + i)).id);
  return ids;
}

/** Paid card payments of one customer: offer, then pay (the sandbox provider approves CVV 123). */
async function paidCardOffers(app: FastifyInstance, who: CardCustomer, cardId: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < CARD_PAYMENTS; i++) {
    const offer = await app.inject({ method: "POST", url: "/v3/payin/offer", headers: who.headers, payload: { cardId, fromCurrency: "EUR", amount: 20, toCurrency: "USDT" } });
    if (offer.statusCode !== 200) throw new Error(`setup offer failed: ${offer.statusCode} ${offer.body}`);
    const offerId = String(offer.json().offerId);
    const paid = await app.inject({ method: "POST", url: `/v3/payin/pay/${offerId}`, headers: who.headers, payload: { cardCVV: "123" } });
    if (paid.json().transactionStatusCode !== 0) throw new Error(`setup payment failed: ${paid.body}`);
    ids.push(offerId);
  }
  return ids;
}

interface Load {
  name: string;
  headers: Record<string, string>;
  paths: string[];
}

async function main() {
  await admin(`CREATE DATABASE ${dbName}`);
  const database = connectPostgres({ url: urlFor(dbName), poolSize: 8 });
  const summary: string[] = [];
  const shares: string[] = [];
  let failed = false;
  try {
    const { deps, app, merchantId } = await benchApp(database, ENV);
    for (const b of SANDBOX_BANKS) await upsertBank(database.db, b);
    await saveTradingSettings(deps, merchantId, { fiatCurrency: "RUB", feeRate: "0.085" });
    await seedBenchTraders(deps, 2, 10);
    await seedCardPairs(deps);
    const apiKey = await createMerchantKey(deps, merchantId, "bench");
    const started = Date.now();
    const payinIds = await tradingPayins(app, apiKey);
    const who = await registerCustomer(app, merchantId);
    const offerIds = await paidCardOffers(app, who, await addCard(app, who, 4242424242424242));
    console.log(`setup: ${payinIds.length} trading pay-ins, ${offerIds.length} paid card payments in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    await app.close(); // the setup's app; the load goes to a server process of its own

    const ceiling: Ceiling = await measureCeiling([32]); // the ratio is to the 32-client ceiling; one client count keeps the run short
    const floor = await measureHttpFloor(SECONDS, CONNECTIONS);
    const loads: Load[] = [
      // The gateway's HTTP layer alone (no auth, no database): what its routes add to the bare floor.
      { name: "healthz (gateway HTTP layer)", headers: {}, paths: ["/healthz"] },
      { name: "trading GET", headers: { "x-api-key": apiKey }, paths: payinIds.map((id) => `/payment/trading/${id}`) },
      {
        name: "card pay-callback",
        headers: { authorization: who.headers.authorization!, "x-merchant-id": merchantId, "x-version": "1.2" },
        paths: offerIds.map((id) => `/v3/payin/pay-callback?offerId=${id}`),
      },
    ];
    const server = await startApiProcess(urlFor(dbName), ENV);
    try {
      for (const load of loads) {
        for (const connections of CONNECTIONS) {
          let i = 0;
          const cpu0 = server.cpuMs();
          const r = await autocannon({
            url: server.url,
            connections,
            duration: SECONDS,
            headers: load.headers,
            requests: [{ method: "GET", setupRequest: (req: Record<string, unknown>) => ({ ...req, path: load.paths[i++ % load.paths.length] }) }],
          });
          if (r.non2xx > 0 || r.errors > 0 || r.requests.total === 0) failed = true;
          console.log(
            `${load.name} c=${connections}: ${r.requests.average.toFixed(0)} req/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, server CPU ${perRequest(server.cpuMs() - cpu0, r)} ms/req, non-2xx ${r.non2xx}, errors ${r.errors}`,
          );
          shares.push(floorLine(load.name, connections, r.requests.average, floor));
          summary.push(ceilingLine(load.name, connections, r.requests.average, r.latency.p99, ceiling));
        }
      }
    } finally {
      await server.stop();
    }
  } finally {
    await database.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  }
  if (failed) {
    console.error("FAILED: a status read answered non-2xx or a socket failed (see the lines above)");
    process.exitCode = 1;
  }
  for (const l of [...shares, ...summary]) console.log(l);
}

await main();
