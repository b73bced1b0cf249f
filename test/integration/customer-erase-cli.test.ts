// `rampart customer erase` as an operator runs it (a separate process, bin/rampart.js): --help, bad
// arguments (exit 2), an unknown person (exit 1), and on PostgreSQL, sharing the test's database, an
// intent payer erased with the counts printed and an audit entry naming the CLI user, then erased
// again with "erased before". On PGlite the command runs on its own empty embedded database.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, intentBody, kycFields } from "../support/intents.js";
import { runCli } from "../support/run-cli.js";

let h: Harness;
let M: MerchantFixture;
let dir: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-erase-cli-"));
});
after(async () => {
  await h?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("rampart customer --help and bad arguments need no database", async () => {
  const help = await runCli(["customer", "--help"], {});
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: rampart customer erase --store <store-id> --email <e-mail>/);
  assert.match(help.stdout, /--payer-user-id/);
  for (const args of [["customer", "erase"], ["customer", "erase", "--email", "a@b.example"], ["customer", "erase", "--card-customer", "nope"], ["customer", "forget", "--card-customer", "1"]]) {
    const bad = await runCli(args, {});
    assert.equal(bad.code, 2, `${args.join(" ")}: ${bad.stdout}${bad.stderr}`);
  }
});

test("rampart customer erase: counts, the audit entry, a repeat, an unknown person", async () => {
  const shared = h.testDb.url !== null;
  const env: Record<string, string> = shared
    ? { DATABASE_URL: h.testDb.url!, RAMPART_SECRET_KEY: h.deps.config.secretKey, LOG_LEVEL: "warn" }
    : { RAMPART_DATA_DIR: path.join(dir, "data"), LOG_LEVEL: "warn" };
  const unknown = await runCli(["customer", "erase", "--store", M.storeId, "--email", "nobody.at.all@example.com"], env);
  assert.equal(unknown.code, 1, unknown.stdout + unknown.stderr);
  assert.match(unknown.stderr, /No personal data of this person is stored/);
  if (!shared) return;

  const email = "cli.erase.person@example.com";
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, { ...kycFields("Clierasovic"), email }));
  assert.equal(r.status, 201, r.text);
  const first = await runCli(["customer", "erase", "--store", M.storeId, "--email", email, "--by", "dpo@shop"], env);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /erasing intent email \.\.\./);
  assert.match(first.stdout, /payment_intents: 1/);
  assert.match(first.stdout, /kyc_cases: 1/);
  const entry = await sql<{ actor: string }>`SELECT actor FROM audit_log WHERE action = 'customer.erase' ORDER BY id DESC LIMIT 1`.execute(h.deps.database.db);
  assert.equal(entry.rows[0]!.actor, "cli:dpo@shop");
  const stored = await h.deps.database.db.selectFrom("payment_intents").select("email").where("id", "=", r.json.paymentIntentId).executeTakeFirstOrThrow();
  assert.equal(stored.email, "[erased]");

  const again = await runCli(["customer", "erase", "--store", M.storeId, "--email", email], env);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /erased before/);
  assert.match(again.stdout, /nothing left to erase/);
});
