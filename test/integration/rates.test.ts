import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createFixedRateSource } from "../../src/adapters/rates/fixed-rates.js";
import { createHttpTickerSource } from "../../src/adapters/rates/http-ticker.js";
import { createRandomWalkSource } from "../../src/adapters/rates/random-walk.js";
import type { RateSource } from "../../src/app/ports.js";
import { createRateCache } from "../../src/app/rates/rate-cache.js";
import { AppError } from "../../src/core/shared/errors.js";
import { TestClock } from "../support/clock.js";

let server: http.Server;
let base: string;
const behaviour: Record<string, (res: http.ServerResponse) => void> = {};
before(async () => {
  server = http.createServer((req, res) => {
    const key = req.url!.split("?")[0]!;
    const handler = behaviour[key];
    if (handler) handler(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

test("fixed rates come from config and are fresh at every read", async () => {
  const clock = new TestClock();
  const src = createFixedRateSource({ "RUB/USDT": "99.12" }, clock);
  const q = await src.getRate("RUB", "USDT");
  assert.deepEqual([q.rate, q.source, q.fetchedAt.getTime()], ["99.12", "fixed", clock.now().getTime()]);
  await assert.rejects(src.getRate("EUR", "BTC"));
});

test("the random walk is deterministic per day and instant, and moves within its band", async () => {
  const clock = new TestClock("2026-03-01T12:00:00Z");
  const src = createRandomWalkSource(clock);
  const a = (await src.getRate("EUR", "USDT")).rate;
  assert.equal((await createRandomWalkSource(clock).getRate("EUR", "USDT")).rate, a, "same instant, same rate");
  clock.set("2026-03-01T18:00:00Z");
  const later = (await src.getRate("EUR", "USDT")).rate;
  clock.set("2026-03-02T12:00:00Z");
  const nextDay = (await src.getRate("EUR", "USDT")).rate;
  assert.ok(new Set([a, later, nextDay]).size >= 2, "rates move");
  for (const r of [a, later, nextDay]) {
    const v = Number(r);
    assert.ok(v >= 0.93 * 0.97 && v <= 0.93 * 1.03, `${r} within ±3%`);
  }
});

test("the HTTP ticker times out, detects staleness and fails over to the second source", async () => {
  const clock = new TestClock(new Date());
  behaviour["/fresh"] = (res) => res.end(JSON.stringify({ price: "99.5", time: clock.now().getTime() }));
  behaviour["/number"] = (res) => res.end(JSON.stringify({ price: 0.93 }));
  behaviour["/stale"] = (res) => res.end(JSON.stringify({ price: "98", time: clock.now().getTime() - 600_000 }));
  behaviour["/hang"] = () => {};
  behaviour["/down"] = (res) => res.writeHead(503).end();

  const mk = (...paths: string[]) =>
    createHttpTickerSource({ urls: paths.map((p) => `${base}${p}?s={crypto}{fiat}`), clock, timeoutMs: 300, maxAgeSeconds: 60 });
  assert.deepEqual(
    (({ rate, source }) => ({ rate, source }))(await mk("/fresh").getRate("RUB", "USDT")),
    { rate: "99.5", source: "http-ticker#1" },
  );
  assert.equal((await mk("/number").getRate("EUR", "USDT")).rate, "0.93");
  const started = Date.now();
  assert.equal((await mk("/hang", "/fresh").getRate("RUB", "USDT")).source, "http-ticker#2", "timeout → failover");
  assert.ok(Date.now() - started < 2000);
  assert.equal((await mk("/stale", "/fresh").getRate("RUB", "USDT")).source, "http-ticker#2", "stale → failover");
  await assert.rejects(mk("/down", "/stale").getRate("RUB", "USDT"), /source 1: HTTP 503; source 2: stale/);
});

test("the rate cache reuses a fresh rate, serves the last one through an outage while young, then refuses", async () => {
  const clock = new TestClock();
  let calls = 0;
  let failing = false;
  const source: RateSource = {
    name: "counting",
    async getRate(fiat, crypto) {
      calls++;
      if (failing) throw new Error("feed down");
      return { fiat, crypto, rate: `1.0${calls}`, source: "counting", fetchedAt: clock.now() };
    },
  };
  const cache = createRateCache(source, clock, { refreshSeconds: 10, maxRateAgeSeconds: 60 });
  assert.equal((await cache.getRate("EUR", "USDT")).rate, "1.01");
  clock.advance(5_000);
  assert.equal((await cache.getRate("EUR", "USDT")).rate, "1.01", "within refresh: cached");
  assert.equal(calls, 1);
  clock.advance(6_000);
  assert.equal((await cache.getRate("EUR", "USDT")).rate, "1.02", "refreshed");
  failing = true;
  clock.advance(30_000);
  const during = await cache.getRate("EUR", "USDT");
  assert.equal(during.rate, "1.02", "outage: last rate while younger than the max age");
  clock.advance(31_000);
  await assert.rejects(cache.getRate("EUR", "USDT"), (e: unknown) => e instanceof AppError && e.code === "rate_unavailable");
});
