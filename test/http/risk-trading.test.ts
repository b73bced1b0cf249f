// The risk engine on the trading dialect (issue 17): the 50-create burst for one userId against a
// limit of 3, the dialect's block shape, a review released by an operator then paid, and a rule edit
// that applies to the next payment only. Real HTTP through inject(), real database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let op: string;

before(async () => {
  h = await createHarness();
  useFixedRate(h.deps, "95.5");
  fx = await setupTrading(h.deps, { traders: 2, requisitesPerTrader: 2, maxOpenPayins: 50 });
  op = await createOperatorKey(h.deps, "risk");
});
after(() => h.close());

let amount = 1000;
const create = (payerInfo: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json" },
    payload: JSON.stringify({ fiatAmount: amount++, ...extra, extra: { payerInfo } }),
  });

/** GET /payment/trading/{id}: the merchant's read, with its `risk` member. */
const readRisk = async (id: string) => {
  const r = await h.app.inject({ method: "GET", url: `/payment/trading/${id}`, headers: { "x-api-key": fx.merchant.apiKey } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json().risk;
};

const admin = (method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT", url: string, body?: unknown) =>
  h.app.inject({ method, url, headers: { "x-operator-key": op, ...(body ? { "content-type": "application/json" } : {}) }, ...(body ? { payload: JSON.stringify(body) } : {}) });

const addRule = async (body: unknown) => {
  const r = await admin("POST", `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`, body);
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id as string;
};

test("with no rules a create carries no risk decision", async () => {
  const r = await create({ userId: "u-none" });
  assert.equal(r.statusCode, 201, r.body);
  const rows = await h.deps.database.db.selectFrom("risk_decisions").selectAll().execute();
  assert.equal(rows.length, 0);
  assert.equal(await readRisk(r.json().id), null, "the merchant's read says it was not assessed");
});

test("50 concurrent creates for one userId with a limit of 3: exactly 3 pass, the rest are RISK_BLOCKED", async () => {
  const ruleId = await addRule({ name: "3 per user per 10 min", weight: 100, spec: { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 } });
  const answers = await Promise.all(Array.from({ length: 50 }, () => create({ userId: "burst-user", ip: "203.0.113.9" })));
  const byStatus = new Map<number, number>();
  for (const a of answers) byStatus.set(a.statusCode, (byStatus.get(a.statusCode) ?? 0) + 1);
  assert.deepEqual([...byStatus.entries()].sort(), [[201, 3], [403, 47]]);
  const refused = answers.find((a) => a.statusCode === 403)!.json();
  assert.deepEqual([refused.message, refused.code], ["RISK_BLOCKED", "risk_blocked"]);
  // Another payer is not affected; the refused attempts are in the operator's log with their reason.
  assert.equal((await create({ userId: "other-user" })).statusCode, 201);
  const blocked = (await admin("GET", `/admin/v1/risk/decisions?merchantId=${fx.merchant.merchantId}&decision=block&limit=100`)).json().items;
  assert.equal(blocked.length, 47);
  assert.deepEqual(blocked[0].reasons[0].seen, { userId: "burst-user", count: "4", limit: "3", windowSeconds: 600 });
  // After the window, the user may pay again.
  h.clock.advance(601_000);
  assert.equal((await create({ userId: "burst-user" })).statusCode, 201);
  assert.equal((await admin("DELETE", `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`)).statusCode, 204);
  await verifyLedgerClean(h.deps);
});

test("a review holds the pay-in until an operator releases it; then the trader's confirmation closes it", async () => {
  const ruleId = await addRule({ name: "shared device", weight: 60, spec: { kind: "list", signal: "fingerprint", mode: "block", values: ["FP-SHARED"] } });
  const r = await create({ userId: "u-review", fingerprint: "fp-shared" });
  assert.equal(r.statusCode, 201, r.body);
  const payin = r.json();
  const traderKey = fx.traders.find((t) => t.traderId === payin.requisite?.traderId)?.traderKey;
  const confirm = async () => {
    for (const t of fx.traders) {
      const c = await h.app.inject({ method: "POST", url: `/trader/v1/pay-ins/${payin.id}/confirm`, headers: { "x-trader-key": t.traderKey } });
      if (c.statusCode !== 404) return c;
    }
    throw new Error(`no trader owns ${payin.id} (${traderKey})`);
  };
  const held = await confirm();
  assert.equal(held.statusCode, 409, held.body);
  assert.match(held.body, /risk_review_pending/);
  const queue = (await admin("GET", "/admin/v1/risk/decisions?pending=true")).json().items;
  assert.deepEqual(queue.map((d: { paymentId: string }) => d.paymentId), [payin.id]);
  assert.deepEqual(queue[0].reasons.map((x: { kind: string; outcome: string }) => [x.kind, x.outcome]), [["list", "fired"]]);
  // The merchant reads the hold and the rule that fired, with the value it saw.
  const heldRisk = await readRisk(payin.id);
  assert.deepEqual([heldRisk.decision, heldRisk.score, heldRisk.reviewStatus], ["review", 60, "pending"]);
  assert.deepEqual(
    heldRisk.reasons.map((x: { name: string; outcome: string; weight: number; seen: unknown }) => [x.name, x.outcome, x.weight, x.seen]),
    [["shared device", "fired", 60, queue[0].reasons[0].seen]],
  );

  const released = await admin("POST", `/admin/v1/risk/reviews/${payin.id}/release`);
  assert.equal(released.statusCode, 200, released.body);
  assert.equal(released.json().reviewStatus, "released");
  assert.equal((await readRisk(payin.id)).reviewStatus, "released");
  const again = await admin("POST", `/admin/v1/risk/reviews/${payin.id}/release`);
  assert.equal(again.statusCode, 409);
  assert.match(again.body, /released/);
  const paid = await confirm();
  assert.equal(paid.statusCode, 200, paid.body);
  assert.equal(paid.json().status, "closed");
  await verifyLedgerClean(h.deps);
  await admin("DELETE", `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`);
});

test("a rejected review cancels the pay-in and voids the trader's hold", async () => {
  const ruleId = await addRule({ name: "new account", weight: 50, spec: { kind: "new_account", hours: 24, currency: "RUB", maxAmount: "0" } });
  const r = await create({ userId: "u-new", registeredAt: h.clock.now().getTime() - 3_600_000 });
  assert.equal(r.statusCode, 201, r.body);
  const rejected = await admin("POST", `/admin/v1/risk/reviews/${r.json().id}/reject`);
  assert.equal(rejected.statusCode, 200, rejected.body);
  const row = await h.deps.database.db.selectFrom("trading_payins").select(["status", "hold_state"]).where("id", "=", r.json().id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { status: "canceled", hold_state: "voided" });
  await verifyLedgerClean(h.deps);
  await admin("DELETE", `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`);
});

test("a rule edit applies to the next payment only", async () => {
  const ruleId = await addRule({ name: "FTD cap", weight: 30, spec: { kind: "ftd_cap", currency: "RUB", maxAmount: "100000" } });
  const first = await create({ userId: "u-ftd" }, { depositType: "FTD" });
  assert.equal(first.statusCode, 201, first.body);
  const patched = await admin("PATCH", `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`, { weight: 90 });
  assert.equal(patched.statusCode, 200, patched.body);
  const second = await create({ userId: "u-ftd" }, { depositType: "FTD" });
  assert.equal(second.statusCode, 403, second.body);
  const firstDecision = await h.deps.database.db.selectFrom("risk_decisions").select(["decision", "score"]).where("payment_id", "=", first.json().id).executeTakeFirstOrThrow();
  assert.deepEqual(firstDecision, { decision: "allow", score: 30 });
  // The merchant's read of the allowed pay-in: allow, with the rule that fired below the threshold.
  const allowed = await readRisk(first.json().id);
  assert.deepEqual([allowed.decision, allowed.score, allowed.reviewStatus], ["allow", 30, null]);
  assert.deepEqual(allowed.reasons.map((x: { kind: string; outcome: string; weight: number }) => [x.kind, x.outcome, x.weight]), [["ftd_cap", "fired", 30]]);
  await admin("DELETE", `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`);
});
