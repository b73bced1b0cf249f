// A requisite's daily and monthly volume limits, read from the per-day counters that triggers keep
// (migration 0050_r): a canceled pay-in frees its volume, a new UTC day and a new month start afresh,
// and after creates, cancels, an amount change and a delete the counters equal the sum of the pay-ins.
// Creates add to a day's part 0, every later write to its part 1 (0080_e: the expiry sweep and the
// creates share no counter row), and the limits read the parts' sum, also with expiries and creates
// running at once.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { sql } from "kysely";
import { expireTradingPayins } from "../../src/app/trading/payin-lifecycle.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  h.clock.set("2026-03-10T10:00:00.000Z");
  fx = await setupTrading(h.deps, { traders: 1 });
  // 15,000 RUB a day, 20,000 a month (minor units).
  await h.deps.database.db
    .updateTable("trading_requisites")
    .set({ daily_volume_limit_minor: "1500000", monthly_volume_limit_minor: "2000000" })
    .where("id", "=", fx.requisiteIds[0]!)
    .execute();
});
after(async () => {
  await h.close();
});

const create = (fiatAmount: number) => jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount });
const cancel = (id: string) => jsonCall(h.app, "POST", `/payment/trading/pay-in/${id}/cancel`, { "x-api-key": fx.merchant.apiKey });

async function refused(fiatAmount: number) {
  const r = await create(fiatAmount);
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.code, "no_requisite_available");
}

/** The counters (a day's parts summed) against the summing read they replace: per requisite and UTC day, canceled pay-ins excluded. */
async function countersMatchPayins() {
  const counters = await sql<{ requisite_id: string; day: string; volume: string }>`
    SELECT requisite_id, day::text, sum(volume_minor)::text AS volume FROM trading_requisite_day_volumes
    GROUP BY 1, 2 HAVING sum(volume_minor) <> 0 ORDER BY 1, 2`.execute(h.deps.database.db);
  const sums = await sql<{ requisite_id: string; day: string; volume: string }>`
    SELECT requisite_id, (created_at AT TIME ZONE 'UTC')::date::text AS day, sum(fiat_amount_minor)::text AS volume
    FROM trading_payins WHERE status <> 'canceled' GROUP BY 1, 2 HAVING sum(fiat_amount_minor) <> 0 ORDER BY 1, 2`.execute(h.deps.database.db);
  assert.deepEqual(counters.rows, sums.rows);
  return counters.rows;
}

test("daily and monthly limits count the day's and the month's pay-ins; a cancel frees its volume", async () => {
  assert.equal((await create(5000)).status, 201);
  const second = await create(6000);
  assert.equal(second.status, 201, second.text);
  await refused(5100); // 16,100 > 15,000 today
  assert.equal((await cancel(second.json.id as string)).status, 200);
  assert.equal((await create(5100)).status, 201, "the canceled 6,000 counts nothing: 10,100 today");

  h.clock.set("2026-03-11T00:00:01.000Z"); // a new UTC day, the same month (10,100 so far)
  assert.equal((await create(4000)).status, 201, "4,000 today, 14,100 this month");
  await refused(6000); // 10,000 today is under the day's limit, 20,100 this month is over the month's

  h.clock.set("2026-04-01T00:00:00.000Z"); // a new month
  assert.equal((await create(6000)).status, 201, "April starts afresh");
  assert.deepEqual(
    (await countersMatchPayins()).map((r) => [r.day, r.volume]),
    [
      ["2026-03-10", "1010000"],
      ["2026-03-11", "400000"],
      ["2026-04-01", "600000"],
    ],
  );
  await verifyLedgerClean(h.deps);
});

test("the counters follow any write to the pay-ins: an amount changed, a cancel, a re-opened status, a row deleted", async () => {
  const db = h.deps.database.db;
  const p = await create(7000);
  assert.equal(p.status, 201, p.text);
  // One statement changing several rows (the shape of a re-calculation and of the expiry sweep).
  await db.updateTable("trading_payins").set({ fiat_amount_minor: "710000" }).where("id", "=", p.json.id as string).execute();
  await countersMatchPayins();
  await db.updateTable("trading_payins").set({ status: "canceled" }).where("status", "=", "active").execute();
  await countersMatchPayins();
  await db.updateTable("trading_payins").set({ status: "closed" }).where("id", "=", p.json.id as string).execute();
  await countersMatchPayins();
  // Its events first: they reference the pay-in.
  await db.deleteFrom("trading_payin_events").where("payin_id", "=", p.json.id as string).execute();
  await db.deleteFrom("trading_payins").where("id", "=", p.json.id as string).execute();
  assert.deepEqual(await countersMatchPayins(), [], "every pay-in is canceled or gone: no volume is left");
});

/** Each requisite-day's parts: what the creates added (0) and what later writes changed (1). */
async function parts(day: string) {
  const r = await sql<{ part: number; volume: string }>`
    SELECT part, sum(volume_minor)::text AS volume FROM trading_requisite_day_volumes
    WHERE requisite_id = ${fx.requisiteIds[0]!} AND day = ${day}::date GROUP BY 1 ORDER BY 1`.execute(h.deps.database.db);
  return r.rows.map((x) => [x.part, x.volume]);
}

test("an expiry batch with creates running at once: creates add to part 0, the batch subtracts in part 1, the limits read the sum", async () => {
  h.clock.set("2026-05-20T10:00:00.000Z");
  const due = [];
  for (const amount of [3000, 4000, 5000]) {
    const r = await create(amount);
    assert.equal(r.status, 201, r.text);
    due.push(r.json.id as string);
  }
  assert.deepEqual(await parts("2026-05-20"), [[0, "1200000"]]);
  await refused(3100); // 15,100 > 15,000 today

  h.clock.set("2026-05-20T11:00:00.000Z"); // their windows are over; the same UTC day
  const amounts = [2000, 2500];
  const [expired, ...created] = await Promise.all([expireTradingPayins(h.deps, due), ...amounts.map(create)]);
  assert.deepEqual([...expired.values()], ["expired", "expired", "expired"]);
  // Each create ran before or after the batch committed: the 12,000 still counted, or freed.
  for (const r of created) assert.ok(r.status === 201 || r.json.code === "no_requisite_available", r.text);
  const createdMinor = amounts.reduce((n, a, i) => (created[i]!.status === 201 ? n + BigInt(a) * 100n : n), 0n);
  assert.deepEqual(await parts("2026-05-20"), [[0, (1200000n + createdMinor).toString()], [1, "-1200000"]]);
  await countersMatchPayins();

  assert.equal((await create(9000)).status, 201, "the expired 12,000 counts nothing: at most 13,500 today");
  await refused(6100); // at least 15,100 today
  await countersMatchPayins();
  await verifyLedgerClean(h.deps);
});
