// A Kysely plugin that lets a test run its own work right after a chosen query of the code under test
// returns, before that code sees the result: how a test places another session's work at an exact
// point of a transaction (while it holds the locks taken so far), with no sleep and no timing.
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryId, QueryResult, RootOperationNode, UnknownRow } from "kysely";

/** Runs `hook(n, node)` after the n-th query through the handle (`node`, its operation) returns. */
export class AfterEachQuery implements KyselyPlugin {
  private n = 0;
  private readonly nodes = new WeakMap<QueryId, RootOperationNode>();
  constructor(private readonly hook: (n: number, node: RootOperationNode) => Promise<void>) {}
  transformQuery(a: PluginTransformQueryArgs): RootOperationNode {
    this.nodes.set(a.queryId, a.node);
    return a.node;
  }
  async transformResult(a: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    await this.hook(++this.n, this.nodes.get(a.queryId)!);
    return a.result;
  }
}
