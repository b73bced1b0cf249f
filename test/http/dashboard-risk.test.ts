// The console's Risk page over inject (issue 17, roles from issue 18): what each role is shown and may
// do, a second decision on a review named by its status, a rejected trading review cancelled like the
// operator API's, another scope's rule not found, an unknown merchant's rules page, the rule forms
// (per kind; refused fields shown next to their input in the API's words; an edit applying from the
// next payment only) and the API's rule edit refusals. The browser test
// (test/browser/dashboard-risk.test.ts) covers the page itself, the release and the forms in Chromium.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { noticeOf, postForm, staffSession } from "../support/staff.js";
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


test("a viewer sees the queue and the rules without a form; its POSTs are refused", async () => {
  const id = await heldPayin();
  const viewer = await staffSession(h, "viewer");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk", headers: { cookie: viewer.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, new RegExp(`data-review="${id}"`));
  assert.match(page.body, /Watched payer/);
  assert.doesNotMatch(page.body, /\/release"|data-add-kind|Edit <span/);
  const refused = await postForm(h, viewer, `/dashboard/risk/reviews/${id}/release`);
  assert.equal(refused.statusCode, 403);
  assert.match(refused.body, /data-code="forbidden"|permission/);
});

test("support rejects a review (the pay-in is cancelled); a second decision names the status; rules stay admin-only", async () => {
  const id = await heldPayin();
  const support = await staffSession(h, "support");
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk", headers: { cookie: support.cookie } });
  assert.match(page.body, new RegExp(`/dashboard/risk/reviews/${id}/reject`));
  assert.doesNotMatch(page.body, /data-add-kind|Edit <span/);
  const rejected = await postForm(h, support, `/dashboard/risk/reviews/${id}/reject`);
  assert.equal(rejected.statusCode, 303);
  assert.equal(noticeOf(rejected.headers.location).ok, `Payment ${id} rejected.`);
  const row = await h.deps.database.db.selectFrom("trading_payins").select(["status", "hold_state"]).where("id", "=", id).executeTakeFirstOrThrow();
  assert.deepEqual(row, { status: "canceled", hold_state: "voided" });
  const again = await postForm(h, support, `/dashboard/risk/reviews/${id}/release`);
  assert.match(noticeOf(again.headers.location).error ?? "", /rejected/);
  const unknown = await postForm(h, support, "/dashboard/risk/reviews/no-such-payment/release");
  assert.match(noticeOf(unknown.headers.location).error ?? "", /No risk review/);
  assert.equal((await postForm(h, support, `/dashboard/risk/rules/${ruleId}/enabled?merchant=${fx.merchant.merchantId}`, { enabled: "false" })).statusCode, 403);
  await verifyLedgerClean(h.deps);
});

test("a merchant's rule is not found in the platform's scope; an unknown merchant's rules page says so", async () => {
  const admin = await staffSession(h, "admin");
  const wrongScope = await postForm(h, admin, `/dashboard/risk/rules/${ruleId}/enabled`, { enabled: "false" });
  assert.equal(wrongScope.statusCode, 303);
  assert.ok(noticeOf(wrongScope.headers.location).error, "refused with a notice");
  const rule = await h.deps.database.db.selectFrom("risk_rules").select("enabled").where("id", "=", ruleId).executeTakeFirstOrThrow();
  assert.equal(rule.enabled, true);
  const page = await h.app.inject({ method: "GET", url: "/dashboard/risk?merchant=00000000-0000-7000-8000-000000000000", headers: { cookie: admin.cookie } });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /No merchant has this id/);
  const unknownKind = await postForm(h, admin, "/dashboard/risk/rules", { kind: "phone_velocity", name: "x", weight: "5" });
  assert.equal(unknownKind.statusCode, 303);
  assert.match(noticeOf(unknownKind.headers.location).error ?? "", /kind/);
  for (const item of ["new-phone_velocity", "00000000-0000-7000-8000-000000000000", "rules"]) {
    assert.equal((await h.app.inject({ method: "GET", url: `/dashboard/risk/${item}`, headers: { cookie: admin.cookie } })).statusCode, 404, item);
  }
  // The merchant's rule is not found in the platform's scope by its edit form either.
  assert.equal((await h.app.inject({ method: "GET", url: `/dashboard/risk/${ruleId}`, headers: { cookie: admin.cookie } })).statusCode, 404);
});

const apiRules = async () =>
  (await h.app.inject({ method: "GET", url: `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`, headers: { "x-operator-key": operatorKey } })).json().items as {
    id: string;
    name: string;
    weight: number;
    enabled: boolean;
    spec: unknown;
  }[];
/** The control of field `name` on a rule form page, and the error shown next to it. */
const control = (body: string, name: string) => new RegExp(`<(input|select|textarea) id="rule-${name}"[^>]*>`).exec(body)?.[0] ?? "";
const fieldError = (body: string, name: string) => new RegExp(`<p class="error meta" id="rule-${name}-error">([^<]*)</p>`).exec(body)?.[1];

