// Statements of one transaction sent together: each is written without waiting for the answer to the
// one before (the pool runs pg in pipeline mode, and client-query.ts puts the statements of one turn
// in one socket write), so N statements cost one write and one round trip instead of N. Kysely itself
// waits for each answer before the next statement, so this goes to the transaction's connection
// directly. For statements that do not depend on each other's results in Node: PostgreSQL still runs
// them in order, inside the transaction. The executor's plugins see each result, in order, once all
// have come back (the tests' hooks between statements are plugins).
import { CompiledQuery, type QueryResult, type Transaction } from "kysely";
import { EARLY_COMMIT_TEXT } from "./client-query.js";
import type { DB } from "./schema.js";

/**
 * The transaction's COMMIT, to send last among the statements of its last round trip, on PostgreSQL
 * only (client-query.ts): a transaction that ends with a write saves the round trip of Kysely's COMMIT,
 * which is then answered with this one's answer, not sent. Every statement before it must fail rather
 * than answer a refusal as data: PostgreSQL answers a COMMIT behind a failed statement with ROLLBACK,
 * but commits whatever came back as a refusal. Nothing may follow it in the transaction.
 */
export const EARLY_COMMIT = CompiledQuery.raw(EARLY_COMMIT_TEXT);

/**
 * Runs `queries` in order in `trx`, in one round trip; their results in the same order. When one
 * fails, PostgreSQL refuses the rest (the transaction is aborted): the first failure is thrown.
 */
export async function runPipelined(trx: Transaction<DB>, queries: readonly CompiledQuery[]): Promise<QueryResult<unknown>[]> {
  const executor = trx.getExecutor();
  return executor.provideConnection(async (connection) => {
    const settled = await Promise.allSettled(queries.map((q) => connection.executeQuery(q)));
    const results: QueryResult<unknown>[] = [];
    for (const [k, s] of settled.entries()) {
      if (s.status === "rejected") throw s.reason;
      let result = s.value;
      for (const plugin of executor.plugins) result = await plugin.transformResult({ result: result as QueryResult<Record<string, unknown>>, queryId: queries[k]!.queryId });
      results.push(result);
    }
    return results;
  });
}
