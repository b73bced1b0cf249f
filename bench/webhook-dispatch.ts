// Webhook dispatcher throughput: deliveries/s by ONE worker process (test/support/worker-process.ts,
// the production delivery task) to loopback receivers answering 200 at once, to 1 endpoint and spread over
// 10 endpoints. Each run gets a fresh database with N due trading-format messages; the clock runs from the
// first request received until every message is recorded as delivered. Correctness in the same run: each
// receiver's requests are counted against what was enqueued (every event exactly once, none missing), every
// request's x-signature is verified against the merchant's key, and every message has its attempt row.
// Ends with pg-ceiling.sh's ceiling measured in the same run (bench/support/ceiling.ts); there `c=` is the
// number of receiver endpoints and p99 is n/a (the drain is timed as a whole).
// The tables are analyzed once the messages are in, as autovacuum leaves them while a backlog builds up
// (bench/trading-expiry.ts and bench/trading-allocation.ts do the same). BENCH_STALE_STATS=1 analyzes
// them while every message still looks delivered instead, as after quiet hours: the claim is then
// planned as if few were pending, which once drained a backlog of 5,000 at 49-250 a second instead of
// thousands (docs/benchmarks.md, 2026-12-07).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/webhook-dispatch.ts [N] [endpoint counts, e.g. 1,10]
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { sql } from "kysely";
import { merchantSigningKey } from "../src/app/auth/authenticate.js";
import { enqueueWebhook } from "../src/app/outbox/outbox.js";
import type { Deps } from "../src/app/deps.js";
import { verifyTradingBody } from "../src/core/webhooks/signatures.js";
import { createMerchant } from "../test/support/factories.js";
import { createHarness } from "../test/support/harness.js";
import { usePostgres } from "../test/support/test-db.js";
import { type Receiver, startReceiver } from "../test/support/webhook-receiver.js";
import { ceilingLine, loadAverage, measureCeiling } from "./support/ceiling.js";

const N = Number(process.argv[2] ?? 20_000);
/** Endpoint counts to run, comma-separated (default "1,10"). */
const ENDPOINT_COUNTS = (process.argv[3] ?? "1,10").split(",").map(Number);
const STALE_STATS = process.env.BENCH_STALE_STATS === "1";
const ROOT = path.resolve(import.meta.dirname, "..");
if (!usePostgres()) {
  process.stderr.write("Set DATABASE_URL to a PostgreSQL server: the worker runs as its own process on one database.\n");
  process.exit(2);
}

/** Enqueues N messages round-robin over the receivers, 1,000 per transaction; returns the signing key id. */
async function enqueue(deps: Deps, receivers: Receiver[]): Promise<string> {
  const m = await createMerchant(deps);
  const apiKeyId = m.apiKeyId;
  for (let chunk = 0; chunk < N; chunk += 1000) {
    await deps.database.db.transaction().execute(async (trx) => {
      for (let i = chunk; i < Math.min(N, chunk + 1000); i++) {
        await enqueueWebhook(trx, {
          merchantId: m.merchantId,
          format: "trading",
          url: `${receivers[i % receivers.length]!.url}/hook`,
          eventId: `evt_bench_${i}`,
          orderingKey: `payin_${i}`,
          body: JSON.stringify({ id: `payin_${i}`, status: "closed", fiatAmount: "5000.00", cryptoAmount: "50443906" }),
          signingKeyRef: { kind: "api_key", apiKeyId },
        });
      }
    });
  }
  return apiKeyId;
}

function spawnWorker(url: string): Promise<ChildProcess> {
  // BENCH_CPU_PROF=<dir>: the worker writes a V8 CPU profile there when it exits (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // The production request timeout (10 s), not the worker script's 2 s: on a loaded machine the loopback
  // receivers, in this process, answer a deep pool slowly, and a timed-out request is sent again.
  const env = { ...process.env, RAMPART_WEBHOOK_TIMEOUT_MS: process.env.RAMPART_WEBHOOK_TIMEOUT_MS ?? "10000" };
  const child = spawn(process.execPath, [...profile, "--import", "tsx", path.join(ROOT, "test/support/worker-process.ts"), url], { cwd: ROOT, env, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve(child)));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux). */
function cpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

interface Run {
  perSecond: number;
  cpuMsPerWebhook: number;
  problems: string[];
}

