// The request rate bound: per credential once it has authenticated, per client IP otherwise; an
// invented credential counts against the IP it comes from.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
let a: MerchantFixture;
let b: MerchantFixture;
before(async () => {
  h = await createHarness({ env: { RAMPART_RATE_LIMIT_PER_MINUTE: "3" } });
  a = await createMerchant(h.deps);
  b = await createMerchant(h.deps);
});
after(() => h.close());

const account = (headers: Record<string, string>, remoteAddress: string) => h.app.inject({ method: "GET", url: "/payment/account", headers, remoteAddress });

test("a credential over its rate gets 429 rate_limited with Retry-After; others are unaffected", async () => {
  // The first call of a key counts against the IP (the key is not known to have authenticated yet).
  assert.equal((await account({ "x-api-key": a.apiKey }, "10.0.0.1")).statusCode, 200);
  for (let i = 0; i < 3; i++) assert.equal((await account({ "x-api-key": a.apiKey }, "10.0.0.1")).statusCode, 200);
  const refused = await account({ "x-api-key": a.apiKey }, "10.0.0.1");
  assert.equal(refused.statusCode, 429);
  assert.equal(refused.json().code, "rate_limited");
  assert.ok(Number(refused.headers["retry-after"]) > 0);
  assert.equal((await account({ "x-api-key": b.apiKey }, "10.0.0.1")).statusCode, 200, "buckets are per credential");
});

test("unknown credentials count against the client IP: random x-api-key or Authorization buys no fresh bucket", async () => {
  const ip = "10.0.0.2";
  for (let i = 0; i < 3; i++) assert.equal((await account({ "x-api-key": `rmp_${i}_random` }, ip)).statusCode, 401);
  const invented: Record<string, string>[] = [{ "x-api-key": "rmp_other_random" }, { authorization: "Bearer not.a.token" }, { "x-operator-key": "rop_x_y" }, {}];
  for (const headers of invented) {
    const r = await account(headers, ip);
    assert.equal(r.statusCode, 429, JSON.stringify(headers));
    assert.equal(r.json().code, "rate_limited");
  }
  assert.equal((await account({ "x-api-key": "rmp_z_random" }, "10.0.0.3")).statusCode, 401, "another IP has its own bucket");
  assert.equal((await account({ "x-api-key": b.apiKey }, ip)).statusCode, 200, "a key that has authenticated keeps its own bucket");
});

test("invented credentials are counted on every kind of route, before the credential is checked (card bearer, operator, trader, merchant body routes)", async () => {
  const routes: [string, string, Record<string, string>][] = [
    ["GET", "/v3/payin/data", { authorization: "Bearer not.a.token" }],
    ["GET", "/admin/v1/merchants", { "x-operator-key": "rop_x_y" }],
    ["GET", "/trader/v1/pay-ins", { "x-trader-key": "rtr_x_y" }],
    ["POST", "/payment/intent", { "x-api-key": "rmp_x_y", "content-type": "application/json" }],
  ];
  for (const [k, [method, url, headers]] of routes.entries()) {
    const ip = `10.0.1.${k}`;
    const call = () => h.app.inject({ method: method as "GET" | "POST", url, headers, remoteAddress: ip, ...(method === "POST" ? { payload: "{}" } : {}) });
    for (let i = 0; i < 3; i++) assert.equal((await call()).statusCode, 401, `${url} call ${i + 1}`);
    const refused = await call();
    // Each dialect's envelope: the trading dialect's `code`, the card dialect's upper-case `error`, the rest's `error`.
    assert.deepEqual([refused.statusCode, String(refused.json().code ?? refused.json().error).toLowerCase()], [429, "rate_limited"], `${url}: ${refused.body}`);
  }
});

test("a route with a limit of its own counts only against that one (console sign-in, 20 a minute, past this server's 3); unknown URLs are not counted", async () => {
  // Another e-mail each time: the account lock-out (five failures) does not answer for the limit.
  const signIn = (i: number) =>
    h.app.inject({ method: "POST", url: "/dashboard/login", headers: { "content-type": "application/x-www-form-urlencoded" }, payload: `email=nobody${i}%40example.com&password=wrong`, remoteAddress: "10.0.2.1" });
  for (let i = 0; i < 20; i++) assert.notEqual((await signIn(i)).statusCode, 429, `sign-in ${i + 1}`);
  assert.equal((await signIn(20)).statusCode, 429, "the 21st sign-in of the minute");
  for (let i = 0; i < 5; i++) assert.equal((await h.app.inject({ method: "GET", url: "/no/such/route", remoteAddress: "10.0.2.2" })).statusCode, 404);
});

test("operations endpoints are not rate limited", async () => {
  for (let i = 0; i < 6; i++) assert.equal((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
});
