// Live mode as an operator runs it (bin/rampart.js in its own process): a sandbox adapter is refused
// at start with one line per port naming the variable to set; an empty database gets an operator key
// without sandbox data, starts on real adapters, and refuses the sandbox seed from then on.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runCli, startCli } from "../support/run-cli.js";

const LIVE = { RAMPART_MODE: "live", RAMPART_SECRET_KEY: "live-secret-key-0123456789abcdef0123456789" };
const REAL = { RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92", RAMPART_KYC: "manual", RAMPART_CHAIN: "manual", RAMPART_CARD_ACQUIRER: "none" };

test("live start with a sandbox adapter exits 1 naming the port and its variable, before touching the database", { timeout: 120_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-live-"));
  try {
    const one = await runCli(["start"], { ...LIVE, ...REAL, RAMPART_KYC: "sandbox", RAMPART_DATA_DIR: dir });
    assert.equal(one.code, 1, one.stderr);
    assert.deepEqual(one.stderr.trim().split("\n"), [
      "rampart start: RAMPART_KYC: kyc: sandbox approves by rule; set manual (an operator decides every case)",
    ]);

    const all = await runCli(["start"], { ...LIVE, RAMPART_DATA_DIR: dir });
    assert.equal(all.code, 1, all.stderr);
    const lines = all.stderr.trim().split("\n");
    assert.equal(lines.length, 5, all.stderr);
    for (const [i, variable] of ["RAMPART_RATES", "RAMPART_KYC", "RAMPART_SMS", "RAMPART_CHAIN", "RAMPART_CARD_ACQUIRER"].entries()) {
      assert.ok(lines[i]!.startsWith(`rampart start: ${variable}: `), lines[i]);
    }
    assert.deepEqual(fs.readdirSync(dir), [], "nothing was opened or written");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("from an empty database in live mode: operator create, start with real adapters, seed --sandbox refused", { timeout: 180_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-live-"));
  const env = { ...LIVE, ...REAL, RAMPART_DATA_DIR: dir };
  try {
    const help = await runCli(["operator", "--help"], {});
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: rampart operator create \(--email <e-mail> \| --name <name>\)/m);
    assert.equal((await runCli(["operator", "create"], env)).code, 2, "--email or --name is required");

    const created = await runCli(["operator", "create", "--name", "Ops on call"], env);
    assert.equal(created.code, 0, created.stderr);
    const key = created.stdout.trim();
    assert.match(key, /^rop_[0-9a-f]{16}_\S{43}$/);
    assert.match(created.stderr, /shown only now/);

    // The first live open marked the database: the sandbox data set is refused, in either mode, and so
    // is a sandbox start (which seeds).
    for (const [args, mode] of [[["seed", "--sandbox"], {}], [["seed", "--sandbox"], { RAMPART_MODE: "sandbox" }], [["start"], { RAMPART_MODE: "sandbox" }]] as const) {
      const r = await runCli([...args], { ...env, ...mode });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, new RegExp(`^rampart ${args[0]}: This database has run in live mode \\(since .+\\): the sandbox data set is never written to it`, "m"));
    }

    const gateway = await startCli(["start"], env);
    try {
      const out = gateway.output();
      assert.match(out, /^adapters:\s+rates=fixed kyc=manual sms=log chain=manual cardAcquirer=none bankFeed=statements$/m);
      assert.doesNotMatch(out, /merchant api key:|operator key:/, "no sandbox credentials in live mode");
      const ready = (await (await fetch(`${gateway.url}/readyz`)).json()) as { adapters: unknown };
      assert.deepEqual(ready.adapters, { rates: "fixed", kyc: "manual", sms: "log", chain: "manual", cardAcquirer: "none", bankFeed: "statements" });
      const merchants = await fetch(`${gateway.url}/admin/v1/merchants`, { headers: { "x-operator-key": key } });
      assert.equal(merchants.status, 200);
      assert.deepEqual(((await merchants.json()) as { items: unknown[] }).items, [], "no sandbox merchant");
    } finally {
      await gateway.stop();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
