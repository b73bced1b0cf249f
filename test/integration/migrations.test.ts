import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { sql } from "kysely";
import { connectPGlite, connectPostgres } from "../../src/db/connect.js";
import { listMigrations, migrate, pendingMigrations } from "../../src/db/migrate.js";
import { adminQuery, databaseUrlFor, usePostgres } from "../support/test-db.js";

test("migrations apply on embedded PGlite, and a second run is a no-op", async () => {
  const database = await connectPGlite({ dataDir: null });
  try {
    assert.deepEqual(await migrate(database), listMigrations());
    assert.deepEqual(await migrate(database), []);
    assert.deepEqual(await pendingMigrations(database), []);
    const r = await sql<{ a: string; b: string }>`select 9007199254740993::int8 as a, 12.50::numeric as b`.execute(database.db);
    assert.deepEqual(r.rows[0], { a: "9007199254740993", b: "12.50" }, "int8 and numeric come back as strings");
  } finally {
    await database.close();
  }
});

test("migrations apply on PostgreSQL once, even when three processes race", { skip: !usePostgres() && "DATABASE_URL not set" }, async () => {
  const name = `rampart_mig_${randomBytes(5).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const dbs = [0, 1, 2].map(() => connectPostgres({ url: databaseUrlFor(name), poolSize: 2 }));
  try {
    const applied = await Promise.all(dbs.map((d) => migrate(d)));
    assert.deepEqual(applied.flat().sort(), listMigrations(), "each migration applied by exactly one racer");
    assert.deepEqual(await migrate(dbs[0]!), []);
    const r = await sql<{ a: string; b: string }>`select 9007199254740993::int8 as a, 12.50::numeric as b`.execute(dbs[0]!.db);
    assert.deepEqual(r.rows[0], { a: "9007199254740993", b: "12.50" }, "int8 and numeric come back as strings");
  } finally {
    await Promise.all(dbs.map((d) => d.close()));
    await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
});
