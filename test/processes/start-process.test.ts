import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "../..");

// A cold start on a busy 2-core machine can take a while: the test waits for the printed URL itself;
// the overall timeout only catches a start that never comes.
test("`rampart start` in a temp dir serves /healthz and prints the sandbox credentials, trader keys included", { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-start-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" };
  delete env.DATABASE_URL; // the embedded sandbox, as `npm start` on a fresh machine
  delete env.RAMPART_DATA_DIR;
  const child = spawn(process.execPath, [path.join(ROOT, "bin/rampart.js"), "start"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on("data", () => {
        const m = /^url:\s+(\S+)$/m.exec(out);
        // The credentials come in one write, so the operator key line brings the rest with it.
        if (m && /^operator key:/m.test(out)) resolve(m[1]!);
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    const res = await fetch(`${url.replace("localhost", "127.0.0.1")}/healthz`);
    assert.equal(res.status, 200);
    assert.match(out, /^merchant id:\s+[0-9a-f-]{36}$/m);
    assert.match(out, /^store id:\s+\S+$/m);
    assert.match(out, /^merchant api key:\s+rmp_[0-9a-f]{16}_\S{43}$/m);
    assert.match(out, /^store ipn secret:\s+\S+$/m);
    assert.match(out, /^operator key:\s+rop_[0-9a-f]{16}_\S{43}$/m);
    // Every seeded trader's key is printed, and it opens the trader API (and /cabinet).
    const traderLines = [...out.matchAll(/^trader key:\s+(rtr_[0-9a-f]{16}_\S{43}) \((trd_sandbox_\d+), .+\)$/gm)];
    assert.ok(traderLines.length >= 3, out);
    for (const [, key] of traderLines) {
      const payins = await fetch(`${url.replace("localhost", "127.0.0.1")}/trader/v1/pay-ins`, { headers: { "x-trader-key": key! } });
      assert.equal(payins.status, 200, `trader key ${key} is refused`);
    }
    assert.ok(fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "data dir defaults to ./.rampart");
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  }
  assert.ok(!fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "lock released on shutdown");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("every CLI command answers --help", { timeout: 180_000 }, async () => {
  for (const cmd of ["start", "migrate", "seed", "keys", "operator", "ledger", "webhooks", "secret"]) {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/rampart.js"), cmd, "--help"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    assert.equal(code, 0, cmd);
    assert.match(out, new RegExp(`^Usage: rampart ${cmd}`, "m"));
  }
});
