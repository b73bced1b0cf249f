// One Kysely instance over PostgreSQL (pg) or embedded PGlite. Both engines return int8 and
// numeric as strings, so money never passes through a JS number on its way out of the database.
import { PGlite } from "@electric-sql/pglite";
import { Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import { acquireDataDirLock } from "./lock-file.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { DB } from "./schema.js";

export type Engine = "postgres" | "pglite";

export interface Database {
  readonly db: Kysely<DB>;
  readonly engine: Engine;
  /** Runs a multi-statement SQL script (migrations) in one session. */
  execScript(sql: string): Promise<void>;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const asString = (v: string) => v;

export interface PostgresOptions {
  url: string;
  poolSize: number;
}

export function connectPostgres({ url, poolSize }: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? asString
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    engine: "postgres",
    async execScript(sql) {
      const client = await pool.connect();
      try {
        await client.query(sql); // no parameters: simple protocol, so several statements are fine
      } catch (err) {
        await client.query("rollback").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    },
    async close() {
      await db.destroy(); // ends the pool
    },
  };
}

export interface PGliteOptions {
  /** Data directory; null keeps the database in memory. */
  dataDir: string | null;
  /** A dump of a migrated data dir to start from (tests). */
  loadDataDir?: Blob;
}

export async function connectPGlite({ dataDir, loadDataDir }: PGliteOptions): Promise<Database & { pglite: PGlite }> {
  const releaseLock = dataDir ? acquireDataDirLock(dataDir) : () => {};
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(dataDir ? { dataDir: `${dataDir}/pgdata` } : {}),
      ...(loadDataDir ? { loadDataDir } : {}),
      parsers: { [INT8_OID]: asString, [NUMERIC_OID]: asString },
    });
  } catch (err) {
    releaseLock();
    throw err;
  }
  const dialect = new PGliteDialect(pglite);
  const db = new Kysely<DB>({ dialect });
  return {
    db,
    engine: "pglite",
    pglite,
    async execScript(sql) {
      const release = await dialect.driver.mutex.lock();
      try {
        await pglite.exec(sql);
      } catch (err) {
        await pglite.exec("rollback").catch(() => {});
        throw err;
      } finally {
        release();
      }
    },
    async close() {
      await db.destroy();
      await pglite.close();
      releaseLock();
    },
  };
}
