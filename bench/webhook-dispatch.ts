// Webhook dispatcher throughput: webhooks/s delivered to a loopback receiver by 1 and by 3 worker
// processes sharing one PostgreSQL. Each run gets a fresh database with N due messages, then the
// workers are started and the clock runs until every message is delivered (receiver answers 200 at once).
//
//   DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/webhook-dispatch.ts [N] [endpoints]
//
// `endpoints` (default 1) spreads the messages round-robin over that many receiver URLs (endpoints):
// one process keeps at most ~16 requests in flight per endpoint, 50 in all.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { enqueueWebhook } from "../src/app/outbox/outbox.js";
import type { Deps } from "../src/app/deps.js";
import { createMerchant } from "../test/support/factories.js";
import { createHarness } from "../test/support/harness.js";
import { usePostgres } from "../test/support/test-db.js";
import { startReceiver } from "../test/support/webhook-receiver.js";
import { ceilingLine, measureCeiling } from "./support/ceiling.js";

const N = Number(process.argv[2] ?? 3000);
const ENDPOINTS = Number(process.argv[3] ?? 1);
const ROOT = path.resolve(import.meta.dirname, "..");
if (!usePostgres()) {
  process.stderr.write("Set DATABASE_URL to a PostgreSQL server: the benchmark runs several worker processes on one database.\n");
  process.exit(2);
}

async function enqueue(deps: Deps, n: number, baseUrl: string) {
  const m = await createMerchant(deps);
  const apiKeyId = (await deps.database.db.selectFrom("api_keys").select("id").where("merchant_id", "=", m.merchantId).executeTakeFirstOrThrow()).id;
  for (let chunk = 0; chunk < n; chunk += 500) {
    await deps.database.db.transaction().execute(async (trx) => {
      for (let i = chunk; i < Math.min(n, chunk + 500); i++) {
        await enqueueWebhook(trx, {
          merchantId: m.merchantId,
          format: "trading",
          url: `${baseUrl}/hook${i % ENDPOINTS}`,
          eventId: `evt_bench_${i}`,
          orderingKey: `payin_${i}`,
          body: JSON.stringify({ id: `payin_${i}`, status: "closed", fiatAmount: "5000.00", cryptoAmount: "50443906" }),
          signingKeyRef: { kind: "api_key", apiKeyId },
        });
      }
    });
  }
}

function spawnWorker(url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "test/support/webhook-worker-process.ts"), url], { cwd: ROOT, stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.stdout!.on("data", (c: Buffer) => c.toString().includes("ready") && resolve(child)));
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); null elsewhere. */
function cpuSeconds(pid: number | undefined): number | null {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return null;
  }
}

// Throughput swings with whatever else shares the cores; the workers' CPU per webhook does not, so both are printed.
async function run(workers: number): Promise<{ perSecond: number; cpuMsPerWebhook: number | null }> {
  const h = await createHarness({ poolSize: 2 });
  const rx = await startReceiver(() => ({ status: 200, body: "ok" }));
  try {
    await enqueue(h.deps, N, rx.url);
    const children = await Promise.all(Array.from({ length: workers }, () => spawnWorker(h.testDb.url!)));
    // Workers are polling now; count from the first request received.
    while (rx.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    const t0 = rx.received[0]!.receivedAt;
    const cpuAtStart = children.map((c) => cpuSeconds(c.pid)); // leaves out process start-up (tsx compiling)
    const count = () => h.deps.database.db.selectFrom("webhook_messages").select((eb) => eb.fn.countAll().as("n")).where("status", "=", "delivered").executeTakeFirstOrThrow();
    while (Number((await count()).n) < N) await new Promise((r) => setTimeout(r, 20));
    const seconds = (Date.now() - t0) / 1000;
    const cpu = children.map((c, i) => {
      const [end, begin] = [cpuSeconds(c.pid), cpuAtStart[i]];
      return end === null || begin === null || begin === undefined ? null : end - begin;
    });
    for (const c of children) c.kill("SIGKILL");
    const total = cpu.every((x) => x !== null) ? cpu.reduce((a, b) => a! + b!, 0)! : null;
    return { perSecond: N / seconds, cpuMsPerWebhook: total === null ? null : (total * 1000) / N };
  } finally {
    await rx.close();
    await h.close();
  }
}

const line = (label: string, r: { perSecond: number; cpuMsPerWebhook: number | null }) =>
  `${label} ${r.perSecond.toFixed(0)} webhooks/s, worker CPU ${r.cpuMsPerWebhook?.toFixed(2) ?? "?"} ms/webhook (${N} messages, ${ENDPOINTS} endpoint(s))\n`;
const ceiling = await measureCeiling();
const one = await run(1);
process.stdout.write(line("1 worker process:  ", one));
process.stdout.write(line("3 worker processes:", await run(3)));
// No per-delivery latency: the drain is timed as a whole.
console.log(ceilingLine(`webhook-dispatch-${ENDPOINTS}ep`, 1, one.perSecond, null, ceiling));
process.exit(0);
