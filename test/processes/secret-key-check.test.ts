// The server secret is tied to the database: a server, worker or command started with another secret
// (another RAMPART_SECRET_KEY, or the sandbox secret generated in another data dir) exits 1 with one
// line naming where its secret came from, and writes nothing. A rotation moves the database to a new
// key, after which the new key alone is accepted.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { connectPGlite, type Database } from "../../src/db/connect.js";
import { runCli } from "../support/run-cli.js";
import { createTestDatabase, type TestDatabase, usePostgres } from "../support/test-db.js";

const KEY_A = "a".repeat(24) + "-secret-of-the-database-0001";
const KEY_B = "b".repeat(24) + "-another-secret-entirely-0002";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "rampart-secret-"));
const dataDir = path.join(tmp, "data");
let testDb: TestDatabase | null = null;

before(async () => {
  if (usePostgres()) testDb = await createTestDatabase({ poolSize: 2 });
});
after(async () => {
  await testDb?.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The database of this test: the PostgreSQL clone, or the embedded one in `dataDir`. */
function dbEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...(testDb ? { DATABASE_URL: testDb.url! } : {}), RAMPART_DATA_DIR: dataDir, ...extra };
}

async function withDatabase<T>(fn: (database: Database) => Promise<T>): Promise<T> {
  if (testDb) return fn(testDb.database);
  const database = await connectPGlite({ dataDir });
  try {
    return await fn(database);
  } finally {
    await database.close();
  }
}

/** Every table's row count and the key check: what "wrote nothing" compares. */
function snapshot(): Promise<Record<string, string>> {
  return withDatabase(async ({ db }) => {
    const tables = await sql<{ t: string }>`
      select table_name as t from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`.execute(db);
    const out: Record<string, string> = {};
    for (const { t } of tables.rows) out[t] = (await sql<{ n: string }>`select count(*)::text as n from ${sql.table(t)}`.execute(db)).rows[0]!.n;
    out.key_check = JSON.stringify(await db.selectFrom("secret_key_check").selectAll().executeTakeFirst());
    return out;
  });
}

function assertRefused(r: { code: number | null; stdout: string; stderr: string }, command: string, names: RegExp) {
  assert.equal(r.code, 1, `${command}: exit code\n${r.stdout}\n${r.stderr}`);
  const lines = r.stderr.split("\n").filter(Boolean);
  assert.equal(lines.length, 1, `${command}: one line on stderr, got:\n${r.stderr}`);
  assert.match(lines[0]!, new RegExp(`^rampart ${command}: `));
  assert.match(lines[0]!, names);
  assert.match(lines[0]!, /is not the secret this database was set up with/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
}

test("a server, worker or command with another secret refuses with one line and writes nothing", { timeout: 600_000 }, async () => {
  const migrated = await runCli(["migrate"], dbEnv({ RAMPART_SECRET_KEY: KEY_A }));
  assert.equal(migrated.code, 0, migrated.stderr);
  const seeded = await runCli(["seed", "--sandbox"], dbEnv({ RAMPART_SECRET_KEY: KEY_A }));
  assert.equal(seeded.code, 0, seeded.stderr);
  const merchantId = /^merchant id:\s+(\S+)$/m.exec(seeded.stdout)![1]!;
  const before = await snapshot();
  assert.equal(before.merchants, "1");

  const wrongKey = dbEnv({ RAMPART_SECRET_KEY: KEY_B });
  const attempts: [string, string[]][] = [
    ["start", ["start", "--role", "worker"]],
    ["start", ["start", "--role", "api"]],
    ["seed", ["seed", "--sandbox"]],
    ["keys", ["keys", "create", "--merchant", merchantId]],
    ["webhooks", ["webhooks", "redeliver", "--endpoint", "00000000-0000-0000-0000-000000000000"]],
    ["migrate", ["migrate"]],
  ];
  // On PostgreSQL they run at once, as processes would; the embedded database takes one process at a time.
  const results = testDb
    ? await Promise.all(attempts.map(([, args]) => runCli(args, wrongKey)))
    : await attempts.reduce(async (acc, [, args]) => [...(await acc), await runCli(args, wrongKey)], Promise.resolve([] as Awaited<ReturnType<typeof runCli>>[]));
  results.forEach((r, i) => assertRefused(r, attempts[i]![0], /^rampart \w+: RAMPART_SECRET_KEY /));

  // No RAMPART_SECRET_KEY, another data dir: the sandbox generates a secret there, and it is refused
  // by name (on the embedded database the data dir is the database, so the generated file is replaced).
  const otherDir = path.join(tmp, "other");
  const generatedEnv: Record<string, string> = testDb ? { DATABASE_URL: testDb.url!, RAMPART_DATA_DIR: otherDir } : { RAMPART_DATA_DIR: dataDir };
  const generatedFile = path.join(testDb ? otherDir : dataDir, "secret.key");
  fs.mkdirSync(path.dirname(generatedFile), { recursive: true });
  fs.writeFileSync(generatedFile, "c".repeat(64));
  assertRefused(await runCli(["seed", "--sandbox"], generatedEnv), "seed", new RegExp(`the generated secret in ${generatedFile.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} \\(RAMPART_SECRET_KEY is not set\\)`));

  assert.deepEqual(await snapshot(), before);
});

test("secret rotate: old and new key during the rotation, the new one alone afterwards", { timeout: 300_000 }, async () => {
  const live = (keys: Record<string, string>) => dbEnv({ RAMPART_MODE: "live", ...keys });
  // The database of the first test was set up with KEY_A and holds the sandbox merchant's secrets.
  const rotated = await runCli(["secret", "rotate"], live({ RAMPART_SECRET_KEY: KEY_B, RAMPART_PREVIOUS_SECRET_KEY: KEY_A }));
  assert.equal(rotated.code, 0, rotated.stderr);
  assert.match(rotated.stdout, /^ {2}merchant API keys: 1\/1$/m);
  assert.match(rotated.stdout, /^ {2}store IPN secrets: 1\/1$/m);
  assert.match(rotated.stdout, /^Re-encrypted \d+ value\(s\)/m);

  const verified = await runCli(["ledger", "verify"], live({ RAMPART_SECRET_KEY: KEY_B }));
  assert.equal(verified.code, 0, verified.stderr);
  assertRefused(await runCli(["ledger", "verify"], live({ RAMPART_SECRET_KEY: KEY_A })), "ledger", /^rampart ledger: RAMPART_SECRET_KEY /);
});
