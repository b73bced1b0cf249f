// A transaction's BEGIN shares its round trip with the transaction's first statement on PostgreSQL
// (db/client-query.ts): the statement is written before BEGIN's answer comes back, in the same socket
// write, and it still runs inside the transaction, so a rollback takes it back. Statements sent
// together (db/pipelined.ts) share one write too, and run in order.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import net from "node:net";
import pg from "pg";
import { runPipelined } from "../../src/db/pipelined.js";
import { createTestDatabase, usePostgres } from "../support/test-db.js";

const skip = usePostgres() ? false : "PGlite runs in-process: it has no round trips to save";

/** The order in which the texts `ofInterest` were written to PostgreSQL and answered while `fn` ran. */
async function wireOrder(ofInterest: readonly string[], fn: () => Promise<unknown>): Promise<string[]> {
  type QueryProto = { text?: string; submit(c: unknown): unknown; handleReadyForQuery(c: unknown): unknown };
  const proto = pg.Query.prototype as unknown as QueryProto;
  const { submit, handleReadyForQuery } = proto;
  const events: string[] = [];
  const note = (what: string, text: string | undefined) => {
    if (text !== undefined && ofInterest.includes(text)) events.push(`${what} ${text}`);
  };
  proto.submit = function (this: QueryProto, c: unknown) {
    note("sent", this.text);
    return submit.call(this, c);
  };
  proto.handleReadyForQuery = function (this: QueryProto, c: unknown) {
    note("answered", this.text);
    return handleReadyForQuery.call(this, c);
  };
  try {
    await fn();
  } finally {
    Object.assign(proto, { submit, handleReadyForQuery });
  }
  return events;
}

test("the first statement of a transaction is written before BEGIN is answered", { skip }, async () => {
  const t = await createTestDatabase({ poolSize: 1 });
  try {
    const events = await wireOrder(["begin", "SELECT 'first' AS s", "SELECT 'second' AS s", "commit"], () =>
      t.database.db.transaction().execute(async (trx) => {
        await sql`SELECT 'first' AS s`.execute(trx);
        await sql`SELECT 'second' AS s`.execute(trx);
      }),
    );
    assert.deepEqual(events, [
      "sent begin",
      "sent SELECT 'first' AS s",
      "answered begin",
      "answered SELECT 'first' AS s",
      // Past the first statement each waits for the one before, as Kysely asks.
      "sent SELECT 'second' AS s",
      "answered SELECT 'second' AS s",
      "sent commit",
      "answered commit",
    ]);
  } finally {
    await t.close();
  }
});

/** How many socket writes `fn` made (every socket of this process; the test's pool has one client). */
async function socketWrites(fn: () => Promise<unknown>): Promise<number> {
  // Both of a socket's write paths (_write and _writev) end in _writeGeneric, once per write.
  const proto = net.Socket.prototype as unknown as { _writeGeneric: (...a: unknown[]) => unknown };
  const { _writeGeneric } = proto;
  let writes = 0;
  proto._writeGeneric = function (this: unknown, ...a: unknown[]) {
    writes++;
    return _writeGeneric.apply(this, a);
  };
  try {
    await fn();
  } finally {
    proto._writeGeneric = _writeGeneric;
  }
  return writes;
}

test("statements sent in one turn share one socket write: BEGIN with the first statement, a pipelined pair, a SET LOCAL", { skip }, async () => {
  const t = await createTestDatabase({ poolSize: 1 });
  try {
    const db = t.database.db;
    await sql`SELECT 1`.execute(db); // the client connected before counting
    const two = await socketWrites(() =>
      db.transaction().execute(async (trx) => {
        await sql`SELECT 'first' AS s`.execute(trx);
        await sql`SELECT 'second' AS s`.execute(trx);
      }),
    );
    assert.equal(two, 3, "BEGIN + first, second, COMMIT");
    let answers: unknown[] = [];
    const pipelined = await socketWrites(() =>
      db.transaction().execute(async (trx) => {
        answers = (await runPipelined(trx, [sql<{ s: string }>`SELECT 'first' AS s`.compile(trx), sql<{ s: string }>`SELECT 'second' AS s`.compile(trx)])).map((r) => r.rows);
      }),
    );
    assert.equal(pipelined, 2, "BEGIN + both statements, COMMIT");
    assert.deepEqual(answers, [[{ s: "first" }], [{ s: "second" }]]);
    // A SET LOCAL is answered at once as BEGIN is, and holds for the rest of its transaction only.
    let inside = "";
    const set = await socketWrites(() =>
      db.transaction().execute(async (trx) => {
        await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(trx);
        inside = (await sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(trx)).rows[0]!.plan_cache_mode;
      }),
    );
    assert.deepEqual([set, inside], [2, "force_generic_plan"], "BEGIN + SET LOCAL + SHOW, COMMIT");
    assert.equal((await sql<{ plan_cache_mode: string }>`SHOW plan_cache_mode`.execute(db)).rows[0]!.plan_cache_mode, "auto");
  } finally {
    await t.close();
  }
});

test("the first statement runs inside the transaction: a rollback takes it back, a failed one (alone or pipelined) leaves the connection usable", { skip }, async () => {
  const t = await createTestDatabase({ poolSize: 1 });
  try {
    const db = t.database.db;
    const id = crypto.randomUUID();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await trx.insertInto("merchants").values({ id, name: "rolled back" }).execute();
        throw new Error("undo");
      }),
      /undo/,
    );
    assert.equal(await db.selectFrom("merchants").select("id").where("id", "=", id).executeTakeFirst(), undefined);

    // A first statement that fails: the transaction is rolled back and the one connection serves the next.
    await assert.rejects(db.transaction().execute((trx) => sql`SELECT no_such_column FROM merchants`.execute(trx)), /no_such_column/);
    // Pipelined statements of which one fails: its own error (not the refusal of those after it), and
    // the one before it rolled back.
    await assert.rejects(
      db.transaction().execute((trx) =>
        runPipelined(trx, [trx.insertInto("merchants").values({ id, name: "rolled back" }).compile(), sql`SELECT no_such_column FROM merchants`.compile(trx), sql`SELECT 1`.compile(trx)]),
      ),
      /no_such_column/,
    );
    assert.equal(await db.selectFrom("merchants").select("id").where("id", "=", id).executeTakeFirst(), undefined);
    await db.transaction().execute((trx) => trx.insertInto("merchants").values({ id, name: "committed" }).execute());
    const row = await db.selectFrom("merchants").select("name").where("id", "=", id).executeTakeFirstOrThrow();
    assert.equal(row.name, "committed");
  } finally {
    await t.close();
  }
});