test("an admin adds rules through each kind's form; a refused field comes back next to its input with what was typed, as the API words it", async () => {
  const admin = await staffSession(h, "admin");
  const scope = `?merchant=${fx.merchant.merchantId}`;
  const page = await h.app.inject({ method: "GET", url: `/dashboard/risk${scope}`, headers: { cookie: admin.cookie } });
  assert.match(page.body, /data-add-kind="velocity"/);
  const form = await h.app.inject({ method: "GET", url: `/dashboard/risk/new-velocity${scope}`, headers: { cookie: admin.cookie } });
  assert.equal(form.statusCode, 200);
  for (const name of ["name", "weight", "signal", "measure", "windowSeconds", "limit", "currency"]) {
    assert.match(form.body, new RegExp(`<label for="rule-${name}">`), name);
    assert.match(form.body, new RegExp(`id="rule-${name}-hint"`), name);
  }
  const before = (await apiRules()).length;
  const velocity = { kind: "velocity", name: "Burst", weight: "80", signal: "userId", measure: "count", windowSeconds: "600", limit: "three", currency: "" };
  const refused = await postForm(h, admin, `/dashboard/risk/rules${scope}`, velocity);
  assert.equal(refused.statusCode, 400);
  assert.match(control(refused.body, "limit"), /aria-invalid="true"/);
  assert.match(control(refused.body, "limit"), /value="three"/);
  assert.match(control(refused.body, "name"), /value="Burst"/);
  assert.doesNotMatch(control(refused.body, "windowSeconds"), /aria-invalid/);
  // The same rule through the operator API: the same validation, the same words.
  const api = await h.app.inject({
    method: "POST",
    url: `/admin/v1/risk/rules?merchantId=${fx.merchant.merchantId}`,
    headers: { "x-operator-key": operatorKey },
    payload: { name: "Burst", weight: 80, spec: { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: "three" } },
  });
  assert.equal(api.statusCode, 400);
  assert.equal(api.json().error, "validation_failed");
  assert.equal(api.json().field, "spec.limit");
  assert.equal(fieldError(refused.body, "limit"), api.json().message);
  const badWeight = await postForm(h, admin, `/dashboard/risk/rules${scope}`, { ...velocity, limit: "3", weight: "500" });
  assert.equal(badWeight.statusCode, 400);
  assert.match(fieldError(badWeight.body, "weight") ?? "", /weight must be an integer from 0 to 100/);
  assert.equal((await apiRules()).length, before, "nothing added");

  const added = await postForm(h, admin, `/dashboard/risk/rules${scope}`, { ...velocity, limit: "3", currency: "EUR" });
  assert.equal(added.statusCode, 303, added.body);
  assert.match(noticeOf(added.headers.location).ok ?? "", /Burst.*next payment/);
  const sum = await postForm(h, admin, `/dashboard/risk/rules${scope}`, { ...velocity, name: "Daily total", measure: "sum", windowSeconds: "86400", limit: "5000000", currency: "rub" });
  assert.equal(sum.statusCode, 303, sum.body);
  const list = await postForm(h, admin, `/dashboard/risk/rules${scope}`, { kind: "list", name: "Blocked network", weight: "100", signal: "ip", mode: "block", values: "185.220.101.0/24\r\n\r\n10.0.0.1\n" });
  assert.equal(list.statusCode, 303, list.body);
  const served = await postForm(h, admin, `/dashboard/risk/rules${scope}`, { kind: "served_countries", name: "Served", weight: "30", countries: "es, PT" });
  assert.equal(served.statusCode, 303, served.body);
  const byName = Object.fromEntries((await apiRules()).map((r) => [r.name, r.spec]));
  assert.deepEqual(byName.Burst, { kind: "velocity", signal: "userId", measure: "count", windowSeconds: 600, limit: 3 });
  assert.deepEqual(byName["Daily total"], { kind: "velocity", signal: "userId", measure: "sum", windowSeconds: 86400, limit: "5000000", currency: "RUB" });
  assert.deepEqual(byName["Blocked network"], { kind: "list", signal: "ip", mode: "block", values: ["185.220.101.0/24", "10.0.0.1"] });
  assert.deepEqual(byName.Served, { kind: "served_countries", countries: ["ES", "PT"] });
  for (const r of await apiRules()) {
    if (r.id !== ruleId) await h.app.inject({ method: "DELETE", url: `/admin/v1/risk/rules/${r.id}?merchantId=${fx.merchant.merchantId}`, headers: { "x-operator-key": operatorKey } });
  }
});

