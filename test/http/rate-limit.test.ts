import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
before(async () => {
  h = await createHarness({
    env: { RAMPART_RATE_LIMIT_PER_MINUTE: "3" },
    routes: (app) => app.get("/test/limited", async () => ({ ok: true })),
  });
});
after(() => h.close());

test("a credential over its rate gets 429 rate_limited with Retry-After; others are unaffected", async () => {
  const call = (key: string) => h.app.inject({ method: "GET", url: "/test/limited", headers: { "x-api-key": key } });
  for (let i = 0; i < 3; i++) assert.equal((await call("key-a")).statusCode, 200);
  const refused = await call("key-a");
  assert.equal(refused.statusCode, 429);
  assert.equal(refused.json().error, "rate_limited");
  assert.ok(Number(refused.headers["retry-after"]) > 0);
  assert.equal((await call("key-b")).statusCode, 200, "buckets are per credential");
});

test("operations endpoints are not rate limited", async () => {
  for (let i = 0; i < 6; i++) assert.equal((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
});
