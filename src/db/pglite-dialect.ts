// A Kysely dialect over embedded PGlite, owned by the project. PGlite has a single session, so a
// mutex hands it to one Kysely "connection" at a time: a transaction holds it from BEGIN to
// COMMIT and nothing else can interleave statements into it (kysely-pglite did, and lost a rollback).
// Consequence for callers: inside db.transaction() never use the outer db (it would wait forever).
import type { PGlite } from "@electric-sql/pglite";
import {
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  CompiledQuery as CQ,
} from "kysely";
import { Mutex } from "./mutex.js";

class PGliteConnection implements DatabaseConnection {
  constructor(
    private readonly pg: PGlite,
    readonly release: () => void,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const res = await this.pg.query<R>(query.sql, query.parameters as unknown[]);
    return res.affectedRows === undefined
      ? { rows: res.rows }
      : { rows: res.rows, numAffectedRows: BigInt(res.affectedRows) };
  }

  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error("streaming is not supported on the embedded database");
  }
}

class PGliteDriver implements Driver {
  readonly mutex = new Mutex();
  constructor(private readonly pg: PGlite) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const release = await this.mutex.lock();
    return new PGliteConnection(this.pg, release);
  }

  /**
   * Honours the isolation level and access mode as Kysely's PostgreSQL driver does. The mutex already
   * makes every transaction here run alone, but a read-only one is then refused a write on PGlite too.
   */
  async beginTransaction(conn: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : "";
    const mode = settings.accessMode ? ` ${settings.accessMode}` : "";
    await conn.executeQuery(CQ.raw(level || mode ? `start transaction${level}${mode}` : "begin"));
  }

  async commitTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CQ.raw("commit"));
  }

  async rollbackTransaction(conn: DatabaseConnection): Promise<void> {
    await conn.executeQuery(CQ.raw("rollback"));
  }

  async releaseConnection(conn: DatabaseConnection): Promise<void> {
    (conn as PGliteConnection).release();
  }

  async destroy(): Promise<void> {
    // The owner of the PGlite instance closes it (see connect.ts), after Kysely is done.
  }
}

export class PGliteDialect implements Dialect {
  readonly driver: PGliteDriver;
  constructor(pg: PGlite) {
    this.driver = new PGliteDriver(pg);
  }
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return this.driver;
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<any>) {
    return new PostgresIntrospector(db);
  }
}
