// A page of pay-ins costs a fixed number of queries however many pay-ins it holds: the requisites
// are read in one query, not one per pay-in (the merchant list and the trader list).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from "kysely";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

/** Counts every query the app sends through deps.database.db. */
class QueryCounter implements KyselyPlugin {
  count = 0;
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    this.count++;
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

const counter = new QueryCounter();
let h: Harness;
let fx: TradingFixture;

before(async () => {
  h = await createHarness({
    tweak: (deps) => {
      useFixedRate(deps, "99.12");
      deps.database = { ...deps.database, db: deps.database.db.withPlugin(counter) };
    },
  });
  // One trader, so the trader's list holds every pay-in: with two, the first page could hold none
  // of that trader's pay-ins and skip the requisites query the larger page makes.
  fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 3, depositMinor: 1_000_000_000_000n });
});
after(() => h.close());

async function createPayins(n: number, from: number) {
  for (let i = 0; i < n; i++) {
    const r = await h.app.inject({
      method: "POST",
      url: "/payment/trading/pay-in",
      headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
      payload: JSON.stringify({ fiatAmount: from + i * 10 }),
    });
    assert.equal(r.statusCode, 201, r.body);
  }
}

/** Queries made by one GET, and the number of items it answered. */
async function queriesFor(url: string, headers: Record<string, string>) {
  const before = counter.count;
  const r = await h.app.inject({ method: "GET", url, headers });
  assert.equal(r.statusCode, 200, r.body);
  return { queries: counter.count - before, items: (r.json() as { items: unknown[] }).items.length };
}

test("the merchant's and the trader's pay-in lists make the same number of queries for 2 pay-ins as for 8", async () => {
  const merchant = { "x-api-key": fx.merchant.apiKey };
  const trader = { "x-trader-key": fx.traders[0]!.traderKey };
  await createPayins(2, 5000);
  const small = await queriesFor("/payment/trading/pay-in?limit=100", merchant);
  const smallTrader = await queriesFor("/trader/v1/pay-ins?limit=100", trader);
  await createPayins(6, 6000);
  const large = await queriesFor("/payment/trading/pay-in?limit=100", merchant);
  const largeTrader = await queriesFor("/trader/v1/pay-ins?limit=100", trader);
  assert.deepEqual([small.items, large.items, smallTrader.items, largeTrader.items], [2, 8, 2, 8]);
  assert.equal(large.queries, small.queries, "merchant list");
  assert.equal(largeTrader.queries, smallTrader.queries, "trader list");
});
