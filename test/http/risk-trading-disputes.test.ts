// Trading disputes feed the risk engine (issue 17, docs/risk.md): a requisite whose pay-ins go to
// dispute over the platform's rate, and a trader over it across its requisites, are taken out of
// allocation (new pay-ins go elsewhere) until an operator releases them through the admin API; a
// payer whose disputes were decided "not paid" more than the payer_disputes rule's limit is refused.
// Real HTTP through inject(), real database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { resolveDispute } from "../../src/app/trading/disputes.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture, uploadPngReceipt, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let op: string;

before(async () => {
  h = await createHarness();
  useFixedRate(h.deps, "95.5");
  // Trader 1 has requisites 0 and 1, trader 2 has 2 and 3.
  fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2, maxOpenPayins: 50 });
  op = await createOperatorKey(h.deps, "risk");
});
after(() => h.close());

let amount = 1000;
const create = (userId: string) =>
  h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: amount++, extra: { payerInfo: { userId } } }),
  });

const admin = (method: "GET" | "POST", url: string, body?: unknown) =>
  h.app.inject({ method, url, headers: { "x-operator-key": op, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

async function createPayins(n: number): Promise<{ id: string; requisite: number }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    h.clock.advance(1000); // each pay-in takes a requisite's turn at its own instant
    const r = await create(`u-${amount}`);
    assert.equal(r.statusCode, 201, r.body);
    const row = await h.deps.database.db.selectFrom("trading_payins").select("requisite_id").where("id", "=", r.json().id).executeTakeFirstOrThrow();
    out.push({ id: r.json().id as string, requisite: fx.requisiteIds.indexOf(row.requisite_id) });
  }
  return out;
}

async function dispute(payinId: string): Promise<void> {
  const invoiceKey = await uploadPngReceipt(h.app, fx.merchant.apiKey, payinId);
  const r = await h.app.inject({
    method: "POST",
    url: `/payment/trading/pay-in/${payinId}/dispute`,
    headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ invoiceKey, fiatAmount: "10.00" }),
  });
  assert.equal(r.statusCode, 200, r.body);
}

test("a requisite, then its trader, over the dispute rate leave allocation until an operator releases them", async () => {
  h.deps.config.disputeRate = { ratePercent: 40, minPayins: 2 };
  const first = await createPayins(8);
  assert.deepEqual(first.map((p) => p.requisite).sort(), [0, 0, 1, 1, 2, 2, 3, 3], "least recently used first: two each");
  const onR0 = first.filter((p) => p.requisite === 0);

  // 1 of requisite 0's 2 pay-ins disputed (50 % > 40 %): it is held; trader 1 is at 1 of 4 (25 %).
  await dispute(onR0[0]!.id);
  let holds = (await admin("GET", "/admin/v1/risk/allocation-holds")).json();
  assert.deepEqual(holds.requisites.map((r: { id: string; payins: number; disputes: number }) => [r.id, r.payins, r.disputes]), [[fx.requisiteIds[0], 2, 1]]);
  assert.deepEqual(holds.traders, []);
  const whileR0Held = await createPayins(3);
  assert.ok(!whileR0Held.some((p) => p.requisite === 0), `requisite 0 gives no pay-in: ${JSON.stringify(whileR0Held)}`);
  assert.ok(whileR0Held.some((p) => p.requisite === 1), "the trader's other requisite still does");

  // A second dispute on requisite 0 takes trader 1 over (2 of 5 = 40 % is not over; a re-dispute is not counted twice).
  await dispute(onR0[1]!.id);
  holds = (await admin("GET", "/admin/v1/risk/allocation-holds")).json();
  const t1Payins = 2 + 2 + whileR0Held.filter((p) => p.requisite === 1).length;
  assert.equal(holds.traders.length, 2 * 100 > 40 * t1Payins ? 1 : 0);
  const onR1 = [...first, ...whileR0Held].filter((p) => p.requisite === 1);
  await dispute(onR1[0]!.id);
  holds = (await admin("GET", "/admin/v1/risk/allocation-holds")).json();
  assert.deepEqual(holds.traders.map((t: { id: string }) => t.id), [fx.traders[0]!.traderId], "3 disputes over trader 1's pay-ins is over 40 %");
  const whileT1Held = await createPayins(4);
  assert.deepEqual([...new Set(whileT1Held.map((p) => p.requisite))].sort(), [2, 3], "only trader 2's requisites take pay-ins");

  // The operator releases: a second release is 409 naming the status; unknown is 404.
  const release = await admin("POST", `/admin/v1/risk/allocation-holds/traders/${fx.traders[0]!.traderId}/release`);
  assert.equal(release.statusCode, 200, release.body);
  assert.deepEqual(release.json(), { id: fx.traders[0]!.traderId, status: "allocating" });
  const again = await admin("POST", `/admin/v1/risk/allocation-holds/traders/${fx.traders[0]!.traderId}/release`);
  assert.equal(again.statusCode, 409, again.body);
  assert.equal(again.json().currentStatus, "allocating");
  assert.equal((await admin("POST", "/admin/v1/risk/allocation-holds/traders/trd_nope/release")).statusCode, 404);
  for (const i of [0, 1]) {
    const held = holds.requisites.some((r: { id: string }) => r.id === fx.requisiteIds[i]);
    if (held) assert.equal((await admin("POST", `/admin/v1/risk/allocation-holds/requisites/${fx.requisiteIds[i]}/release`)).statusCode, 200);
  }
  assert.deepEqual((await admin("GET", "/admin/v1/risk/allocation-holds")).json(), { requisites: [], traders: [] });
  const afterRelease = await createPayins(2);
  assert.deepEqual(afterRelease.map((p) => p.requisite).sort(), [0, 1], "back in allocation, least recently used first");
  await verifyLedgerClean(h.deps);
});

test("a payer whose disputes were decided 'not paid' more than the rule's limit is refused", async () => {
  h.deps.config.disputeRate = { ratePercent: null, minPayins: 20 };
  const rule = await admin("POST", `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`, { name: "disputing payer", weight: 100, spec: { kind: "payer_disputes", limit: 1 } });
  assert.equal(rule.statusCode, 201, rule.body);
  for (let i = 0; i < 2; i++) {
    const p = await create(" Payer-D ");
    assert.equal(p.statusCode, 201, p.body);
    await dispute(p.json().id);
    await resolveDispute(h.deps, "op-test", p.json().id, { outcome: "not_paid" });
  }
  const stats = await h.deps.database.db.selectFrom("risk_payer_stats").selectAll().where("user_id", "=", "payer-d").executeTakeFirstOrThrow();
  assert.equal(stats.not_paid_disputes, 2);
  const refused = await create("payer-d");
  assert.equal(refused.statusCode, 403, refused.body);
  assert.equal(refused.json().code, "risk_blocked");
  const blocked = await h.deps.database.db.selectFrom("risk_decisions").selectAll().where("decision", "=", "block").orderBy("created_at", "desc").executeTakeFirstOrThrow();
  assert.deepEqual((blocked.reasons as { kind: string; seen: unknown }[]).map((r) => [r.kind, r.seen]), [["payer_disputes", { userId: "payer-d", notPaidDisputes: 2, limit: 1 }]]);
  assert.equal((await create("another-payer")).statusCode, 201, "another payer is not affected");
  await verifyLedgerClean(h.deps);
});
