// A trader whose deposit cannot cover a pay-in is no candidate for it. Its refused hold rolls its
// requisites' turn back, so without the pre-filter they stay least recently used and come first in
// every create: 25 of them filled the candidate list and a funded trader's requisite was never reached.
import assert from "node:assert/strict";
import { test } from "node:test";
import { fundTraderDeposit } from "../../src/app/trading/ledger-postings.js";
import { createRequisite, createTrader } from "../../src/app/trading/traders.js";
import { createHarness } from "../support/harness.js";
import { createPayinOverHttp, setupTrading, useFixedRate, verifyLedgerClean } from "../support/trading.js";

test("a trader without the free deposit is passed over: the funded trader behind 25 of its requisites gets the pay-in", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    // 25 requisites never used (least recently used first), of a trader whose deposit holds 1 minor unit.
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 25, depositMinor: 1n });
    const funded = await createTrader(h.deps, "Funded trader");
    await fundTraderDeposit(h.deps, funded.traderId, 1_000_000_000_000n, `test:fund:${funded.traderId}`);
    const fundedRequisite = await createRequisite(h.deps, { traderId: funded.traderId, bank: "SBER", method: "card", ownerName: "Funded Owner", number: "2202200099990001", maxOpenPayins: 50 });
    // Used a moment ago, so it comes last in the least-recently-used order.
    await h.deps.database.db.updateTable("trading_requisites").set({ last_assigned_at: h.deps.clock.now() }).where("id", "=", fundedRequisite).execute();

    for (let i = 0; i < 3; i++) {
      const payin = await createPayinOverHttp(h.app, fx.merchant.apiKey, 5000 + i);
      assert.equal(payin.requisite.id, fundedRequisite);
    }
    const exhaustedTurns = await h.deps.database.db.selectFrom("trading_requisites").select("last_assigned_at").where("id", "in", fx.requisiteIds).execute();
    assert.ok(exhaustedTurns.every((r) => r.last_assigned_at === null), "the exhausted trader's requisites were never assigned");
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
