// The audit log's hash chain (issue 18): entries appended by concurrent transactions still form one
// unbroken chain (the head row's lock orders them), an audited action's entry commits with its change
// and vanishes with its rollback, and an entry edited or removed behind the append-only trigger's back
// (a superuser with the trigger disabled) is reported at that entry by `verifyAuditChain` and by
// `rampart audit verify` (exit 1).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { formatAuditChainReport, verifyAuditChain } from "../../src/app/audit/verify-audit-chain.js";
import { createMerchant } from "../../src/app/merchants/merchants.js";
import { appendAudit } from "../../src/db/audit/audit-log.js";
import { type AuditScope, runInAuditScope } from "../../src/db/audit/audit-scope.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";
import { runCli } from "../support/run-cli.js";

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => h?.close());

const db = () => h.deps.database.db;
const count = async () => Number((await sql<{ n: string }>`SELECT count(*)::text AS n FROM audit_log`.execute(db())).rows[0]!.n);

/** Runs `sql` with the table's triggers off, as a superuser attacker could. */
async function behindTheTrigger(statement: ReturnType<typeof sql>): Promise<void> {
  await db()
    .transaction()
    .execute(async (trx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(trx);
      await statement.execute(trx);
    });
}

const scope = (action: string): AuditScope => ({
  actor: "operator:test-key",
  actorName: "test key",
  ip: "198.51.100.9",
  action,
  subject: "",
  details: { via: "api" },
  now: () => h.clock.now(),
  written: false,
  closed: false,
});

test("an audited action's entry commits with its change; a rolled-back action leaves none", async () => {
  const before = await count();
  const done = await runInAuditScope(scope("merchants"), () => createMerchant(h.deps, { name: "Audited Ltd" }));
  assert.equal(await count(), before + 1);
  const entry = (await sql<{ action: string; actor: string; ip: string }>`SELECT action, actor, ip FROM audit_log ORDER BY id DESC LIMIT 1`.execute(db())).rows[0];
  assert.deepEqual(entry, { action: "merchants", actor: "operator:test-key", ip: "198.51.100.9" });
  assert.ok(done.merchantId);

  // The change is written, then the use case fails: neither the change nor the entry stays.
  await assert.rejects(
    runInAuditScope(scope("merchants"), () =>
      db()
        .transaction()
        .execute(async (trx) => {
          await sql`INSERT INTO merchants (id, name, created_at) VALUES (gen_random_uuid(), 'Never', now())`.execute(trx);
          throw new Error("the use case failed after writing");
        }),
    ),
    /failed after writing/,
  );
  assert.equal(await count(), before + 1);
  assert.equal((await sql<{ n: string }>`SELECT count(*)::text AS n FROM merchants WHERE name = 'Never'`.execute(db())).rows[0]!.n, "0");
  // A transaction that only reads records nothing.
  await runInAuditScope(scope("nothing"), () => db().transaction().execute((trx) => sql`SELECT 1`.execute(trx)));
  assert.equal(await count(), before + 1);
  assert.equal((await verifyAuditChain(h.deps)).ok, true);
});

test("40 concurrent appends form one unbroken chain with consecutive seqs", async () => {
  const start = await count();
  await Promise.all(
    Array.from({ length: 40 }, (_, i) =>
      db()
        .transaction()
        .execute((trx) => appendAudit(trx, { actor: `operator:k${i}`, action: "test.concurrent", subject: `s${i}`, details: { i }, ip: null, at: h.clock.now() })),
    ),
  );
  const seqs = (await sql<{ seq: string }>`SELECT seq::text AS seq FROM audit_log WHERE seq IS NOT NULL ORDER BY audit_log.seq`.execute(db())).rows.map((r) => Number(r.seq));
  assert.equal(seqs.length, start + 40);
  assert.deepEqual(seqs, Array.from({ length: seqs.length }, (_, i) => i + 1));
  const report = await verifyAuditChain(h.deps);
  assert.equal(report.ok, true, formatAuditChainReport(report));
  assert.equal(report.entries, start + 40);
});

