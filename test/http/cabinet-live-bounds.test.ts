// The trader cabinet's live stream (GET /cabinet/events, pages/cabinet/cabinet-live.ts) is bounded per
// trader as well as per process: found by fuzzing, one trader holding 500 streams made every other
// trader's stream answer 503. And a process that stops ends its streams: an open cabinet made every
// shutdown wait out the 30 s drain timeout. Real HTTP on loopback, since a stream stays open.
import assert from "node:assert/strict";
import http from "node:http";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import pg from "pg";
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

test("a client that leaves while its session is being checked holds no stream slot", async (t) => {
  const other = await createHarness();
  if (other.testDb.url === null) {
    await other.close();
    return t.skip("PostgreSQL only: the session check is held by a table lock from a second connection");
  }
  const locker = new pg.Client({ connectionString: other.testDb.url });
  try {
    const fixture = await setupTrading(other.deps);
    await other.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = other.app.server.address() as AddressInfo;
    const { token } = await signInTrader(other.deps, fixture.traders[0]!.traderKey);
    await locker.connect();
    await locker.query("BEGIN");
    await locker.query("LOCK TABLE trader_keys IN ACCESS EXCLUSIVE MODE");
    // The request reaches its session check, which waits for the lock; then the client leaves.
    const client = net.connect(port, "127.0.0.1");
    await new Promise<void>((resolve) => client.once("connect", resolve));
    client.write(`GET /cabinet/events HTTP/1.1\r\nHost: x\r\nCookie: rampart_trader=${token}\r\n\r\n`);
    const waiting = async () =>
      (await locker.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%trader_keys%' AND pid <> pg_backend_pid()")).rows[0].n as number;
    while ((await waiting()) === 0);
    client.destroy();
    const connections = () => new Promise<number>((resolve, reject) => other.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    while ((await connections()) > 0) await new Promise((resolve) => setImmediate(resolve));
    await locker.query("COMMIT");
    // All ten of the trader's slots are still free.
    const at = `http://127.0.0.1:${port}`;
    const streams = await Promise.all(Array.from({ length: 10 }, () => openStream(token, at)));
    assert.deepEqual(streams.map((s) => s.status), Array(10).fill(200));
  } finally {
    await locker.end();
    for (const r of open) r.destroy();
    await other.close();
  }
});
