// What the cached status reads keep between requests (issue 16) and the rules that keep them exact:
// a kept view is given again only for the same cache entry and the same inputs; a derived key is the
// HKDF output it replaces; a request's logger writes what a pino child would, made on the first
// enabled call.
import assert from "node:assert/strict";
import { hkdfSync } from "node:crypto";
import { Writable } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import { keptViews } from "../../src/app/cache/kept-views.js";
import { payCallbackAnswer } from "../../src/app/card/pay-callback-cache.js";
import type { PaymentRow } from "../../src/db/card/offers.js";
import { derivedKey } from "../../src/core/crypto/derived-key.js";
import { requestLogger } from "../../src/http/plugins/request-logger.js";
import type { FastifyInstance } from "fastify";

test("a kept view is rendered once per entry and inputs, frozen, and rendered again when either changes", () => {
  const views = keptViews<{ n: number }, { shown: string }>();
  let renders = 0;
  const render = (e: { n: number }, input: string) => () => ({ shown: `${e.n}:${input}`, r: ++renders });
  const entry = { n: 1 };
  const first = views(entry, ["a"], render(entry, "a"));
  assert.equal(views(entry, ["a"], render(entry, "a")), first);
  assert.equal(renders, 1);
  assert.ok(Object.isFrozen(first));
  assert.deepEqual(views(entry, ["b"], render(entry, "b")), { shown: "1:b", r: 2 });
  const replaced = { n: 2 }; // the cache replaces an entry whose rows changed
  assert.deepEqual(views(replaced, ["b"], render(replaced, "b")), { shown: "2:b", r: 3 });
});

test("a pay-callback view is kept across equal configurations and rendered again when its link's URL or secret changes", () => {
  const payment = { id: "11111111-1111-4111-8111-111111111111", offer_id: "7", status: "challenge", fiat: "EUR", fiat_minor: "10000", crypto: "USDT", crypto_minor: "100000000", crypto_decimals: 6, created_at: new Date(0) } as unknown as PaymentRow;
  const paid = { payment, risk: null };
  const config = { publicUrl: "https://pay.example", secretKey: "s".repeat(32) } as Parameters<typeof payCallbackAnswer>[0]["config"];
  const first = payCallbackAnswer({ config }, paid);
  assert.equal(payCallbackAnswer({ config: { ...config } }, paid), first, "a reloaded configuration with the same values");
  const moved = payCallbackAnswer({ config: { ...config, publicUrl: "https://moved.example" } }, paid);
  assert.ok(moved.authLink?.startsWith("https://moved.example/3ds/"), String(moved.authLink));
  const rekeyed = payCallbackAnswer({ config: { ...config, publicUrl: "https://moved.example", secretKey: "t".repeat(32) } }, paid);
  assert.notEqual(rekeyed.authLink, moved.authLink);
});

test("a derived key is HKDF-SHA256 of the secret for its purpose, distinct per purpose and secret", () => {
  const expected = Buffer.from(hkdfSync("sha256", "secret-one", "rampart", "intent-checkout-link", 32));
  assert.deepEqual(derivedKey("secret-one", "intent-checkout-link"), expected);
  assert.deepEqual(derivedKey("secret-one", "intent-checkout-link"), expected);
  assert.notDeepEqual(derivedKey("secret-one", "card-3ds-link"), expected);
  assert.notDeepEqual(derivedKey("secret-two", "intent-checkout-link"), expected);
});

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk))), done()) });
  return { logger: pino({ level, redact: ["req.headers.authorization"] }, stream), lines };
}

test("a request's logger writes enabled levels with its bindings and nothing below the level", async () => {
  const { logger, lines } = capture("warn");
  const log = requestLogger.call({} as FastifyInstance, logger, { reqId: "req_1" }, {});
  log.info({ a: 1 }, "not written");
  log.warn({ a: 2 }, "written");
  log.child({ step: "x" }).error("from a child");
  await new Promise((r) => setImmediate(r));
  assert.equal(log.level, "warn");
  assert.deepEqual(lines.map((l) => [l.msg, l.reqId, l.a ?? l.step]), [["written", "req_1", 2], ["from a child", "req_1", "x"]]);
});
