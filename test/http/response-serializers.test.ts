// Every route's response serializers compile. The tests' apps build them lazily, on a route's first
// answer (src/http/plugins/lazy-serializers.ts), so a schema of a rarely given answer (a 409, say) that
// cannot compile would otherwise surface only as a 500 in production. The gateway's start builds
// them all; this builds them all once, the same way.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { FastifyInstance } from "fastify";
import { createHarness } from "../support/harness.js";

/** A route whose 409 answer's schema refers to a schema nobody added: it cannot compile. */
function brokenRoute(app: FastifyInstance): void {
  app.get("/test/broken-serializer", { schema: { response: { 200: { type: "object" }, 409: { $ref: "nobody-added#" } } } }, async () => ({}));
}

test("every route's response serializers compile when the app gets ready, as at the gateway's start", async () => {
  const h = await createHarness({ eagerSerializers: true });
  try {
    const res = await h.app.inject({ method: "GET", url: "/healthz" });
    assert.equal(res.statusCode, 200);
  } finally {
    await h.close();
  }
});

test("a response schema that cannot compile stops an eager app from getting ready, naming its route", async () => {
  await assert.rejects(createHarness({ eagerSerializers: true, routes: brokenRoute }), (err: Error & { code?: string }) => {
    assert.equal(err.code, "FST_ERR_SCH_SERIALIZATION_BUILD");
    assert.match(err.message, /GET: \/test\/broken-serializer/);
    return true;
  });
  // The lazy app (every test harness) gets ready with the same route: only its first 409 would find out.
  const h = await createHarness({ routes: brokenRoute });
  try {
    assert.equal((await h.app.inject({ method: "GET", url: "/test/broken-serializer" })).statusCode, 200);
  } finally {
    await h.close();
  }
});
