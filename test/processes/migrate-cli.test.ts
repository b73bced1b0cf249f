// `rampart migrate` as an operator runs it: the CLI process on an embedded data dir. It lives with the
// process tests, not test/integration, because it starts CLI processes on PGlite whatever engine the
// suite runs on: CI's second (PGlite) pass would only run it again.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { sql } from "kysely";
import { connectPGlite } from "../../src/db/connect.js";
import { listMigrations } from "../../src/db/migrate.js";
import { runCli } from "../support/run-cli.js";

test("`rampart migrate --dry-run` prints what would run and changes nothing; after `migrate` it is up to date, and that run is in the audit log", async () => {
  const help = await runCli(["migrate", "--help"], {});
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^Usage: rampart migrate \[--dry-run\]$/m);
  assert.match(help.stdout, /--dry-run +print the migrations that would apply/);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-dry-"));
  const env = { RAMPART_DATA_DIR: dataDir };
  const dry = await runCli(["migrate", "--dry-run"], env);
  assert.equal(dry.code, 0, dry.stderr);
  const total = listMigrations().length;
  assert.match(dry.stdout, new RegExp(`Dry run: ${total} of ${total} migration\\(s\\)`));
  assert.match(dry.stdout, /-- \[\d+\/\d+\] 0027_a_ops_metrics\.sql \(in one transaction\)\nCREATE TABLE ops_checks|-- Operability metrics/);
  assert.match(
    dry.stdout,
    /-- \[\d+\/\d+\] 0038_a_jobs_kind_due_index\.sql \(outside a transaction, statement by statement\)\n-- rampart:no-transaction\n/,
    "a no-transaction migration is shown as it will run",
  );
  const again = await runCli(["migrate", "--dry-run"], env);
  assert.match(again.stdout, new RegExp(`Dry run: ${total} of ${total}`), "the dry run applied nothing");
  assert.equal((await runCli(["migrate"], env)).code, 0);
  const after = await runCli(["migrate", "--dry-run"], env);
  assert.match(after.stdout, /Dry run: 0 of \d+ migration\(s\)[\s\S]*Already up to date\./);
  assert.equal((await runCli(["migrate"], env)).code, 0, "up to date: nothing applied");
  // One audit entry, by the OS user, naming what the one run that changed something applied; none for the dry runs or the no-op.
  const database = await connectPGlite({ dataDir });
  try {
    const log = await sql<{ actor: string; action: string; details: { via: string; applied: string[] } }>`SELECT actor, action, details FROM audit_log WHERE action = 'migrate'`.execute(database.db);
    assert.deepEqual(log.rows.map((r) => [r.actor, r.details.via, r.details.applied.length]), [[`cli:${os.userInfo().username}`, "cli", total]]);
  } finally {
    await database.close();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
});
