// One Kysely instance over PostgreSQL (pg) or embedded PGlite. Both engines return int8 and
// numeric as strings, so money never passes through a JS number on its way out of the database.
import { PGlite } from "@electric-sql/pglite";
import { type Kysely, PostgresDialect } from "kysely";
import pg from "pg";
import {
  assertChannel,
  type ChangeHandlers,
  type ListenerState,
  postgresListener,
  type ScheduleReconnect,
  type StopListening,
} from "./change-listener.js";
import { wrapClientQuery } from "./client-query.js";
import { CommitHookedKysely } from "./commit-hooks.js";
import { acquireDataDirLock } from "./lock-file.js";
import { PGliteDialect } from "./pglite-dialect.js";
import type { DB } from "./schema.js";

type Engine = "postgres" | "pglite";

export interface Database {
  readonly db: Kysely<DB>;
  readonly engine: Engine;
  /** Runs a multi-statement SQL script (migrations) in one session. */
  execScript(sql: string): Promise<void>;
  /**
   * Holds one session for `fn` (the migration runner: its session advisory lock must be taken and
   * released in that same session). `query` runs one statement outside any transaction (CREATE INDEX
   * CONCURRENTLY, which a transaction or a multi-statement query refuses); `exec` runs a script.
   */
  inSession<T>(
    fn: (query: (statement: string) => Promise<Record<string, unknown>[]>, exec: (script: string) => Promise<void>) => Promise<T>,
  ): Promise<T>;
  /** Follows the NOTIFYs on `channel` until the returned function or close() is called. */
  listen(channel: string, handlers: ChangeHandlers): Promise<StopListening>;
  /** Whether the NOTIFY session is up (PGlite's lives with the database: always listening). */
  listenerState(): ListenerState;
  /** Connections busy and requests waiting for one (PGlite: the one session's holder and queue). */
  poolStats(): { inUse: number; waiting: number };
  /**
   * The embedded database's data dir as an uncompressed tar, consistent: taken after a CHECKPOINT while
   * no transaction is open (requests wait for the moment it takes). PostgreSQL has pg_dump instead.
   */
  snapshot(): Promise<Blob>;
  close(): Promise<void>;
}

/** Listeners stop before the database closes, so none reconnects to a closed database. */
function listenerSet() {
  const stops = new Set<StopListening>();
  return {
    add(stop: StopListening): StopListening {
      const once = async () => {
        stops.delete(once);
        await stop();
      };
      stops.add(once);
      return once;
    },
    async stopAll() {
      await Promise.all([...stops].map((stop) => stop()));
    },
  };
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const asString = (v: string) => v;

interface PostgresOptions {
  url: string;
  poolSize: number;
  /** When the NOTIFY session reconnects after a loss (default: a second later). */
  listenerReconnect?: ScheduleReconnect;
}

export function connectPostgres({ url, poolSize, listenerReconnect }: PostgresOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Statements are written without waiting for the answers before them (client-query.ts: a
    // transaction's BEGIN and its first statement share a round trip).
    pipeline: true,
    types: {
      getTypeParser: ((oid: number, format?: "text" | "binary") =>
        oid === INT8_OID || oid === NUMERIC_OID
          ? asString
          : pg.types.getTypeParser(oid, format as "text")) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on("error", () => {});
  pool.on("connect", wrapClientQuery);
  const db = new CommitHookedKysely<DB>({ dialect: new PostgresDialect({ pool }) });
  const listeners = listenerSet();
  const listener = postgresListener(url, listenerReconnect);
  return {
    db,
    engine: "postgres",
    listenerState: () => listener.state(),
    poolStats: () => ({ inUse: pool.totalCount - pool.idleCount, waiting: pool.waitingCount }),
    async listen(channel, handlers) {
      return listeners.add(listener.listen(channel, handlers));
    },
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
    async inSession(fn) {
      const client = await pool.connect();
      try {
        return await fn(
          async (statement) => (await client.query(statement)).rows,
          async (script) => void (await client.query(script)), // no parameters: simple protocol
        );
      } finally {
        client.release();
      }
    },
    async snapshot() {
      throw new Error("a PostgreSQL database is backed up with pg_dump or a base backup (docs/operations.md#backups-and-restore)");
    },
    async close() {
      await listeners.stopAll();
      await db.destroy(); // ends the pool
    },
  };
}

interface PGliteOptions {
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
  const db = new CommitHookedKysely<DB>({ dialect });
  const listeners = listenerSet();
  // PGlite is one session: scripts, LISTEN and UNLISTEN take the mutex so they never land inside a
  // transaction that another caller has open.
  const exclusive = async <T>(fn: () => Promise<T>): Promise<T> => {
    const release = await dialect.driver.mutex.lock();
    try {
      return await fn();
    } finally {
      release();
    }
  };
  return {
    db,
    engine: "pglite",
    pglite,
    listenerState: () => "listening",
    poolStats: () => ({ inUse: Math.min(dialect.driver.mutex.queued, 1), waiting: Math.max(dialect.driver.mutex.queued - 1, 0) }),
    async listen(channel, handlers) {
      assertChannel(channel);
      const unlisten = await exclusive(() => pglite.listen(channel, (payload) => handlers.changed(payload)));
      handlers.ready(); // the session lives as long as the database: it is never lost
      return listeners.add(() => exclusive(unlisten));
    },
    async execScript(sql) {
      await exclusive(async () => {
        try {
          await pglite.exec(sql);
        } catch (err) {
          await pglite.exec("rollback").catch(() => {});
          throw err;
        }
      });
    },
    async inSession(fn) {
      return exclusive(() =>
        fn(
          async (statement) => (await pglite.query<Record<string, unknown>>(statement)).rows,
          async (script) => void (await pglite.exec(script)),
        ),
      );
    },
    async snapshot() {
      return exclusive(async () => {
        await pglite.exec("CHECKPOINT"); // the files hold every commit, so the copy needs no WAL replay
        return pglite.dumpDataDir("none"); // compressed later, outside the mutex
      });
    },
    async close() {
      await listeners.stopAll();
      await db.destroy();
      await pglite.close();
      releaseLock();
    },
  };
}
