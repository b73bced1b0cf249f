// The requisite pick, a batch's insert and the ledger hold run as named prepared statements on
// PostgreSQL (issue 16, db/hot-statements.ts): parsed once per connection, and in a create batch
// planned once, generically (create-batch.ts). What the pick answers must not change with that: full
// requisites passed over, the rest least recently used first, at most the limit, the first of them
// locked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { runHot } from "../../src/db/hot-statements.js";
import { createHarness } from "../support/harness.js";
import { countingStatements } from "../support/statement-count.js";
import { createInBatch } from "../../src/app/trading/create-batch.js";
import { batchMembers, createPayinOverHttp, pickRubRequisites, setupTrading, useFixedRate, verifyLedgerClean } from "../support/trading.js";
import { usePostgres } from "../support/test-db.js";

test("the pick passes over full requisites and returns the rest least recently used first, up to the limit, the first locked", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 15, maxOpenPayins: 1 });
    const db = h.deps.database.db;
    // A turn per requisite, a minute apart: requisiteIds[0] is the least recently used.
    const base = h.deps.clock.now().getTime() - 3_600_000;
    for (const [i, id] of fx.requisiteIds.entries()) {
      await db.updateTable("trading_requisites").set({ last_assigned_at: new Date(base + i * 60_000) }).where("id", "=", id).execute();
    }
    // Fill the three least recently used (one open pay-in each is their maximum): each create takes the
    // least recently used free requisite and makes it the most recently used.
    for (let i = 0; i < 3; i++) assert.equal((await createPayinOverHttp(h.app, fx.merchant.apiKey, 5000 + i)).requisite.id, fx.requisiteIds[i]);

    const picked = await pickRubRequisites(db, 700_000n, 700_000n, 1n);
    assert.deepEqual(
      picked.candidates.map((c) => c.id),
      fx.requisiteIds.slice(3, 27),
    );
    assert.equal(picked.locked?.id, fx.requisiteIds[3]);
    // Nobody wrote the locked requisite since the statement's snapshot: its usage comes with the pick.
    assert.deepEqual(picked.usage, { open: 0, dayVolume: 0n, monthVolume: 0n, taken: new Set() });
  } finally {
    await h.close();
  }
});

test("a hot statement runs as one named prepared statement per connection on PostgreSQL, with each run's own values", async () => {
  const h = await createHarness();
  try {
    const db = h.deps.database.db;
    const echo = (n: number) => sql<{ n: string; text: string }>`SELECT ${n}::int8 AS n, 'hot statement test' AS text`;
    const { result, statements } = await countingStatements(h, (t) => t.includes("hot statement test"), () =>
      db.connection().execute(async (conn) => {
        const a = (await runHot(conn, echo(1))).rows[0]!.n;
        const b = (await runHot(conn, echo(2))).rows[0]!.n;
        const prepared = h.deps.database.engine === "postgres"
          ? (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE statement LIKE '%hot statement test%' AND name LIKE 'rampart_hot_%'`.execute(conn)).rows
          : null;
        return { a, b, prepared };
      }),
    );
    assert.deepEqual([result.a, result.b], ["1", "2"]);
    // Still seen by whatever wraps the driver's query (the batching tests count statements this way).
    assert.equal(statements, h.deps.database.engine === "postgres" ? 3 : 2);
    if (result.prepared) assert.equal(result.prepared.length, 1, "prepared once on this connection and reused");
  } finally {
    await h.close();
  }
});

test("a create batch runs its pick, insert and holds as prepared statements with generic plans: one each per connection, whatever the batch's size", { skip: usePostgres() ? false : "PGlite has no pg_prepared_statements of a pooled connection" }, async () => {
  // One connection: every batch, and the read of its prepared statements, on it.
  const h = await createHarness({ poolSize: 1, tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 5, maxOpenPayins: 10 });
    const exact = (units: number) => ({ kind: "exact" as const, amountMinor: BigInt(units * 100) });
    // A batch of one, then batches of other sizes (the first of Promise.all goes alone, the rest together).
    const members = await batchMembers(h.deps, fx, [exact(5000), exact(5001), exact(5002), exact(5003), exact(5004), exact(5005)]);
    // Only what the batches add counts (the setup's ledger postings prepared statements too).
    const plans = async () =>
      (
        await sql<{ statement: string; generic_plans: string; custom_plans: string }>`
          SELECT statement, generic_plans::text, custom_plans::text FROM pg_prepared_statements WHERE name LIKE 'rampart_hot_%'`.execute(h.deps.database.db)
      ).rows;
    const before = new Map((await plans()).map((p) => [p.statement, p]));
    assert.equal((await createInBatch(h.deps, members[0]!)).kind, "created");
    for (const out of await Promise.all(members.slice(1).map((m) => createInBatch(h.deps, m)))) assert.equal(out.kind, "created");

    const prepared = (await plans()).map((p) => ({
      statement: p.statement,
      custom_plans: String(Number(p.custom_plans) - Number(before.get(p.statement)?.custom_plans ?? 0)),
      generic_plans: Number(p.generic_plans) - Number(before.get(p.statement)?.generic_plans ?? 0),
    }));
    const of = (marker: RegExp) => prepared.filter((p) => marker.test(p.statement));
    // The pick has two texts: its members' amounts in one window (the batch of one) or in several.
    for (const [step, marker, texts] of [
      ["pick", /FOR UPDATE SKIP LOCKED/, 2],
      ["insert", /INSERT INTO trading_payins/, 1],
      // The batch's holds (the single path's, which the setup's postings ran, have another text).
      ["holds", /ledger_written_or_raise/, 1],
    ] as const) {
      const statements = of(marker);
      assert.equal(statements.length, texts, `${step}: ${texts} prepared statement(s) for every batch`);
      for (const p of statements) assert.equal(p.custom_plans, "0", `${step}: never planned for a batch's values`);
      assert.ok(statements.reduce((n, p) => n + p.generic_plans, 0) >= 2, `${step}: its generic plans ran for each batch`);
    }
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
