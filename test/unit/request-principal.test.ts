// One typed principal per request (src/http/plugins/principal.ts): the auth hooks set it, handlers
// read it by kind. No route module keeps its own per-request map of who is calling.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { FastifyRequest } from "fastify";
import { type Principal, principalOf } from "../../src/http/plugins/principal.js";

const request = (principal: Principal | null) => ({ principal }) as FastifyRequest;

test("principalOf returns the principal of the asked kind, typed by it", () => {
  const p = principalOf(request({ kind: "merchant", merchantId: "m1", apiKeyId: "k1", label: "", test: false }), "merchant");
  assert.equal(p.apiKeyId, "k1");
  const t = principalOf(request({ kind: "trader_session", traderId: "t1", token: "tok" }), "trader_session");
  assert.equal(t.token, "tok");
  // @ts-expect-error a trader principal has no merchantId (checked by npm run typecheck)
  assert.equal(principalOf(request({ kind: "trader", traderId: "t1" }), "trader").merchantId, undefined);
});

test("principalOf throws when the scope's hook set another kind or none", () => {
  assert.throws(() => principalOf(request({ kind: "trader", traderId: "t1" }), "operator"), /expected a principal of kind operator, found trader/);
  assert.throws(() => principalOf(request(null), "merchant"), /found none/);
});

test("no route module keeps its own per-request principal map", () => {
  const http = path.resolve(import.meta.dirname, "../../src/http");
  const maps = fs
    .readdirSync(http, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .flatMap((e) => {
      const file = path.join(e.parentPath, e.name);
      return [...fs.readFileSync(file, "utf8").matchAll(/const (\w+) = new WeakMap<FastifyRequest/g)].map((m) => `${path.relative(http, file)}: ${m[1]}`);
    });
  // What remains is request state that is not a caller's identity.
  assert.deepEqual(maps.sort(), [
    "dialects/trading/trading-routes.ts: settingsRows", // the settings row the signature check read, reused by the create
    "plugins/audit-scope.ts: scopes", // the audited action a request runs as, closed once its reply is sent
    "plugins/idempotency.ts: claims", // the idempotency claim a request holds until its reply is stored
  ]);
});
