// `rampart bank import` as an operator runs it (a separate process, bin/rampart.js): --help, progress
// lines for a large file, the report, a second import of the same file changing nothing, and a hostile
// file refused with exit 1. On PostgreSQL it shares the test's database, where an intent at 4 is paid
// by the imported statement (→ 5) and the import is in the audit log as the OS user's; on PGlite the command runs on its own embedded database.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, intentBody, kycFields } from "../support/intents.js";
import { lastAuditEntry } from "../support/audit-entries.js";
import { runCli } from "../support/run-cli.js";
import { camt053, type CamtEntry } from "../support/statements.js";
import { verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let M: MerchantFixture;
let dir: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-bank-cli-"));
});
after(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("rampart bank --help needs no database", async () => {
  const r = await runCli(["bank", "--help"], {});
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: rampart bank import <file> \[--account <id>\]/);
  assert.match(r.stdout, /--skip-rejected/);
  const bad = await runCli(["bank", "import"], {});
  assert.equal(bad.code, 2);
});

test("rampart bank import: progress, report, the same file again changes nothing, a hostile file is refused", async () => {
  const shared = h.testDb.url !== null;
  const env: Record<string, string> = shared
    ? { DATABASE_URL: h.testDb.url!, RAMPART_SECRET_KEY: h.deps.config.secretKey, LOG_LEVEL: "warn" }
    : { RAMPART_DATA_DIR: path.join(dir, "data"), LOG_LEVEL: "warn" };
  const entries: CamtEntry[] = Array.from({ length: 501 }, (_, i) => ({ ref: `CLI-${i}`, amount: "1.00", remittance: `filler ${i}` }));
  let intent: { id: string; reference: string } | null = null;
  if (shared) {
    const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, kycFields()));
    assert.equal(r.status, 201, r.text);
    const ins = await jsonCall(h.app, "GET", `/payment/intent/${r.json.paymentIntentId}/instructions`, { "x-api-key": M.apiKey });
    intent = { id: r.json.paymentIntentId, reference: ins.json.bankTransfer.reference };
    entries[0] = { ref: "CLI-0", amount: Number(ins.json.fiatAmount).toFixed(2), remittance: intent.reference };
  }
  const file = path.join(dir, "statement.xml");
  fs.writeFileSync(file, camt053("ES9121000418450200051332", entries));

  const first = await runCli(["bank", "import", file], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /read 501 entries; receiving them\nreceived 500\/501 entries\nreceived 501\/501 entries\n/);
  const matched = shared ? 1 : 0;
  assert.match(first.stdout, new RegExp(`501 entries read: ${matched} matched, 0 duplicates, ${501 - matched} unmatched, 0 ignored, 0 rejected`));
  if (intent) assert.equal((await jsonCall(h.app, "GET", `/payment/intent/${intent.id}/status`, { "x-api-key": M.apiKey })).json.status, 5);
  if (shared) {
    // Audited as the operator API's import is, by the OS user who ran it.
    const entry = await lastAuditEntry(h.deps);
    assert.deepEqual([entry.actor, entry.action, entry.details.via, entry.details.file], [`cli:${os.userInfo().username}`, "bank-statements", "cli", "statement.xml"]);
  }

  const second = await runCli(["bank", "import", file], env);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, /501 entries read: 0 matched, 501 duplicates, 0 unmatched/);

  const hostile = path.join(dir, "laughs.xml");
  fs.writeFileSync(hostile, '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "a"><!ENTITY b "&a;&a;">]><Document>&b;</Document>');
  const refused = await runCli(["bank", "import", hostile], env);
  assert.equal(refused.code, 1, refused.stdout);
  assert.match(refused.stderr, /rampart bank import: The XML declares a DOCTYPE or entities/);
  if (shared) {
    const out = path.join(dir, "refunds.xml");
    const refunds = await runCli(["bank", "export-refunds", "--out", out], env);
    assert.equal(refunds.code, 0, refunds.stderr);
    assert.match(refunds.stdout, /no refund is pending export/);
    await verifyLedgerClean(h.deps);
  }
});
