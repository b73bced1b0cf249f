// A requisite's count of active pay-ins, kept by trigger (migration 0078_p) for the trading create's
// pick (issue 16): it must equal the active pay-ins after every kind of write, the pick must still
// count a range's taken amounts when the counter cannot tell, and the pick's own usage read must not
// be trusted when a create committed on its requisite between the statement's snapshot and its lock.
import assert from "node:assert/strict";
import { test } from "node:test";
import { sql } from "kysely";
import { expireTradingPayins, traderConfirmPayin } from "../../src/app/trading/payin-lifecycle.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { usePostgres } from "../support/test-db.js";
import { createPayinOverHttp, pickRubRequisites, setupTrading, useFixedRate } from "../support/trading.js";

/** The counters (the sum of a requisite's parts) against the count they replace; none active: 0 or absent. */
async function openCountsMatch(h: Harness): Promise<Record<string, number>> {
  const db = h.deps.database.db;
  const counters = await sql<{ requisite_id: string; open: number }>`
    SELECT requisite_id, sum(open)::int AS open FROM trading_requisite_open_payins GROUP BY 1 HAVING sum(open) <> 0 ORDER BY 1`.execute(db);
  const counted = await sql<{ requisite_id: string; open: number }>`
    SELECT requisite_id, count(*)::int AS open FROM trading_payins WHERE status = 'active' GROUP BY 1 ORDER BY 1`.execute(db);
  assert.deepEqual(counters.rows, counted.rows);
  return Object.fromEntries(counters.rows.map((r) => [r.requisite_id, r.open]));
}

test("the open count follows every write: create, cancel, expiry, settle, disputes, a multi-row update, a delete", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1 });
    const [rid] = fx.requisiteIds as [string];
    const db = h.deps.database.db;
    const key = fx.merchant.apiKey;
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await createPayinOverHttp(h.app, key, 5000 + i)).id);
    assert.deepEqual(await openCountsMatch(h), { [rid]: 6 });

    assert.equal((await jsonCall(h.app, "POST", `/payment/trading/pay-in/${ids[0]}/cancel`, { "x-api-key": key })).status, 200);
    assert.deepEqual(await openCountsMatch(h), { [rid]: 5 }, "a cancel");
    await traderConfirmPayin(h.deps, fx.traders[0]!.traderId, ids[1]!);
    assert.deepEqual(await openCountsMatch(h), { [rid]: 4 }, "a settle");
    h.clock.advance(3 * 3600_000);
    assert.equal((await expireTradingPayins(h.deps, [ids[2]!])).get(ids[2]!), "expired");
    assert.deepEqual(await openCountsMatch(h), { [rid]: 3 }, "an expiry");

    // A dispute on a canceled pay-in (active no more, so no change), then on an active one.
    await db.updateTable("trading_payins").set({ status: "dispute" }).where("id", "=", ids[0]!).execute();
    assert.deepEqual(await openCountsMatch(h), { [rid]: 3 }, "a canceled pay-in disputed");
    await db.updateTable("trading_payins").set({ status: "dispute" }).where("id", "=", ids[3]!).execute();
    assert.deepEqual(await openCountsMatch(h), { [rid]: 2 }, "an active pay-in disputed");
    // A note-only update and a status written back to active (a restore by hand) in one statement.
    await db.updateTable("trading_payins").set({ updated_at: h.clock.now() }).execute();
    await db.updateTable("trading_payins").set({ status: "active" }).where("id", "in", [ids[0]!, ids[3]!]).execute();
    assert.deepEqual(await openCountsMatch(h), { [rid]: 4 }, "two restored in one statement");
    // Several rows leaving active in one statement, the shape of the expiry sweep's batch.
    await db.updateTable("trading_payins").set({ status: "canceled" }).where("status", "=", "active").execute();
    assert.deepEqual(await openCountsMatch(h), {}, "all canceled at once");

    await db.updateTable("trading_payins").set({ status: "active" }).where("id", "=", ids[5]!).execute();
    assert.deepEqual(await openCountsMatch(h), { [rid]: 1 });
    await db.deleteFrom("trading_payin_events").where("payin_id", "=", ids[5]!).execute();
    await db.deleteFrom("trading_payins").where("id", "=", ids[5]!).execute();
    assert.deepEqual(await openCountsMatch(h), {}, "an active pay-in deleted");
  } finally {
    await h.close();
  }
});

