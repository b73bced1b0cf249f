// The payout crash tests' worker processes (payout-worker-process.ts, the full worker): started with a
// point to hang at, awaited on the lines they print and on their exit, and the intent they pay out
// awaited on the intent_changed notification the product sends on every change of an intent row.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { Harness } from "./harness.js";
import { nodeEntry } from "./node-entry.js";
import { type ChannelFollower, untilAnnounced } from "./notifications.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const started: ChildProcess[] = [];

export interface PayoutWorker {
  /** Resolves once the worker printed `line`; rejects if it exits first. No deadline: the test's timeout catches a worker that never prints it. */
  waitFor(line: string): Promise<void>;
  /** Sends `signal` and resolves once the process has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

interface PayoutWorkerOptions {
  /** The test's PostgreSQL database. */
  url: string;
  /** The worker's data dir (the sandbox chain's ledger file lives there, shared with the test). */
  dataDir: string;
  /** Extra environment: the EVM chain's RAMPART_CHAIN / RAMPART_EVM_* settings. */
  env?: Record<string, string>;
  /** Where the payout stops for good (payout-worker-process.ts lists the points). */
  hangAt?: "before_send" | "after_sign" | "after_send";
}

export function spawnPayoutWorker(o: PayoutWorkerOptions): PayoutWorker {
  const child = spawn(process.execPath, [...nodeEntry("test/support/payout-worker-process.ts"), o.url, o.dataDir], {
    cwd: ROOT,
    env: { ...process.env, ...o.env, ...(o.hangAt ? { RAMPART_TEST_HANG_AT: o.hangAt } : {}) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  started.push(child);
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return {
    waitFor: (line) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!out.includes(line)) return;
          child.stdout!.off("data", check);
          resolve();
        };
        child.stdout!.on("data", check);
        child.once("exit", (code) => reject(new Error(`worker exited (${code}) before "${line}"`)));
        check();
      }),
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** SIGKILLs every worker this file started that still runs (for `after`). */
export function killPayoutWorkers(): void {
  for (const w of started) if (w.exitCode === null && w.signalCode === null) w.kill("SIGKILL");
}

/** Resolves once intent `id` shows `status`, re-read on each of its notifications on `intents` (a follower of intent_changed). */
export async function untilIntentStatus(h: Harness, intents: ChannelFollower, id: string, status: number): Promise<void> {
  const current = async () => (await h.deps.database.db.selectFrom("payment_intents").select("status").where("id", "=", id).executeTakeFirstOrThrow()).status;
  await untilAnnounced(intents, id, async () => (await current()) === status);
}
