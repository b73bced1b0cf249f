// The trader cabinet's live stream (GET /cabinet/events, pages/cabinet/cabinet-live.ts) is bounded per
// trader as well as per process: found by fuzzing, one trader holding 500 streams made every other
// trader's stream answer 503. And a process that stops ends its streams: an open cabinet made every
// shutdown wait out the 30 s drain timeout. Real HTTP on loopback, since a stream stays open.
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { signInTrader } from "../../src/app/trading/trader-session.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let base: string;
const open: http.ClientRequest[] = [];

before(async () => {
  h = await createHarness();
  fx = await setupTrading(h.deps, { traders: 2 });
  await h.app.listen({ port: 0, host: "127.0.0.1" });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
});
after(async () => {
  for (const r of open) r.destroy();
  await h.close();
});

/** Opens the stream with the trader's session cookie; resolves with the status once the headers arrive. */
function openStream(token: string, at = base): Promise<{ status: number; body: () => Promise<string> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${at}/cabinet/events`, { headers: { cookie: `rampart_trader=${token}`, accept: "text/event-stream" } }, (res) => {
      const chunks: Buffer[] = [];
      const ended = new Promise<string>((done) => res.on("end", () => done(Buffer.concat(chunks).toString())));
      res.on("data", (c: Buffer) => chunks.push(c));
      resolve({ status: res.statusCode!, body: () => ended });
    });
    req.on("error", reject);
    open.push(req);
  });
}

test("one trader's streams stop at ten with 429; another trader's stream still opens", async () => {
  const [one, two] = await Promise.all(fx.traders.map((t) => signInTrader(h.deps, t.traderKey)));
  const first = await Promise.all(Array.from({ length: 10 }, () => openStream(one!.token)));
  assert.deepEqual(first.map((s) => s.status), Array(10).fill(200));
  const refused = await openStream(one!.token);
  assert.equal(refused.status, 429);
  assert.match(await refused.body(), /close other tabs/);
  const other = await openStream(two!.token);
  assert.equal(other.status, 200, "the other trader is not refused");
});

test("closing the app ends its open streams at once (the browser reconnects to a running process)", { timeout: 60_000 }, async () => {
  const other = await createHarness();
  try {
    const t = await setupTrading(other.deps);
    await other.app.listen({ port: 0, host: "127.0.0.1" });
    const stream = await openStream((await signInTrader(other.deps, t.traders[0]!.traderKey)).token, `http://127.0.0.1:${(other.app.server.address() as AddressInfo).port}`);
    assert.equal(stream.status, 200);
    // Without the preClose hook, close() waits for the stream, which never ends by itself: this hangs.
    const [, body] = await Promise.all([other.app.close(), stream.body()]);
    assert.match(body, /^retry: 3000/);
  } finally {
    await other.close();
  }
});