test("the pick counts a range's taken amounts only when the open count could fill it", async () => {
  const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  try {
    const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 5 });
    const [rid] = fx.requisiteIds as [string];
    const db = h.deps.database.db;
    await createPayinOverHttp(h.app, fx.merchant.apiKey, 7000);
    const ids = async (first: bigint, last: bigint) => (await pickRubRequisites(db, first, last, 100n)).candidates.map((c) => c.id);
    assert.deepEqual(await ids(700_000n, 700_000n), [], "its one amount is taken (1 open, 1 amount: counted)");
    assert.deepEqual(await ids(700_100n, 700_100n), [rid], "another amount is free (counted: none taken)");
    assert.deepEqual(await ids(700_000n, 700_100n), [rid], "1 open against 2 amounts: one is surely free");
    const both = await pickRubRequisites(db, 700_000n, 700_100n, 100n);
    assert.deepEqual([...both.usage!.taken], [700_000n]);
    assert.equal(both.usage!.open, 1);
  } finally {
    await h.close();
  }
});

test(
  "a create committed on the picked requisite after the pick's snapshot, before its lock: the usage is read again under the lock",
  { skip: !usePostgres() && "needs two PostgreSQL sessions" },
  async () => {
    const h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
    try {
      const fx = await setupTrading(h.deps, { traders: 1, requisitesPerTrader: 1, maxOpenPayins: 1 });
      const [rid] = fx.requisiteIds as [string];
      const db = h.deps.database.db;
      // A gate inside the pick, after its snapshot and before its lock: the banks it joins become a view
      // whose rows wait on an advisory lock the test holds.
      await sql`
        CREATE FUNCTION test_pick_gate() RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
        BEGIN PERFORM pg_advisory_lock_shared(7800); PERFORM pg_advisory_unlock_shared(7800); RETURN true; END $$`.execute(db);
      await sql`ALTER TABLE trading_banks RENAME TO trading_banks_table`.execute(db);
      await sql`CREATE VIEW trading_banks AS SELECT * FROM trading_banks_table WHERE test_pick_gate()`.execute(db);

      const other = await createPayinOverHttp(h.app, fx.merchant.apiKey, 6000); // to copy its row from
      await jsonCall(h.app, "POST", `/payment/trading/pay-in/${other.id}/cancel`, { "x-api-key": fx.merchant.apiKey });
      let created: Promise<{ status: number; json: Record<string, unknown> }> | undefined;
      await db.connection().execute(async (gate) => {
        await sql`SELECT pg_advisory_lock(7800)`.execute(gate);
        created = jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmountRange: { min: 5000, max: 5010 } });
        for (;;) {
          const waiting = await sql<{ n: string }>`
            SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'`.execute(gate);
          if (Number(waiting.rows[0]!.n) > 0) break;
        }
        // What a create on the requisite commits meanwhile: its turn and an active pay-in (5,010 RUB, not the
        // 5,005 the create would pick, so the slot index cannot be what refuses it).
        await db.transaction().execute(async (trx) => {
          await sql`UPDATE trading_requisites SET last_assigned_at = now(), payins_assigned = payins_assigned + 1 WHERE id = ${rid}`.execute(trx);
          await sql`
            INSERT INTO trading_payins (id, merchant_id, api_key_id, status, fiat_amount_minor, fiat_currency, crypto_amount_minor, merchant_fee_minor,
              fee_rate, currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id, request_fingerprint, extra,
              expires_at, created_at, updated_at)
            SELECT gen_random_uuid(), merchant_id, api_key_id, 'active', 501000, fiat_currency, crypto_amount_minor, merchant_fee_minor,
              fee_rate, currency_rate, crypto_currency, crypto_network, bank_code, method, requisite_id, trader_id, 'test', '{}',
              expires_at, created_at, updated_at
            FROM trading_payins WHERE id = ${other.id}`.execute(trx);
        });
        await sql`SELECT pg_advisory_unlock(7800)`.execute(gate);
      });
      const r = await created!;
      // The snapshot saw no open pay-in; under the lock the requisite is full (max 1 open).
      assert.equal(r.status, 403, JSON.stringify(r.json));
      assert.equal(r.json.code, "no_requisite_available");
      assert.deepEqual(await openCountsMatch(h), { [rid]: 1 });
    } finally {
      await h.close();
    }
  },
);
