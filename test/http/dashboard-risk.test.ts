// The console's Risk page over inject (issue 17, roles from issue 18): what each role is shown and may
// do, a second decision on a review named by its status, a rejected trading review cancelled like the
// operator API's, another scope's rule not found, and an unknown merchant's rules page. The browser
// test (test/browser/dashboard-risk.test.ts) covers the page itself and the release.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { staffSession } from "../support/staff.js";
import { setupTrading, type TradingFixture, useFixedRate, verifyLedgerClean } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let operatorKey: string;
let ruleId: string;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  operatorKey = await createOperatorKey(h.deps, "risk-console");
  const rule = await h.app.inject({
    method: "POST",
    url: `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`,
    headers: { "x-operator-key": operatorKey },
    payload: { name: "Watched payer", weight: 60, spec: { kind: "list", signal: "userId", mode: "block", values: ["watched"] } },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  ruleId = rule.json().id;
});
after(() => h.close());

let amount = 5000;
async function heldPayin(): Promise<string> {
  const r = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": fx.merchant.apiKey }, payload: { fiatAmount: amount++, extra: { payerInfo: { userId: "watched" } } } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id;
}

const post = (s: { cookie: string; csrf: string }, url: string, form: Record<string, string> = {}) =>
  h.app.inject({ method: "POST", url, headers: { cookie: s.cookie, "content-type": "application/x-www-form-urlencoded" }, payload: new URLSearchParams({ csrf: s.csrf, ...form }).toString() });
const notice = (location: unknown) => Object.fromEntries(new URL(String(location), "http://x").searchParams);

test("a viewer sees the queue and the rules without a form; its POSTs are refused", async () => {
  const id = await heldPayin();
  const viewer = await staffSession(h, "viewer");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk", headers: { cookie: viewer.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`data-review="${id}"`));
  assert.match(page.body, /Watched payer/);
  assert.doesNotMatch(page.body, /\/release"|Add the rule/);
  const refused = await post(viewer, `/dashboard/risk/reviews/${id}/release`);
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /data-code="forbidden"|permission/);
});

test("support rejects a review (the pay-in is cancelled); a second decision names the status; rules stay admin-only", async () => {
  const id = await heldPayin();
  const support = await staffSession(h, "support");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk", headers: { cookie: support.cookie } });
  assert.match(page.body, new RegExp(`/dashboard/risk/reviews/${id}/reject`));
  assert.doesNotMatch(page.body, /Add the rule/);
  const rejected = await post(support, `/dashboard/risk/reviews/${id}/reject`);
  assert.equal(rejected.statusCode, 303);
  assert.equal(notice(rejected.headers.location).ok, `Payment ${id} rejected.`);
  const row = await h.deps.database.db.selectFrom("trading_payins").select(["status", "hold_state"]).where("id", "=", id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { status: "canceled", hold_state: "voided" });
  const again = await post(support, `/dashboard/risk/reviews/${id}/release`);
  assert.match(notice(again.headers.location).error ?? "", /rejected/);
  const unknown = await post(support, "/dashboard/risk/reviews/no-such-payment/release");
  assert.match(notice(unknown.headers.location).error ?? "", /No risk review/);
  assert.equal((await post(support, `/dashboard/risk/rules/${ruleId}/enabled?merchant=${fx.merchant.merchantId}`, { enabled: "false" })).statusCode, 403);
  await verifyLedgerClean(h.deps);
});

test("a merchant's rule is not found in the platform's scope; an unknown merchant's rules page says so", async () => {
  const admin = await staffSession(h, "admin");
  const wrongScope = await post(admin, `/dashboard/risk/rules/${ruleId}/enabled`, { enabled: "false" });
  assert.equal(wrongScope.statusCode, 303);
  assert.ok(notice(wrongScope.headers.location).error, "refused with a notice");
  const rule = await h.deps.database.db.selectFrom("risk_rules").select("enabled").where("id", "=", ruleId).executeTakeFirstOrThrow();
  assert.equal(rule.enabled, true);
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk?merchant=00000000-0000-7000-8000-000000000000", headers: { cookie: admin.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /No merchant has this id/);
  const badWeight = await post(admin, "/dashboard/risk/rules", { name: "x", weight: "500", spec: '{"kind":"disposable_email"}' });
  assert.match(notice(badWeight.headers.location).error ?? "", /weight/);
  const badJson = await post(admin, "/dashboard/risk/rules", { name: "x", weight: "5", spec: "{kind" });
  assert.match(notice(badJson.headers.location).error ?? "", /JSON/);
});
