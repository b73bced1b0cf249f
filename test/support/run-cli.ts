// Runs `rampart <args>` as a separate process (bin/rampart.js, as an operator would) and collects its
// exit code and output. `env` replaces the environment's Rampart variables: DATABASE_URL and the
// RAMPART_* variables of the test run are dropped unless given.
import { spawn } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "../..");

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
  return runNode([path.join(ROOT, "bin/rampart.js"), ...args], cliEnv(env), cwd);
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
