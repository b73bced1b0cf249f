// Runs the gateway under load as its own process (`rampart start --role api`, the production entry
// point), so autocannon in the benchmark process does not share the server's event loop, the way a
// real client never does; the bare HTTP floor (./bare-http-server.ts) runs the same way. The figures
// it returns include the server process's CPU per request. That swings less than req/s with whatever
// else shares the cores, but it swings too: one afternoon the same cached read cost 0.057 to 0.100 ms.
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

export interface ApiProcess {
  url: string;
  /** CPU time (user + system) the server process has used so far, from /proc (Linux). */
  cpuMs(): number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function processCpuMs(pid: number | string): number {
  // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/**
 * CPU time (user + system) PostgreSQL's processes on this machine have used so far, from /proc (Linux):
 * with the server's own figure it shows where a write's CPU goes, since both share the machine's cores.
 * A backend that exits between two readings takes its share with it; the pools keep theirs open.
 */
export function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, "utf8") === "postgres\n") total += processCpuMs(pid);
    } catch {
      // The process exited between the listing and the reading.
    }
  }
  return total;
}

/** Starts `args` (a Node entry point and its arguments) with `env`, and waits until it prints its `url:`. */
async function startServerProcess(args: string[], env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, ...env, HOST: "127.0.0.1", PORT: String(port) },
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("url:")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`${args.join(" ")} exited with ${code} before listening:\n${out}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    cpuMs: () => processCpuMs(child.pid!),
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** Starts the API role on `databaseUrl` with `env` on top of a quiet, unthrottled configuration. */
export function startApiProcess(databaseUrl: string, env: Record<string, string>): Promise<ApiProcess> {
  return startServerProcess([path.join(ROOT, "bin/rampart.js"), "start", "--role", "api"], {
    LOG_LEVEL: "warn",
    RAMPART_RATE_LIMIT_PER_MINUTE: "0",
    ...env,
    DATABASE_URL: databaseUrl,
  });
}

/** Starts the bare node:http server (./bare-http-server.ts): the HTTP floor of the machine, without the gateway. */
export function startBareHttpProcess(): Promise<ApiProcess> {
  return startServerProcess(["--import", "tsx", path.join(ROOT, "bench/support/bare-http-server.ts")], {});
}

/** Server CPU milliseconds per completed request over an autocannon run. */
export function perRequest(cpuMs: number, result: { requests: { total: number } }): string {
  return (cpuMs / Math.max(1, result.requests.total)).toFixed(3);
}