test("an entry edited with the trigger disabled is reported at that entry; a removed one at its seq", async () => {
  const target = (await sql<{ id: string; seq: string; details: unknown }>`SELECT id::text AS id, seq::text AS seq, details FROM audit_log WHERE action = 'test.concurrent' ORDER BY audit_log.seq OFFSET 5 LIMIT 1`.execute(db())).rows[0]!;
  // The append-only trigger refuses the edit...
  await assert.rejects(sql`UPDATE audit_log SET details = '{"i": 999}' WHERE id = ${target.id}::bigint`.execute(db()), /append-only/);
  // ...so the attacker turns it off.
  await behindTheTrigger(sql`UPDATE audit_log SET details = '{"i": 999}' WHERE id = ${target.id}::bigint`);
  const edited = await verifyAuditChain(h.deps);
  assert.equal(edited.ok, false);
  assert.deepEqual(edited.broken, { seq: target.seq, id: target.id, problem: "content_changed" });
  assert.match(formatAuditChainReport(edited), new RegExp(`BROKEN at seq ${target.seq} \\(entry id ${target.id}\\): its content no longer matches its hash`));

  if (h.testDb.url) {
    const cli = await runCli(["audit", "verify"], { DATABASE_URL: h.testDb.url, RAMPART_SECRET_KEY: TEST_SECRET_KEY });
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, new RegExp(`BROKEN at seq ${target.seq} `));
  }

  // Put the content back: intact again. Then remove the entry: the chain names the missing seq.
  await behindTheTrigger(sql`UPDATE audit_log SET details = ${JSON.stringify(target.details)}::jsonb WHERE id = ${target.id}::bigint`);
  assert.equal((await verifyAuditChain(h.deps)).ok, true);
  const saved = (await sql<Record<string, unknown>>`SELECT * FROM audit_log WHERE id = ${target.id}::bigint`.execute(db())).rows[0]!;
  await behindTheTrigger(sql`DELETE FROM audit_log WHERE id = ${target.id}::bigint`);
  assert.deepEqual((await verifyAuditChain(h.deps)).broken, { seq: target.seq, id: null, problem: "entry_missing" });

  // The last entry removed and the head left alone: the head names a seq no entry has.
  const last = (await sql<Record<string, unknown>>`SELECT * FROM audit_log ORDER BY audit_log.seq DESC LIMIT 1`.execute(db())).rows[0]!;
  await behindTheTrigger(sql`INSERT INTO audit_log SELECT * FROM json_populate_record(NULL::audit_log, ${JSON.stringify(saved)}::json)`);
  await behindTheTrigger(sql`DELETE FROM audit_log WHERE id = ${String(last.id)}::bigint`);
  assert.deepEqual((await verifyAuditChain(h.deps)).broken, { seq: String(last.seq), id: null, problem: "entry_missing" });
  await behindTheTrigger(sql`INSERT INTO audit_log SELECT * FROM json_populate_record(NULL::audit_log, ${JSON.stringify(last)}::json)`);
  const restored = await verifyAuditChain(h.deps);
  assert.equal(restored.ok, true, formatAuditChainReport(restored));
  if (h.testDb.url) {
    const cli = await runCli(["audit", "verify"], { DATABASE_URL: h.testDb.url, RAMPART_SECRET_KEY: TEST_SECRET_KEY });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /The chain is intact\./);
  }
});

test("rampart audit has --help and refuses an unknown subcommand (exit 2)", async () => {
  const help = await runCli(["audit", "--help"], {});
  assert.equal(help.code, 0);
  assert.match(help.stdout, /Usage: rampart audit verify/);
  assert.match(help.stdout, /Exit codes: 0 intact, 1 broken/);
  const bad = await runCli(["audit", "check"], {});
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /Usage: rampart audit verify/);
});
