// A database that cannot be reached, does not exist, or cannot be opened is one line from every command
// and from the test run, never a stack trace; the PostgreSQL test run creates a missing DATABASE_URL
// database itself.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { cliEnv, type CliResult, runCli, runNode } from "../support/run-cli.js";
import { adminQuery, databaseUrlFor, usePostgres } from "../support/test-db.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const KEY = "k".repeat(40);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-dberr-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const COMMANDS: string[][] = [["migrate"], ["start"], ["start", "--role", "worker"], ["seed", "--sandbox"], ["ledger", "verify"]];

function assertOneLine(r: CliResult, prefix: string, says: RegExp, what: string) {
  assert.equal(r.code, 1, `${what}: exit code\n${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, `${what}: one line on stderr, got:\n${r.stderr}`);
  assert.ok(lines[0]!.startsWith(prefix), `${what}: ${lines[0]}`);
  assert.match(lines[0]!, says, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |node_modules/, `${what}: no stack trace`);
}

/** `npm test` on one small file, as an operator runs it (not as a subtest of this run). */
function runTests(env: Record<string, string>): Promise<CliResult> {
  const full = cliEnv(env);
  delete full.NODE_TEST_CONTEXT;
  return runNode(["scripts/test.mjs", "test/unit/config.test.ts"], full, ROOT);
}

test("an unreachable PostgreSQL server: one line from every command and from the test run", { timeout: 300_000 }, async () => {
  const env = { DATABASE_URL: "postgres://rampart:secret-password@127.0.0.1:1/rampart", RAMPART_SECRET_KEY: KEY, RAMPART_DATA_DIR: path.join(tmp, "unreachable") };
  const results = await Promise.all(COMMANDS.map((args) => runCli(args, env)));
  results.forEach((r, i) =>
    assertOneLine(r, `rampart ${COMMANDS[i]![0]}: `, /^rampart \w+: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(DATABASE_URL\): connection refused/, COMMANDS[i]!.join(" ")),
  );
  for (const r of results) assert.doesNotMatch(r.stderr + r.stdout, /secret-password/, "the password is never repeated");
  assertOneLine(await runTests(env), "npm test: ", /^npm test: cannot reach PostgreSQL at 127\.0\.0\.1:1 \(DATABASE_URL\)/, "npm test");
});

test("an embedded data dir that cannot be used: one line naming RAMPART_DATA_DIR", { timeout: 300_000 }, async () => {
  const file = path.join(tmp, "not-a-dir");
  fs.writeFileSync(file, "x");
  const [withKey, generated] = await Promise.all([runCli(["migrate"], { RAMPART_DATA_DIR: file, RAMPART_SECRET_KEY: KEY }), runCli(["seed", "--sandbox"], { RAMPART_DATA_DIR: file })]);
  assertOneLine(withKey, "rampart migrate: ", /cannot open the embedded database in .*not-a-dir \(RAMPART_DATA_DIR\)/, "migrate");
  assertOneLine(generated, "rampart seed: ", /RAMPART_DATA_DIR: cannot keep the generated secret in .*not-a-dir/, "seed");
});

const skip = usePostgres() ? false : "needs PostgreSQL (set DATABASE_URL)";

test("a database that does not exist: one line from every command; the test run creates it", { skip, timeout: 300_000 }, async () => {
  const name = `rampart_absent_${randomBytes(5).toString("hex")}`;
  const env = { DATABASE_URL: databaseUrlFor(name), RAMPART_SECRET_KEY: KEY, RAMPART_DATA_DIR: path.join(tmp, "absent") };
  const results = await Promise.all(COMMANDS.map((args) => runCli(args, env)));
  results.forEach((r, i) =>
    assertOneLine(r, `rampart ${COMMANDS[i]![0]}: `, new RegExp(`database "${name}" does not exist on the PostgreSQL server at .* \\(DATABASE_URL\\)`), COMMANDS[i]!.join(" ")),
  );
  try {
    const run = await runTests(env);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^# pass [1-9]/m);
  } finally {
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});