async function run(endpoints: number): Promise<Run> {
  const h = await createHarness({ poolSize: 2 });
  const receivers = await Promise.all(Array.from({ length: endpoints }, () => startReceiver(() => ({ status: 200, body: "ok" }))));
  try {
    const apiKeyId = await enqueue(h.deps, receivers);
    const db = h.deps.database.db;
    if (STALE_STATS) await sql`UPDATE webhook_messages SET status = 'delivered', delivered_at = now()`.execute(db);
    await sql`ANALYZE`.execute(db);
    if (STALE_STATS) await sql`UPDATE webhook_messages SET status = 'pending', delivered_at = NULL`.execute(db);
    const worker = await spawnWorker(h.testDb.url!);
    try {
      const all = () => receivers.flatMap((r) => r.received);
      while (all().length === 0) await new Promise((r) => setTimeout(r, 5));
      const t0 = Math.min(...all().map((r) => r.receivedAt));
      const cpu0 = cpuSeconds(worker.pid!); // leaves out process start-up (tsx compiling)
      const delivered = () =>
        h.deps.database.db.selectFrom("webhook_messages").select((eb) => eb.fn.countAll<string>().as("n")).where("status", "=", "delivered").executeTakeFirstOrThrow();
      while (Number((await delivered()).n) < N) await new Promise((r) => setTimeout(r, 20));
      const seconds = (Date.now() - t0) / 1000;
      const cpu = cpuSeconds(worker.pid!) - cpu0;
      // Correctness: what the receivers got against what was enqueued.
      const problems: string[] = [];
      const key = (await merchantSigningKey(h.deps, apiKeyId))!;
      const seen = new Map<string, number>();
      let unsigned = 0;
      for (const r of all()) {
        const id = String(r.headers["x-rampart-event-id"]);
        seen.set(id, (seen.get(id) ?? 0) + 1);
        if (!verifyTradingBody(key, r.body, String(r.headers["x-signature"] ?? ""))) unsigned++;
      }
      const missing = N - seen.size;
      const duplicates = [...seen.values()].filter((n) => n > 1).length;
      if (missing !== 0) problems.push(`${missing} enqueued messages never received`);
      if (duplicates !== 0) problems.push(`${duplicates} messages received more than once`);
      if (unsigned !== 0) problems.push(`${unsigned} requests with a bad or missing signature`);
      const perEndpoint = receivers.map((r) => r.received.length);
      if (perEndpoint.some((n) => n !== N / endpoints)) problems.push(`per-endpoint counts ${perEndpoint.join("/")} (expected ${N / endpoints} each)`);
      const attempts = await sql<{ n: string; total: string; retried: string }>`
        SELECT (SELECT count(DISTINCT message_seq) FROM webhook_attempts WHERE status_code = 200) AS n,
               (SELECT count(*) FROM webhook_attempts) AS total,
               (SELECT count(*) FROM webhook_messages WHERE attempts <> 1) AS retried`.execute(h.deps.database.db);
      const { n: recorded, total, retried } = attempts.rows[0]!;
      if (Number(recorded) !== N) problems.push(`${recorded} messages with a recorded 200 attempt, expected ${N}`);
      if (Number(total) !== N || Number(retried) !== 0) problems.push(`${total} attempts recorded for ${N} messages, ${retried} messages attempted other than once`);
      console.log(
        `${endpoints} endpoint(s): ${N} enqueued, ${all().length} received (${perEndpoint.join("/")}), ${total} attempts recorded, ` +
          `signatures ${unsigned === 0 ? "all valid" : `${unsigned} BAD`}${problems.length ? `  ← ${problems.join("; ")}` : ""}`,
      );
      return { perSecond: N / seconds, cpuMsPerWebhook: (cpu * 1000) / N, problems };
    } finally {
      // SIGTERM: the worker stops cleanly (and writes its CPU profile when asked to).
      const exited = new Promise((r) => worker.once("exit", r));
      worker.kill("SIGTERM");
      await exited;
    }
  } finally {
    await Promise.all(receivers.map((r) => r.close()));
    await h.close();
  }
}

const ceiling = await measureCeiling();
const results: [number, Run][] = [];
for (const endpoints of ENDPOINT_COUNTS) {
  const r = await run(endpoints);
  results.push([endpoints, r]);
  console.log(`1 worker process, ${endpoints} endpoint(s): ${r.perSecond.toFixed(0)} webhooks/s, worker CPU ${r.cpuMsPerWebhook.toFixed(3)} ms/webhook (load average ${loadAverage()})`);
}
if (results.some(([, r]) => r.problems.length > 0)) process.exitCode = 1;
for (const [endpoints, r] of results) console.log(ceilingLine(`webhook-dispatch-${endpoints}ep`, endpoints, r.perSecond, null, ceiling));
process.exit();
