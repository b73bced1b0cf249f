// Runs the gateway under load as its own process (`rampart start --role api`, the production entry
// point), so autocannon in the benchmark process does not share the server's event loop, the way a
// real client never does. The figures it returns include the server process's CPU per request, which
// does not swing with whatever else shares the cores.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
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

function processCpuMs(pid: number): number {
  // /proc/<pid>/stat fields 14 and 15: utime and stime in clock ticks (100 per second on Linux).
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Starts the API role on `databaseUrl` with `env` on top of a quiet, unthrottled configuration. */
export async function startApiProcess(databaseUrl: string, env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  const child: ChildProcess = spawn(process.execPath, [...profile, path.join(ROOT, "bin/rampart.js"), "start", "--role", "api"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
    env: { ...process.env, LOG_LEVEL: "warn", RAMPART_RATE_LIMIT_PER_MINUTE: "0", ...env, DATABASE_URL: databaseUrl, HOST: "127.0.0.1", PORT: String(port) },
  });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("url:")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`rampart start exited with ${code} before listening:\n${out}`)));
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

/** Server CPU milliseconds per completed request over an autocannon run. */
export function perRequest(cpuMs: number, result: { requests: { total: number } }): string {
  return (cpuMs / Math.max(1, result.requests.total)).toFixed(3);
}
