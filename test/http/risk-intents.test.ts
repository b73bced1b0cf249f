// The risk engine on the payment intent dialect (issue 17): the intent's block shape, a held intent
// whose instructions wait for the operator, and the merchant's own rules API (another merchant's
// rule is 404). Real HTTP through inject(), real database.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { configureStore, INTENT_RATES_ENV, intentBody } from "../support/intents.js";
import { jsonCall } from "../support/json-call.js";

let h: Harness;
let A: MerchantFixture;
let B: MerchantFixture;
let op: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  A = await createMerchant(h.deps);
  B = await createMerchant(h.deps);
  await configureStore(h, A.storeId);
  op = await createOperatorKey(h.deps, "risk");
});
after(() => h.close());

const merchant = (method: "GET" | "POST" | "PATCH" | "DELETE" | "PUT", url: string, body?: unknown, key = A.apiKey) => jsonCall(h.app, method, url, { "x-api-key": key }, body);

test("the merchant manages its own rules; another merchant's rule is 404; a bad spec is 400 naming the field", async () => {
  const bad = await merchant("POST", "/merchant/v1/risk/rules", { name: "x", weight: 10, spec: { kind: "velocity", signal: "phone" } });
  assert.equal(bad.status, 400, JSON.stringify(bad.json));
  assert.match(JSON.stringify(bad.json), /spec\.signal/);
  const made = await merchant("POST", "/merchant/v1/risk/rules", { name: "Disposable e-mail", weight: 90, spec: { kind: "disposable_email" } });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const id = (made.json as { id: string }).id;
  assert.equal((await merchant("PATCH", `/merchant/v1/risk/rules/${id}`, { weight: 95 }, B.apiKey)).status, 404);
  assert.equal((await merchant("DELETE", `/merchant/v1/risk/rules/${id}`, undefined, B.apiKey)).status, 404);
  assert.deepEqual(((await merchant("GET", "/merchant/v1/risk/rules", undefined, B.apiKey)).json as { items: unknown[] }).items, []);
  assert.equal(((await merchant("GET", "/merchant/v1/risk/rules")).json as { items: unknown[] }).items.length, 1);
  assert.equal((await jsonCall(h.app, "GET", "/merchant/v1/risk/rules", {})).status, 401);
});

test("a blocked intent is refused in the intent envelope with risk_blocked; nothing is written", async () => {
  const r = await merchant("POST", "/payment/intent", intentBody(A.storeId, { email: "someone@mailinator.com" }));
  assert.equal(r.status, 403, JSON.stringify(r.json));
  const body = r.json as { error: string; message: string; requestId: string };
  assert.equal(body.error, "risk_blocked");
  assert.equal(typeof body.requestId, "string");
  const intents = await h.deps.database.db.selectFrom("payment_intents").select("id").where("email", "=", "someone@mailinator.com").execute();
  assert.deepEqual(intents, []);
  // A normal e-mail passes, with the decision stored and the rule it passed not listed.
  const ok = await merchant("POST", "/payment/intent", intentBody(A.storeId));
  assert.equal(ok.status, 201, JSON.stringify(ok.json));
});

