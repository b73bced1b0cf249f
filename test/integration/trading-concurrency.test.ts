// Allocation under real concurrency on PostgreSQL: 500 creates fired at once at a listening server
// over loopback. The unique slot index and the requisite row locks must never double-assign a
// (requisite, amount) slot, and must not refuse while a slot is free; the deposit's no-negative check
// must never let a trader's holds exceed its deposit.
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { sql } from "kysely";
import { createHarness } from "../support/harness.js";
import { usePostgres } from "../support/test-db.js";
import { computeTradingAmounts } from "../../src/app/trading/amounts.js";
import { traderDepositBalance } from "../../src/app/trading/ledger-postings.js";
import { setupTrading, useFixedRate, verifyLedgerClean } from "../support/trading.js";

const skip = !usePostgres() && "needs PostgreSQL (DATABASE_URL)";

async function fire(body: unknown, n: number) {
  const h = await createHarness({ poolSize: 20, tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 20, requisitesPerTrader: 1, maxOpenPayins: 50 });
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/payment/trading/pay-in`;
    const payload = JSON.stringify(body);
    const results = await Promise.all(
      Array.from({ length: n }, async () => {
        const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": fx.merchant.apiKey }, body: payload });
        return { status: r.status, json: (await r.json()) as Record<string, string> & { requisite?: { id: string } } };
      }),
    );
    const slots = await sql<{ requisite_id: string; fiat_amount_minor: string; n: string }>`
      SELECT requisite_id, fiat_amount_minor, count(*) AS n FROM trading_payins WHERE status = 'active'
      GROUP BY requisite_id, fiat_amount_minor`.execute(h.deps.database.db);
    return { results, slots: slots.rows, requisiteIds: fx.requisiteIds };
  } finally {
    await h.close();
  }
}

test("20 requisites × 500 concurrent creates of one fiatAmount → exactly 20 succeed, 480 refused", { skip }, async () => {
  const { results, slots } = await fire({ fiatAmount: 5000 }, 500);
  const ok = results.filter((r) => r.status === 201);
  const refused = results.filter((r) => r.status === 403);
  assert.equal(ok.length, 20);
  assert.equal(refused.length, 480);
  assert.ok(refused.every((r) => r.json.message === "CANT_CREATE_TRADE_FOR_THIS_AMOUNT" && r.json.code === "no_requisite_available"));
  assert.equal(new Set(ok.map((r) => r.json.requisite!.id)).size, 20, "one pay-in per requisite");
  assert.equal(slots.length, 20);
  assert.ok(slots.every((s) => s.n === "1"), "no requisite holds two open pay-ins of one amount");
});

test("with fiatAmountRange ±10 units → 20 × 21 = 420 succeed, 80 refused, all slots distinct", { skip }, async () => {
  const { results, slots } = await fire({ fiatAmountRange: { min: 4990, max: 5010 } }, 500);
  const ok = results.filter((r) => r.status === 201);
  assert.equal(ok.length, 420);
  assert.equal(results.filter((r) => r.status === 403 && r.json.code === "no_requisite_available").length, 80);
  const keys = ok.map((r) => `${r.json.requisite!.id}:${r.json.fiatAmount}`);
  assert.equal(new Set(keys).size, 420, "all slots distinct");
  assert.ok(ok.every((r) => /^(49\d\d|50(0\d|10))\.00$/.test(r.json.fiatAmount!)), "whole units inside the range");
  assert.equal(slots.length, 420);
  assert.ok(slots.every((s) => s.n === "1"));
});

test("deposits cover 3 pay-ins per trader: 60 concurrent creates over 2 traders × 5 requisites → exactly 6 held, no deposit overdrawn, ledger verified", { skip }, async () => {
  const crypto5000 = computeTradingAmounts(500_000n, "99.12", "0.085").cryptoMinor;
  const h = await createHarness({ poolSize: 20, tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    // Enough for 3 holds and not a 4th, while the trader's 5 requisites offer 5 free slots.
    const fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 5, maxOpenPayins: 50, depositMinor: 4n * crypto5000 - 1n });
    await h.app.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/payment/trading/pay-in`;
    const results = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-api-key": fx.merchant.apiKey }, body: JSON.stringify({ fiatAmount: 5000 }) });
        return { status: r.status, json: (await r.json()) as { code?: string } };
      }),
    );
    assert.equal(results.filter((r) => r.status === 201).length, 6);
    assert.ok(results.filter((r) => r.status !== 201).every((r) => r.status === 403 && r.json.code === "no_requisite_available"));
    for (const t of fx.traders) {
      const deposit = await traderDepositBalance(h.deps, t.traderId);
      assert.equal(deposit.pendingDebits, 3n * crypto5000, "three holds on each trader");
      assert.equal(deposit.available, crypto5000 - 1n, "never below zero");
    }
    await verifyLedgerClean(h.deps);
  } finally {
    await h.close();
  }
});
