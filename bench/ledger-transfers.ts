// Sustained ledger transfers/s on PostgreSQL from concurrent writers, each transfer in its own
// transaction (lock balance rows → check → insert transfer + entries → update balances → commit,
// with the deferred balance check at commit). Two phases:
//   independent: each writer moves between its own two accounts (no row contention);
//   shared fee:  trader → merchant + platform fee revenue, every writer hitting ONE fee account
//                (the trading pay-in shape: the shared row lock serialises commits).
// Ends with each phase's share of the physical ceiling (pg-ceiling.sh, bench/support/ceiling.ts).
// Usage: DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/ledger-transfers.ts [--writers 8] [--seconds 8]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { type AccountRef, postTransfer } from "../src/app/ledger/ledger.js";
import { formatLedgerReport, verifyLedger } from "../src/app/ledger/verify-ledger.js";
import { connectPostgres } from "../src/db/connect.js";
import { migrate } from "../src/db/migrate.js";
import { adminQuery as admin, databaseUrlFor as urlFor } from "../test/support/test-db.js";
import { type Ceiling, ceilingLine, measureCeiling } from "./support/ceiling.js";

const { values } = parseArgs({ options: { writers: { type: "string", default: "8" }, seconds: { type: "string", default: "8" } } });
const WRITERS = Number(values.writers);
const SECONDS = Number(values.seconds);


const name = `rampart_bench_${randomBytes(4).toString("hex")}`;
await admin(`CREATE DATABASE ${name}`);
const database = connectPostgres({ url: urlFor(name), poolSize: WRITERS });
const db = database.db;

const funding: AccountRef = { owner: "platform", asset: "USDT", purpose: "platform_funding" };
const fees: AccountRef = { owner: "platform", asset: "USDT", purpose: "fee_revenue" };
const trader = (w: number): AccountRef => ({ owner: `trader:bench${w}`, asset: "USDT", purpose: "trader_deposit" });
const merchant = (w: number): AccountRef => ({ owner: `merchant:bench${w}`, asset: "USDT", purpose: "merchant_balance" });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function phase(label: string, ceiling: Ceiling, entriesFor: (w: number) => { account: AccountRef; amountMinor: bigint }[]) {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let seq = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      while (performance.now() < deadline) {
        const id = `${label}:${w}:${seq++}`;
        const t0 = performance.now();
        await db.transaction().execute((trx) => postTransfer(trx, { id, code: "bench", ref: { type: "bench", id }, entries: entriesFor(w) }, new Date()));
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const tps = latencies.length / elapsed;
  console.log(
    `${label.padEnd(12)} ${WRITERS} writers, ${elapsed.toFixed(1)} s: ${latencies.length} transfers, ${tps.toFixed(0)} transfers/s, ` +
      `p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms`,
  );
  return ceilingLine(`ledger-${label}`, WRITERS, tps, Number(percentile(latencies, 99).toFixed(1)), ceiling);
}

try {
  await migrate(database);
  // Fund every trader generously, so no transfer is refused.
  for (let w = 0; w < WRITERS; w++) {
    await db.transaction().execute((trx) =>
      postTransfer(trx, { id: `fund:${w}`, code: "fund", ref: { type: "bench", id: String(w) }, entries: [{ account: funding, amountMinor: -(10n ** 15n) }, { account: trader(w), amountMinor: 10n ** 15n }] }, new Date()),
    );
  }
  const ceiling = await measureCeiling();
  const independent = await phase("independent", ceiling, (w) => [
    { account: trader(w), amountMinor: -1_000_000n },
    { account: merchant(w), amountMinor: 1_000_000n },
  ]);
  const sharedFee = await phase("shared-fee", ceiling, (w) => [
    { account: trader(w), amountMinor: -1_000_000n },
    { account: merchant(w), amountMinor: 990_000n },
    { account: fees, amountMinor: 10_000n },
  ]);
  const report = await verifyLedger(db);
  console.log(formatLedgerReport(report));
  if (!report.ok) process.exitCode = 1;
  console.log(independent);
  console.log(sharedFee);
} finally {
  await database.close();
  await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
