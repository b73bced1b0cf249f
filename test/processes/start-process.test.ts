import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { cliEnv, runCli, runNode, startCli } from "../support/run-cli.js";

// A cold start on a busy 2-core machine can take a while: the test waits for the printed URL itself;
// the overall timeout only catches a start that never comes.
test("`rampart start` in a temp dir serves /healthz and prints the sandbox credentials, trader keys included", { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-start-"));
  // The embedded sandbox, as `npm start` on a fresh machine: no DATABASE_URL, no RAMPART_* variable.
  // The credentials come in one write, so the operator key line brings the rest with it.
  const gateway = await startCli(["start"], {}, { cwd: dir, ready: (out) => /^operator key:/m.test(out) });
  const url = gateway.url;
  try {
    const res = await fetch(`${url}/healthz`);
    assert.equal(res.status, 200);
    const out = gateway.output();
    assert.match(out, /^merchant id:\s+[0-9a-f-]{36}$/m);
    assert.match(out, /^store id:\s+\S+$/m);
    assert.match(out, /^merchant api key:\s+rmp_[0-9a-f]{16}_\S{43}$/m);
    assert.match(out, /^store ipn secret:\s+\S+$/m);
    assert.match(out, /^operator key:\s+rop_[0-9a-f]{16}_\S{43}$/m);
    // Every seeded trader's key is printed, and it opens the trader API (and /cabinet).
    const traderLines = [...out.matchAll(/^trader key:\s+(rtr_[0-9a-f]{16}_\S{43}) \((trd_sandbox_\d+), .+\)$/gm)];
    assert.ok(traderLines.length >= 3, out);
    for (const [, key] of traderLines) {
      const payins = await fetch(`${url}/trader/v1/pay-ins`, { headers: { "x-trader-key": key! } });
      assert.equal(payins.status, 200, `trader key ${key} is refused`);
    }
    // The printed console admin signs in with its password (the second step, its authenticator, follows).
    const [, email, password] = /^console sign-in:\s+(\S+) (\S+) /m.exec(out)!;
    const login = await fetch(`${url}/dashboard/login`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ email: email!, password: password! }).toString(),
      redirect: "manual",
    });
    assert.equal(login.status, 303, await login.text());
    assert.equal(login.headers.get("location"), "/dashboard/login/enrol", "the password was right: on to the authenticator");
    assert.ok(fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "data dir defaults to ./.rampart");
  } finally {
    await gateway.stop();
  }
  assert.ok(!fs.existsSync(path.join(dir, ".rampart", "rampart.lock")), "lock released on shutdown");
  fs.rmSync(dir, { recursive: true, force: true });
});

test("every CLI command answers --help", { timeout: 180_000 }, async () => {
  for (const cmd of ["start", "migrate", "seed", "keys", "operator", "ledger", "webhooks", "secret", "backup", "restore"]) {
    const { code, stdout: out } = await runCli([cmd, "--help"], {});
    assert.equal(code, 0, cmd);
    assert.match(out, new RegExp(`^Usage: rampart ${cmd}`, "m"));
  }
});

// The other CLI tests start the CLI's module (compiled under `npm test`, support/node-entry.ts); this one
// runs the installed command itself, which starts from the production build (scripts/build.mjs).
test("bin/rampart.js, the command npm start runs, starts the CLI from the build of src/ as it is", { timeout: 180_000 }, async () => {
  // What `npm install` ran last (the prepare script); a no-op when src/ is unchanged since.
  const built = await runNode(["scripts/build.mjs"], cliEnv({}));
  assert.equal(built.code, 0, built.stderr);
  const compiledCli = pathToFileURL(built.stdout.trim()).href;
  // NODE_DEBUG=esm: Node's module loader names every module it loads.
  const { code, stdout, stderr } = await runNode(["bin/rampart.js", "--help"], { ...cliEnv({}), NODE_DEBUG: "esm" });
  assert.equal(code, 0);
  assert.match(stdout, /^Usage: rampart <command>/m);
  assert.match(stdout, /^\s+start\s/m);
  assert.ok(stderr.includes(compiledCli), `the compiled CLI (${compiledCli}) was not loaded`);
  assert.ok(!stderr.includes("/node_modules/tsx/"), "tsx was loaded");
});