test("roles: a viewer's form pages have no form and its rule POSTs are refused; support may not edit rules", async () => {
  const viewer = await staffSession(h, "viewer");
  const support = await staffSession(h, "support");
  const scope = `?merchant=${fx.merchant.merchantId}`;
  const list = await h.app.inject({ method: "GET", url: `/dashboard/risk${scope}`, headers: { cookie: viewer.cookie } });
  assert.doesNotMatch(list.body, new RegExp(`/dashboard/risk/${ruleId}|data-add-kind`));
  for (const item of ["new-list", ruleId]) {
    const form = await h.app.inject({ method: "GET", url: `/dashboard/risk/${item}${scope}`, headers: { cookie: viewer.cookie } });
    assert.equal(form.statusCode, 200);
    assert.doesNotMatch(form.body, /id="rule-form"/);
    assert.match(form.body, /cannot change risk rules/);
  }
  const rule = { kind: "list", name: "x", weight: "100", signal: "userId", mode: "block", values: "watched" };
  assert.equal((await postForm(h, viewer, `/dashboard/risk/rules${scope}`, rule)).statusCode, 403);
  assert.equal((await postForm(h, support, `/dashboard/risk/rules/${ruleId}${scope}`, rule)).statusCode, 403);
  const stored = (await apiRules()).find((r) => r.id === ruleId);
  assert.deepEqual([stored?.name, stored?.weight], ["Watched payer", 60]);
});

test("the operator API's rule edit: an unknown rule is 404, a bad parameter 400 validation_failed naming the field", async () => {
  const admin = { "x-operator-key": operatorKey };
  const unknown = await h.app.inject({ method: "PATCH", url: `/admin/v1/risk/rules/00000000-0000-7000-8000-000000000000?merchantId=${fx.merchant.merchantId}`, headers: admin, payload: { weight: 10 } });
  assert.equal(unknown.statusCode, 404, unknown.body);
  const bad = await h.app.inject({
    method: "PATCH",
    url: `/admin/v1/risk/rules/${ruleId}?merchantId=${fx.merchant.merchantId}`,
    headers: admin,
    payload: { spec: { kind: "list", signal: "ip", mode: "block", values: ["not-an-ip"] } },
  });
  assert.equal(bad.statusCode, 400, bad.body);
  assert.deepEqual([bad.json().error, bad.json().field], ["validation_failed", "spec.values"]);
});

test("an admin edits a rule's name, weight, parameters and state through its form; the edit applies from the next payment only", async () => {
  const admin = await staffSession(h, "admin");
  const scope = `?merchant=${fx.merchant.merchantId}`;
  const held = await heldPayin();
  const form = await h.app.inject({ method: "GET", url: `/dashboard/risk/${ruleId}${scope}`, headers: { cookie: admin.cookie } });
  assert.equal(form.statusCode, 200);
  assert.match(control(form.body, "name"), /value="Watched payer"/);
  assert.match(control(form.body, "weight"), /value="60"/);
  assert.match(form.body, /<textarea id="rule-values"[^>]*>watched<\/textarea>/);
  assert.match(form.body, /name="enabled" value="on"[^>]* checked/);

  const edit = { name: "Watched payers", weight: "100", signal: "userId", mode: "block", values: "watched\nwatched-2", enabled: "on" };
  const refused = await postForm(h, admin, `/dashboard/risk/rules/${ruleId}${scope}`, { ...edit, values: "" });
  assert.equal(refused.statusCode, 400);
  assert.match(fieldError(refused.body, "values") ?? "", /spec.values must be/);
  assert.match(control(refused.body, "name"), /value="Watched payers"/, "what was typed comes back");
  assert.equal((await apiRules()).find((r) => r.id === ruleId)?.weight, 60, "unchanged");

  const saved = await postForm(h, admin, `/dashboard/risk/rules/${ruleId}${scope}`, edit);
  assert.equal(saved.statusCode, 303, saved.body);
  assert.equal(noticeOf(saved.headers.location).ok, 'Rule "Watched payers" saved: it applies from the next payment.');
  const stored = (await apiRules()).find((r) => r.id === ruleId)!;
  assert.deepEqual([stored.name, stored.weight, stored.enabled, stored.spec], ["Watched payers", 100, true, { kind: "list", signal: "userId", mode: "block", values: ["watched", "watched-2"] }]);
  // The next payment is decided by the edited rule; the one decided before keeps its decision.
  const next = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": fx.merchant.apiKey }, payload: { fiatAmount: amount++, extra: { payerInfo: { userId: "watched-2" } } } });
  assert.equal(next.statusCode, 403, next.body);
  assert.equal(next.json().code, "risk_blocked");
  const before = await h.deps.database.db.selectFrom("risk_decisions").select(["decision", "score"]).where("payment_id", "=", held).executeTakeFirstOrThrow();
  assert.deepEqual(before, { decision: "review", score: 60 });

  // Unticking "Enabled" disables it: the next payment of the watched payer goes through.
  assert.equal((await postForm(h, admin, `/dashboard/risk/rules/${ruleId}${scope}`, { ...edit, enabled: "" })).statusCode, 303);
  assert.equal((await apiRules()).find((r) => r.id === ruleId)?.enabled, false);
  const free = await h.app.inject({ method: "POST", url: "/payment/trading/pay-in", headers: { "x-api-key": fx.merchant.apiKey }, payload: { fiatAmount: amount++, extra: { payerInfo: { userId: "watched" } } } });
  assert.equal(free.statusCode, 201, free.body);
  // Another merchant's scope does not find the rule: refused with a notice, nothing changed.
  const wrong = await postForm(h, admin, `/dashboard/risk/rules/${ruleId}`, edit);
  assert.equal(wrong.statusCode, 303);
  assert.ok(noticeOf(wrong.headers.location).error);
});
