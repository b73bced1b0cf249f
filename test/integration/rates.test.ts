import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createFixedRateSource } from "../../src/adapters/rates/fixed-rates.js";
import { createHttpTickerSource } from "../../src/adapters/rates/http-ticker.js";
import { createRandomWalkSource, walkRate } from "../../src/adapters/rates/random-walk.js";
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

test("the random walk moves at most 0.03% a minute, and the same minute on another day differs", () => {
  const base = 93_000_000n; // 0.93 at scale 8
  let prev = walkRate(base, "EUR/USDT", new Date("2026-03-01T00:00:00Z"));
  assert.equal(prev, base, "each day starts at the base rate");
  let moved = 0;
  for (let m = 1; m <= 240; m++) {
    const at = new Date(Date.UTC(2026, 2, 1, 0, m));
    const v = walkRate(base, "EUR/USDT", at);
    assert.equal(walkRate(base, "EUR/USDT", new Date(at.getTime() + 59_000)), v, "constant within the minute");
    const step = v > prev ? v - prev : prev - v;
    // 300 ppm, plus the one unit (at scale 8) that truncating a downward step can add
    assert.ok((step - 1n) * 1_000_000n <= 300n * prev, `minute ${m}: step ${step} from ${prev}`);
    if (step > 0n) moved++;
    prev = v;
  }
  assert.ok(moved > 200, `moves most minutes (${moved}/240)`);
  const noon = (day: number) => walkRate(base, "EUR/USDT", new Date(Date.UTC(2026, 2, day, 12, 0)));
  assert.notEqual(noon(1), noon(2));
  assert.notEqual(noon(1), walkRate(base, "EUR/USDC", new Date(Date.UTC(2026, 2, 1, 12, 0))), "each pair walks its own path");
});

// Sources that answer get a timeout no busy machine reaches; the timeout itself is shown on a source
// that never answers (it fails however long the machine takes), and failover on any failure.
const ANSWERS_MS = 60_000;

test("the HTTP ticker times out, detects staleness and fails over to the second source", async () => {
  const clock = new TestClock(new Date());
  behaviour["/fresh"] = (res) => res.end(JSON.stringify({ price: "99.5", time: clock.now().getTime() }));
  behaviour["/number"] = (res) => res.end(JSON.stringify({ price: 0.93 }));
  behaviour["/stale"] = (res) => res.end(JSON.stringify({ price: "98", time: clock.now().getTime() - 600_000 }));
  behaviour["/hang"] = () => {};
  behaviour["/down"] = (res) => res.writeHead(503).end();

  const mk = (...paths: string[]) =>
    createHttpTickerSource({ urls: paths.map((p) => `${base}${p}?s={crypto}{fiat}`), clock, timeoutMs: ANSWERS_MS, maxAgeSeconds: 60 });
  assert.deepEqual(
    (({ rate, source }) => ({ rate, source }))(await mk("/fresh").getRate("RUB", "USDT")),
    { rate: "99.5", source: "http-ticker#1" },
  );
  assert.equal((await mk("/number").getRate("EUR", "USDT")).rate, "0.93");
  const hangs = createHttpTickerSource({ urls: [`${base}/hang`], clock, timeoutMs: 300, maxAgeSeconds: 60 });
  await assert.rejects(hangs.getRate("RUB", "USDT"), /source 1: .*timeout/, "a source that never answers times out");
  assert.equal((await mk("/down", "/fresh").getRate("RUB", "USDT")).source, "http-ticker#2", "failure → failover");
  assert.equal((await mk("/stale", "/fresh").getRate("RUB", "USDT")).source, "http-ticker#2", "stale → failover");
  await assert.rejects(mk("/down", "/stale").getRate("RUB", "USDT"), /source 1: HTTP 503; source 2: stale/);
});

test("the HTTP ticker refuses a non-positive price and unreadable or stale ISO times, and caps a future time at now", async () => {
  const clock = new TestClock(new Date());
  const iso = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();
  behaviour["/zero"] = (res) => res.end(JSON.stringify({ price: "0" }));
  behaviour["/exp"] = (res) => res.end(JSON.stringify({ price: "1e-7" }));
  behaviour["/garbled-time"] = (res) => res.end(JSON.stringify({ price: "99", time: "yesterday-ish" }));
  behaviour["/stale-iso"] = (res) => res.end(JSON.stringify({ price: "99", timestamp: iso(-600_000) }));
  behaviour["/future"] = (res) => res.end(JSON.stringify({ price: "99.7", time: clock.now().getTime() + 3_600_000 }));
  behaviour["/recent-iso"] = (res) => res.end(JSON.stringify({ price: "99.6", timestamp: iso(-5_000) }));
  const mk = (...paths: string[]) => createHttpTickerSource({ urls: paths.map((p) => `${base}${p}`), clock, timeoutMs: ANSWERS_MS, maxAgeSeconds: 60 });

  await assert.rejects(
    mk("/zero", "/exp", "/garbled-time", "/stale-iso").getRate("RUB", "USDT"),
    /source 1: non-positive price; source 2: .*; source 3: unreadable ticker time; source 4: stale ticker/,
  );
  const future = await mk("/future").getRate("RUB", "USDT");
  assert.equal(future.fetchedAt.getTime(), clock.now().getTime(), "a ticker ahead of our clock is taken as of now");
  const recent = await mk("/zero", "/recent-iso").getRate("RUB", "USDT");
  assert.deepEqual([recent.rate, recent.source, clock.now().getTime() - recent.fetchedAt.getTime()], ["99.6", "http-ticker#2", 5_000]);
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

test("the rate cache never serves a rate older than the max age, even when refreshing less often", async () => {
  const clock = new TestClock();
  let calls = 0;
  const source: RateSource = {
    name: "counting",
    async getRate(fiat, crypto) {
      calls++;
      return { fiat, crypto, rate: "1.5", source: "counting", fetchedAt: clock.now() };
    },
  };
  const cache = createRateCache(source, clock, { refreshSeconds: 3_600, maxRateAgeSeconds: 60 });
  const first = await cache.getRate("EUR", "USDT");
  clock.advance(59_000);
  assert.equal(await cache.getRate("EUR", "USDT"), first, "reused while younger than the max age");
  clock.advance(2_000);
  const second = await cache.getRate("EUR", "USDT");
  assert.equal(calls, 2, "refetched once the cached rate reached the max age");
  assert.equal(second.fetchedAt.getTime(), clock.now().getTime());
});

test("the rate cache treats a zero or malformed rate from its source as no rate", async () => {
  const clock = new TestClock();
  for (const bad of ["0", "0.000", "-1", "abc", ""]) {
    const source: RateSource = {
      name: "broken",
      async getRate(fiat, crypto) {
        return { fiat, crypto, rate: bad, source: "broken", fetchedAt: clock.now() };
      },
    };
    const cache = createRateCache(source, clock, { refreshSeconds: 10, maxRateAgeSeconds: 60 });
    await assert.rejects(cache.getRate("EUR", "USDT"), (e: unknown) => e instanceof AppError && e.code === "rate_unavailable", bad);
  }
});
