// The few statements every trading create runs (the requisite pick, its usage read, the ledger hold's
// fast path), the intent creates' insert and payers' upsert (db/intents/intents.ts, db/kyc/kyc.ts),
// the card offers' batch (db/card/offers.ts) and the /metrics snapshot (db/ops/ops-snapshot.ts) are
// long statements whose parsing and planning cost PostgreSQL about as much as running them (issue 16:
// the pick planned in ~2 ms and ran in ~2.5 ms). Run through runHot, each such text becomes a named
// prepared statement on every connection that runs it (connect.ts asks hotStatementName), so
// a connection parses it once and, once PostgreSQL settles on a generic plan, plans it once too.
// Only for fixed shapes with explicit result columns (no `*`: a prepared `*` fails after a migration
// adds a column), and bounded: past MAX_HOT texts the rest simply run unprepared.
import { type CompiledQuery, type QueryResult, type RawBuilder, sql } from "kysely";
import type { Db } from "./schema.js";

const MAX_HOT = 64;
const names = new Map<string, string>();

/**
 * Every column of a table named in a hot statement's result, where `*` must not be (see above), and
 * qualified by `alias` when given. Declare `columns` as `Record<keyof TheTable, true>`: TypeScript then
 * refuses the list when the table gains or loses a column.
 */
export function namedColumns(columns: Record<string, true>, alias?: string): RawBuilder<unknown> {
  return sql.raw(Object.keys(columns).map((c) => (alias ? `${alias}.${c}` : c)).join(", "));
}

/** The prepared statement's name for a text runHot has seen, else undefined (run it as it is). */
export function hotStatementName(text: string): string | undefined {
  return names.get(text);
}

/** `query` compiled, to go as a named prepared statement on PostgreSQL wherever it is run. */
export function hot<R>(db: Db, query: RawBuilder<R>): CompiledQuery<R> {
  const compiled = query.compile(db);
  if (!names.has(compiled.sql) && names.size < MAX_HOT) names.set(compiled.sql, `rampart_hot_${names.size}`);
  return compiled;
}

/** Runs `query` as a named prepared statement on PostgreSQL (as it is on PGlite). */
export async function runHot<R>(db: Db, query: RawBuilder<R>): Promise<QueryResult<R>> {
  return db.executeQuery(hot(db, query));
}
