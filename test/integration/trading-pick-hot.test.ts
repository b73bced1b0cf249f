// The requisite pick and the ledger hold run as named prepared statements on PostgreSQL (issue 16,
// db/hot-statements.ts): parsed once per connection, planned generically. What the pick answers must
// not change with that: full requisites passed over, the rest least recently used first, at most the
// limit, the first of them locked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { runHot } from "../../src/db/hot-statements.js";
import { createHarness } from "../support/harness.js";
import { countingStatements } from "../support/statement-count.js";
import { createPayinOverHttp, pickRubRequisites, setupTrading, useFixedRate } from "../support/trading.js";

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
