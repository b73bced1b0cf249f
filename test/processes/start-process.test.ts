import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";

const ROOT = path.resolve(import.meta.dirname, "../..");

test("`rampart start` in a temp dir serves /healthz within 15 s and prints the sandbox credentials", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-start-"));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "warn" };
  delete env.DATABASE_URL; // the embedded sandbox, as `npm start` on a fresh machine
  delete env.RAMPART_DATA_DIR;
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(ROOT, "bin/rampart.js"), "start"], { cwd: dir, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no url within 15 s:\n${out}`)), 15_000);
      child.stdout!.on("data", () => {
        const m = /^url:\s+(\S+)$/m.exec(out);
        if (m && /^operator key:/m.test(out)) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.on("exit", (code) => reject(new Error(`exited ${code}:\n${out}`)));
    });
    const res = await fetch(`${url.replace("localhost", "127.0.0.1")}/healthz`);
    assert.equal(res.status, 200);
    assert.ok(Date.now() - started < 15_000);
    assert.match(out, /^merchant id:\s+[0-9a-f-]{36}$/m);
    assert.match(out, /^store id:\s+\S+$/m);
    assert.match(out, /^merchant api key:\s+rmp_[0-9a-f]{16}_\S{43}$/m);
    assert.match(out, /^operator key:\s+rop_[0-9a-f]{16}_\S{43}$/m);
    assert.ok(fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "data dir defaults to ./.rampart");
  } finally {
    child.kill("SIGTERM");
    await new Promise((r) => child.once("exit", r));
  }
  assert.ok(!fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "lock released on shutdown");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("every CLI command answers --help", async () => {
  for (const cmd of ["start", "migrate", "seed", "keys", "ledger", "webhooks", "secret"]) {
    const child = spawn(process.execPath, [path.join(ROOT, "bin/rampart.js"), cmd, "--help"], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    assert.equal(code, 0, cmd);
    assert.match(out, new RegExp(`^Usage: rampart ${cmd}`, "m"));
  }
});
