// Live mode as an operator runs it (bin/rampart.js in its own process): a sandbox adapter is refused
// at start with one line per port naming the variable to set.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runCli } from "../support/run-cli.js";

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
