// A request the server is still working on keeps its socket: the idle-socket timeout
// (connectionTimeout) must not cut it. Under load 500 concurrent creates queued longer than that and
// their clients saw "fetch failed" (a reset) instead of an answer (trading-concurrency.test.ts).
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";

let h: Harness;
before(async () => {
  h = await createHarness({
    routes: (app) => app.get("/test/socket-timeout", async (request) => ({ timeout: request.raw.socket.timeout ?? 0 })),
  });
  await h.app.listen({ port: 0, host: "127.0.0.1" });
});
after(() => h.close());

test("while a request is processed its socket has no idle timeout; idle sockets still have one", async () => {
  const r = await fetch(`http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/test/socket-timeout`);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { timeout: 0 });
  assert.ok(h.app.server.timeout > 0, "a connection that sends nothing is still cut");
  const injected = await h.app.inject({ method: "GET", url: "/test/socket-timeout" });
  assert.equal(injected.statusCode, 200, "inject()'s simulated socket, which has no timer, is left alone");
});
