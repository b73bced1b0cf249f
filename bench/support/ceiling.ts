// The physical write ceiling every benchmark reports against (issue 16): /work/shared/bench/pg-ceiling.sh
// (one transaction = insert a payment row + insert an outbox row, synchronous commit on) run in the same
// benchmark run, on the same PostgreSQL server, so a figure and its ceiling share the machine's load.
// A ratio to "pgbench running the same SQL" hid contention inside that SQL; the ceiling does not.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

// `../shared/bench/pg-ceiling.sh` beside the main checkout; a worktree elsewhere finds it at /work/shared.
const SCRIPTS = [process.env.BENCH_CEILING_SCRIPT, path.resolve(import.meta.dirname, "../../../shared/bench/pg-ceiling.sh"), "/work/shared/bench/pg-ceiling.sh"];

export interface Ceiling {
  /** Transactions per second at 32 clients: the figure every ratio divides by. */
  tps: number;
  /** tps per client count measured (8 and 32 by default). */
  byClients: Record<number, number>;
  /** The machine's load averages when the ceiling was measured (the machine is shared). */
  load: string;
}

/** The server part of DATABASE_URL (no database name), which pg-ceiling.sh takes as PGURL. */
function serverUrl(): string {
  const url = new URL(process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres");
  url.pathname = "";
  return url.toString().replace(/\/$/, "");
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(", ");
}

/**
 * Runs pg-ceiling.sh (asynchronously: the caller's pool keeps answering its sockets meanwhile).
 * BENCH_CEILING_SECONDS sets the seconds per client count (default 8, as the script's own default).
 */
export async function measureCeiling(clients: number[] = [8, 32]): Promise<Ceiling> {
  const script = SCRIPTS.find((s) => s && existsSync(s));
  if (!script) throw new Error("pg-ceiling.sh not found: set BENCH_CEILING_SCRIPT to its path");
  const seconds = process.env.BENCH_CEILING_SECONDS ?? "8";
  const load = loadAverage();
  const { stdout } = await promisify(execFile)("bash", [script, seconds, clients.join(" ")], { encoding: "utf8", env: { ...process.env, PGURL: serverUrl() } });
  const byClients: Record<number, number> = {};
  for (const line of stdout.split("\n")) {
    const m = /^(\d+) (\d+)$/.exec(line.trim());
    if (m) byClients[Number(m[1])] = Number(m[2]);
  }
  const tps = byClients[32] ?? Math.max(...Object.values(byClients));
  if (!(tps > 0)) throw new Error(`pg-ceiling.sh printed no tps:\n${stdout}`);
  const ceiling = { tps, byClients, load };
  console.log(`ceiling (pg-ceiling.sh, ${seconds} s per run): ${Object.entries(byClients).map(([c, t]) => `c=${c} ${t} tps`).join(", ")}; load average ${load}`);
  return ceiling;
}

/**
 * The line a benchmark ends with (issue 16):
 * `<name> c=<connections>: <req/s> req/s, p99 <ms> ms, ceiling <tps> tps, ratio <pct> %`.
 * `p99Ms` is null for a workload without per-request latency (a drain measured as a whole).
 */
export function ceilingLine(name: string, connections: number, perSecond: number, p99Ms: number | null, ceiling: Ceiling): string {
  const ratio = (100 * perSecond) / ceiling.tps;
  return `${name} c=${connections}: ${perSecond.toFixed(0)} req/s, p99 ${p99Ms === null ? "n/a" : p99Ms} ms, ceiling ${ceiling.tps} tps, ratio ${ratio.toFixed(1)} %`;
}
