// Runs `rampart <args>` as a separate process, as an operator would (the CLI bin/rampart.js starts; see
// node-entry.ts for how it is loaded), and collects its exit code and output. `env` replaces the
// environment's Rampart variables: DATABASE_URL and the RAMPART_* variables of the test run are
// dropped unless given.
import { spawn } from "node:child_process";
import path from "node:path";
import { nodeEntry } from "./node-entry.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
/** What bin/rampart.js runs; start-process.test.ts runs bin/rampart.js itself. */
const CLI = nodeEntry("src/main/cli.ts");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cliEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== "DATABASE_URL" && !k.startsWith("RAMPART_")));
  return { ...base, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn", ...env };
}

export function runCli(args: string[], env: Record<string, string>, cwd = ROOT): Promise<CliResult> {
  return runNode([...CLI, ...args], cliEnv(env), cwd);
}

/** `node <args>` with exactly `env`, collecting its exit code and output. */
export function runNode(args: string[], env: NodeJS.ProcessEnv, cwd = ROOT): Promise<CliResult> {
  const child = spawn(process.execPath, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

export interface RunningCli {
  /** The URL it printed, on 127.0.0.1. */
  url: string;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** SIGTERM, and wait for the exit; resolves with its exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
}

/**
 * `rampart <args>` that keeps running (`start`), with the environment of runCli: resolves once it printed
 * its `url:` line and `ready` holds for its output, or rejects with that output if it exits first. No
 * deadline of its own: the test's timeout only catches a start that never comes.
 */
export async function startCli(args: string[], env: Record<string, string>, opts: { cwd?: string; ready?: (out: string) => boolean } = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, [...CLI, ...args], { cwd: opts.cwd ?? ROOT, env: cliEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stderr.on("data", (c: Buffer) => (out += c.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
    return child.exitCode;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const m = /^url:\s+(\S+)$/m.exec(out);
        if (m && (opts.ready?.(out) ?? true)) resolve(m[1]!.replace("localhost", "127.0.0.1"));
      });
      child.once("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    return { url, output: () => out, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
