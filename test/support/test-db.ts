// A fresh database per test file: on PostgreSQL (DATABASE_URL set, and not forced to PGlite) a clone
// of a migrated template; otherwise an in-memory PGlite loaded from a dump of a migrated data dir.
// scripts/test.mjs prepares both once per run; a file run on its own prepares them itself.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { connectPGlite, connectPostgres, type Database } from "../../src/db/connect.js";
import type { ScheduleReconnect } from "../../src/db/change-listener.js";
import { migrate } from "../../src/db/migrate.js";
import { DatabaseUnavailableError, postgresProblem, probePostgres } from "../../src/db/unavailable.js";

export function usePostgres(): boolean {
  return Boolean(process.env.DATABASE_URL) && process.env.RAMPART_TEST_PGLITE !== "1";
}

export function adminUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL (a PostgreSQL server) is required here");
  return url;
}

export function databaseUrlFor(name: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  return u.toString();
}

/** Runs each statement on its own (CREATE DATABASE may not share a transaction) over one connection. */
export async function adminQuery(...statements: string[]): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    for (const sqlText of statements) await client.query(sqlText);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The test run connects to the database in `url` (DATABASE_URL) to create its per-test databases:
 * it is created here when missing, through the server's `postgres` database.
 */
export async function ensurePostgresDatabase(url: string): Promise<void> {
  try {
    await probePostgres(url);
    return;
  } catch (err) {
    if (!(err instanceof DatabaseUnavailableError) || err.code !== "3D000") throw err;
  }
  const maintenance = new URL(url);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE ${quoteIdent(decodeURIComponent(new URL(url).pathname.slice(1)))}`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42P04") throw postgresProblem(url, err); // 42P04: created meanwhile
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates and migrates a PostgreSQL template database; returns its name. */
export async function preparePostgresTemplate(): Promise<string> {
  await ensurePostgresDatabase(adminUrl());
  const name = `rampart_tpl_${randomBytes(5).toString("hex")}`;
  try {
    await adminQuery(`CREATE DATABASE ${name}`);
  } catch (err) {
    if ((err as { code?: string }).code !== "42501") throw postgresProblem(adminUrl(), err);
    throw new DatabaseUnavailableError(`the role in DATABASE_URL cannot create databases: tests create one per test file, so it needs CREATEDB rights`, "42501");
  }
  const database = connectPostgres({ url: databaseUrlFor(name), poolSize: 1 });
  try {
    await migrate(database);
  } finally {
    await database.close();
  }
  return name;
}

/** Migrates an in-memory PGlite and dumps it to a file; returns the file path. */
export async function preparePGliteDump(): Promise<string> {
  const database = await connectPGlite({ dataDir: null });
  try {
    await migrate(database);
    const blob = await database.pglite.dumpDataDir("none");
    const file = path.join(os.tmpdir(), `rampart-pglite-${randomBytes(5).toString("hex")}.tar`);
    fs.writeFileSync(file, Buffer.from(await blob.arrayBuffer()));
    return file;
  } finally {
    await database.close();
  }
}

export interface TestDatabase {
  database: Database;
  /** PostgreSQL only: a URL other processes can use to reach this database. */
  url: string | null;
  close(): Promise<void>;
}

/**
 * The template's migrating connection may still be leaving the server when the first copy starts:
 * CREATE DATABASE then fails with 55006 after PostgreSQL itself waited 5 s for it (seen on a machine
 * at load 20). Each retry is another such wait by the server, so this loop has no sleep of its own.
 */
async function createFromTemplate(name: string, template: string, attempts = 5): Promise<void> {
  try {
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`, `ALTER DATABASE ${name} SET synchronous_commit = off`);
  } catch (err) {
    if ((err as { code?: string }).code !== "55006" || attempts <= 1) throw err;
    await createFromTemplate(name, template, attempts - 1);
  }
}

let ownTemplate: Promise<string> | null = null;
let ownDump: Promise<string> | null = null;

export async function createTestDatabase(opts: { poolSize?: number; listenerReconnect?: ScheduleReconnect } = {}): Promise<TestDatabase> {
  if (usePostgres()) {
    const template = process.env.RAMPART_TEST_PG_TEMPLATE ?? (await (ownTemplate ??= preparePostgresTemplate()));
    const name = `rampart_t_${randomBytes(6).toString("hex")}`;
    // A test database outlives no server crash, so its commits need not wait for the disk: this
    // takes the fsync of every commit out of the suite's time and changes nothing a test can see.
    await createFromTemplate(name, template);
    const url = databaseUrlFor(name);
    const database = connectPostgres({ url, poolSize: opts.poolSize ?? 10, listenerReconnect: opts.listenerReconnect });
    return {
      database,
      url,
      async close() {
        await database.close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
    };
  }
  const dumpFile = process.env.RAMPART_TEST_PGLITE_DUMP ?? (await (ownDump ??= preparePGliteDump()));
  const database = await connectPGlite({ dataDir: null, loadDataDir: new Blob([fs.readFileSync(dumpFile)]) });
  return { database, url: null, close: () => database.close() };
}