test("an IP from another country than countryIsoCode holds the intent: no instructions until released", async () => {
  const s = await merchant("PUT", "/merchant/v1/risk/settings", { reviewAt: 40, blockAt: 90 });
  assert.equal(s.status, 200, JSON.stringify(s.json));
  await merchant("POST", "/merchant/v1/risk/rules", { name: "IP country", weight: 50, spec: { kind: "ip_country_mismatch", against: "declaredCountry" } });
  // 8.8.8.8 is in the US; the payer says ES.
  const r = await merchant("POST", "/payment/intent", intentBody(A.storeId, { ip: "8.8.8.8", countryIsoCode: "ES" }));
  assert.equal(r.status, 201, JSON.stringify(r.json));
  const id = (r.json as { paymentIntentId: string }).paymentIntentId;
  const d = await jsonCall(h.app, "GET", "/admin/v1/risk/decisions?pending=true", { "x-operator-key": op });
  const item = (d.json as { items: { paymentId: string; reasons: { kind: string; seen: Record<string, unknown> }[] }[] }).items.find((x) => x.paymentId === id)!;
  assert.deepEqual(item.reasons.find((x) => x.kind === "ip_country_mismatch")!.seen, { ip: "8.8.8.8", ipCountry: "US", declaredCountry: "ES" });
  // The merchant's status read shows the hold and why (read twice: the second answer is the cached one).
  await merchant("GET", `/payment/intent/${id}/status`);
  const risk = (await merchant("GET", `/payment/intent/${id}/status`)).json as { risk: { decision: string; score: number; reviewStatus: string; reasons: { kind: string; outcome: string; seen: unknown }[] } };
  assert.deepEqual([risk.risk.decision, risk.risk.score, risk.risk.reviewStatus], ["review", 50, "pending"]);
  assert.deepEqual(risk.risk.reasons.map((x) => [x.kind, x.outcome, x.seen]), [["ip_country_mismatch", "fired", { ip: "8.8.8.8", ipCountry: "US", declaredCountry: "ES" }]]);
  const held = await merchant("GET", `/payment/intent/${id}/instructions`);
  assert.equal(held.status, 409, JSON.stringify(held.json));
  assert.equal((held.json as { error: string }).error, "risk_review_pending");
  // A private IP has no country: the rule is not evaluated and does not hold the intent.
  const local = await merchant("POST", "/payment/intent", intentBody(A.storeId, { ip: "10.0.0.7", countryIsoCode: "ES" }));
  assert.equal(local.status, 201);
  const localId = (local.json as { paymentIntentId: string }).paymentIntentId;
  const allowed = (await merchant("GET", `/payment/intent/${localId}/status`)).json as { risk: { decision: string; score: number; reasons: { kind: string; outcome: string; weight: number; seen: unknown }[] } };
  assert.deepEqual([allowed.risk.decision, allowed.risk.score], ["allow", 0]);
  assert.deepEqual(allowed.risk.reasons.map((x) => [x.kind, x.outcome, x.weight]), [["ip_country_mismatch", "not_evaluated", 0]]);
  const rel = await jsonCall(h.app, "POST", `/admin/v1/risk/reviews/${id}/release`, { "x-operator-key": op });
  assert.equal(rel.status, 200, JSON.stringify(rel.json));
  // The cached status read shows the release at once.
  assert.equal(((await merchant("GET", `/payment/intent/${id}/status`)).json as { risk: { reviewStatus: string } }).risk.reviewStatus, "released");
  // Released: what answers now is the intent's own status (it waits on KYC), not the review.
  const after = await merchant("GET", `/payment/intent/${id}/instructions`);
  assert.equal((after.json as { error: string }).error, "intent_not_ready");
});

test("the merchant API cannot reach a platform rule (404) nor list it; a malformed rule id or body is 400 validation_failed", async () => {
  const platform = await jsonCall(h.app, "POST", "/admin/v1/risk/rules", { "x-operator-key": op }, { name: "Platform: blocked network", weight: 0, spec: { kind: "list", signal: "ip", mode: "block", values: ["192.0.2.0/24"] } });
  assert.equal(platform.status, 201, JSON.stringify(platform.json));
  const id = (platform.json as { id: string }).id;
  try {
    const patch = await merchant("PATCH", `/merchant/v1/risk/rules/${id}`, { enabled: false });
    assert.equal(patch.status, 404, JSON.stringify(patch.json));
    assert.equal((await merchant("DELETE", `/merchant/v1/risk/rules/${id}`)).status, 404);
    const own = (await merchant("GET", "/merchant/v1/risk/rules")).json as { items: { id: string }[] };
    assert.ok(!own.items.some((r) => r.id === id), "platform rules are not listed as the merchant's");
    const malformed = await merchant("PATCH", "/merchant/v1/risk/rules/not-a-uuid", { enabled: false });
    assert.equal(malformed.status, 400);
    const code = (r: { json: unknown }) => (r.json as { error: string }).error;
    assert.equal(code(malformed), "validation_failed");
    const badWeight = await merchant("POST", "/merchant/v1/risk/rules", { name: "x", weight: 101, spec: { kind: "disposable_email" } });
    assert.deepEqual([badWeight.status, code(badWeight)], [400, "validation_failed"]);
    const badSettings = await merchant("PUT", "/merchant/v1/risk/settings", { reviewAt: 90, blockAt: 50 });
    assert.deepEqual([badSettings.status, code(badSettings)], [400, "validation_failed"], JSON.stringify(badSettings.json));
  } finally {
    await h.app.inject({ method: "DELETE", url: `/admin/v1/risk/rules/${id}`, headers: { "x-operator-key": op } });
  }
});
