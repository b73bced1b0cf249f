// Runs a statement function's statements as EXPLAIN (ANALYZE, FORMAT JSON) and keeps their plans, so
// a test can check how much a plan did (rows produced, rows filtered away, each times its loops): a
// count that, unlike a time, is the same on any machine for the same data and plan.
import { type Kysely, type KyselyPlugin, type QueryResult, RawNode, type UnknownRow } from "kysely";

/** The fields of an EXPLAIN (FORMAT JSON) plan node that planWork reads. */
export interface PlanNode {
  "Actual Rows": number;
  "Actual Loops": number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Join Filter"?: number;
  Plans?: PlanNode[];
}

/** `db` with every statement explained instead of run plainly (it still runs: ANALYZE); `plans` fills in order. */
export function explainAnalyze<DB>(db: Kysely<DB>): { db: Kysely<DB>; plans: PlanNode[] } {
  const plans: PlanNode[] = [];
  const plugin: KyselyPlugin = {
    transformQuery: ({ node }) => RawNode.create(["EXPLAIN (ANALYZE, FORMAT JSON) ", ""], [node]),
    async transformResult({ result }): Promise<QueryResult<UnknownRow>> {
      // A json column: node-postgres and PGlite both hand it over parsed.
      const explained = result.rows[0]!["QUERY PLAN"] as [{ Plan: PlanNode }];
      plans.push(explained[0].Plan);
      return { rows: [] };
    },
  };
  return { db: db.withPlugin(plugin), plans };
}

/**
 * Rows a plan handled: each node's rows out and rows its filters dropped, times its loops (EXPLAIN
 * gives both per loop). A nested loop that rescans N rows for each of N rows counts N².
 */
export function planWork(node: PlanNode): number {
  const own = (node["Actual Rows"] + (node["Rows Removed by Filter"] ?? 0) + (node["Rows Removed by Join Filter"] ?? 0)) * node["Actual Loops"];
  return own + (node.Plans ?? []).reduce((sum, child) => sum + planWork(child), 0);
}
