// RAMPART_CARD_ACQUIRER=none: the card dialect has no real adapter, so it is switched off. Every card
// route answers 403 service_not_enabled in the dialect's own envelope (OAuth2's on /oauth/token), nothing
// is written, and the OpenAPI document says so on each card operation. The other dialects are unaffected.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let m: MerchantFixture;
before(async () => {
  h = await createHarness({ env: { RAMPART_CARD_ACQUIRER: "none", RAMPART_RATES: "fixed", RAMPART_FIXED_RATES: "EUR/USDT=0.92" } });
  m = await createMerchant(h.deps);
});
after(() => h?.close());

test("card routes answer service_not_enabled in the card envelope, and sign-up writes nothing", async () => {
  const headers = { "x-merchant-id": m.merchantId };
  for (const [method, url] of [
    ["POST", "/v2/mobile/signup"],
    ["GET", "/v3/payin/data"],
    ["POST", "/v3/payin/offer"],
    ["GET", "/v2/customer/profile"],
    ["POST", "/v4/kyc/start"],
  ] as const) {
    const res = await h.app.inject({ method, url, headers, payload: method === "POST" ? { phone: "+34600111222", password: "Passw0rd!x" } : undefined });
    assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    const body = res.json();
    assert.equal(body.error, "SERVICE_NOT_ENABLED", `${method} ${url}`);
    assert.equal(body.systemId, "rampart");
    assert.equal(typeof body.errorId, "number");
    assert.match(body.message, /not enabled/);
  }
  const customers = await h.deps.database.db.selectFrom("card_customers").select((eb) => eb.fn.countAll<string>().as("n")).executeTakeFirstOrThrow();
  assert.equal(Number(customers.n), 0);
});

test("/oauth/token answers in the OAuth2 token-endpoint shape", async () => {
  const res = await h.app.inject({ method: "POST", url: "/oauth/token", headers: { "x-merchant-id": m.merchantId }, payload: { grant_type: "mobile_phone" } });
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().error, "service_not_enabled");
  assert.match(res.json().error_description, /not enabled/);
});

test("the OpenAPI document marks every card operation switched off, and no other", async () => {
  const doc = (await h.app.inject({ method: "GET", url: "/openapi.json" })).json() as { paths: Record<string, Record<string, { description?: string }>> };
  const card = /^\/(v\d+|oauth)\/|^\/signout$/;
  let marked = 0;
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const op of Object.values(ops)) {
      const off = /Switched off on this server/.test(op.description ?? "");
      assert.equal(off, card.test(path), path);
      if (off) marked++;
    }
  }
  assert.ok(marked >= 10, `${marked} card operations marked`);
});

test("the other dialects still answer; /readyz names acquirer none", async () => {
  const res = await h.app.inject({ method: "GET", url: "/payment/intent/pi_unknown/status", headers: { "x-api-key": m.apiKey } });
  assert.notEqual(res.statusCode, 403);
  const ready = (await h.app.inject({ method: "GET", url: "/readyz" })).json();
  assert.equal(ready.adapters.cardAcquirer, "none");
});
