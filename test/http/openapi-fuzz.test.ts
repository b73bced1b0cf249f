// Every operation of the served OpenAPI document, hit with generated hostile bodies, query strings,
// path parameters and headers while holding valid credentials for its security scheme: no answer is a
// 5xx, and no body shows a stack trace, SQL or a file path.
//
// Seeded: a failure prints RAMPART_FUZZ_SEED (and the operation); set it to replay the same requests.
// RAMPART_FUZZ_RUNS sets the requests per operation (default 15, sized to stay within 60 s on a busy
// 2-core machine); RAMPART_FUZZ_OP="POST /payment/intent" limits the run to one operation.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { CARD_TEST_ENV, registerCustomer, seedCardPairs } from "../support/card-customer.js";
import { createHarness, type Harness } from "../support/harness.js";
import { hostileRequest, type Known, type Operation } from "../support/hostile-requests.js";
import { configureStore, intentBody } from "../support/intents.js";
import { setupTrading } from "../support/trading.js";
import { jsonCall } from "../support/json-call.js";

const SEED = process.env.RAMPART_FUZZ_SEED ? Number(process.env.RAMPART_FUZZ_SEED) : (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
const RUNS = Number(process.env.RAMPART_FUZZ_RUNS ?? 15);
const ONLY = process.env.RAMPART_FUZZ_OP;
// Printed first, so even a run stopped by the runner's timeout can be replayed.
console.log(`openapi-fuzz: RAMPART_FUZZ_SEED=${SEED} RAMPART_FUZZ_RUNS=${RUNS}`);

// What a body must never show: a stack frame, database text, a source or install path.
const LEAKS: [string, RegExp][] = [
  ["stack trace", /\n\s+at \S.*[(:]\d+/],
  ["stack trace", /\bat (async )?[\w.<>]+ \((file:|\/)/],
  ["SQL", /syntax error at or near|violates \w+(-\w+)? constraint|duplicate key value|relation "[^"]+"|invalid byte sequence|invalid input syntax for type/],
  ["SQL", /\b(select\s[\s\S]{1,200}\sfrom|insert into|update \w+ set|delete from)\s/i],
  ["file path", /node_modules\/|\/src\/\S+\.[jt]s|\.ts:\d+|file:\/\//],
];

let h: Harness;
let operations: Operation[];
let credentials: Record<string, Record<string, string>>;
let known: Known;
let signoutCustomer: Record<string, string>;

before(async () => {
  h = await createHarness({ env: CARD_TEST_ENV });
  const trading = await setupTrading(h.deps);
  const { merchant } = trading;
  await seedCardPairs(h.deps);
  await configureStore(h, merchant.storeId);
  const operatorKey = await createOperatorKey(h.deps, "fuzz");
  const customer = await registerCustomer(h.app, merchant.merchantId);
  signoutCustomer = (await registerCustomer(h.app, merchant.merchantId)).headers;
  const payin = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": merchant.apiKey }, {
    fiatAmount: "5000.00",
    fiatCurrency: "RUB",
    bank: "SBER",
    method: "card",
  });
  const intent = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": merchant.apiKey }, intentBody(merchant.storeId));
  assert.ok(payin.status < 300 && intent.status < 300, `${payin.text} ${intent.text} ${h.logs.lines.filter((l) => l.includes("\"level\":50")).join("\n")}`);
  known = {
    merchantId: merchant.merchantId,
    storeId: merchant.storeId,
    traderId: trading.traders[0]!.traderId,
    requisiteId: trading.requisiteIds[0]!,
    tradeId: payin.json.id,
    id: payin.json.id,
    intentId: intent.json.id,
    bank: "SBER",
    fiatCurrency: "RUB",
    currencyIsoCode: "EUR",
    cryptoSymbol: "USDT",
    phone: customer.phone,
  };
  credentials = {
    none: { "x-merchant-id": merchant.merchantId, "x-version": "1.2" },
    apiKey: { "x-api-key": merchant.apiKey },
    operatorKey: { "x-operator-key": operatorKey },
    traderKey: { "x-trader-key": trading.traders[0]!.traderKey },
    bearer: customer.headers,
  };
  const doc = (await h.app.inject({ method: "GET", url: "/docs/json" })).json() as { paths: Record<string, Record<string, Record<string, any>>> };
  operations = Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
});

after(async () => {
  await h?.close();
});

function credentialsFor(op: Operation): Record<string, string> {
  if (op.path === "/signout") return signoutCustomer;
  const scheme = Object.keys((op.operation.security as Record<string, unknown>[] | undefined)?.[0] ?? {})[0] ?? "none";
  return { ...credentials.none, ...credentials[scheme] };
}

function knownFor(op: Operation): Known {
  // `{id}` names a pay-in on the trading routes and an intent on the intent routes.
  return op.path.startsWith("/payment/intent/") ? { ...known, id: known.intentId! } : known;
}

test("the served OpenAPI document has operations of every security scheme", () => {
  assert.ok(operations.length >= 60, `${operations.length} operations`);
  const schemes = new Set(operations.flatMap((op) => ((op.operation.security ?? []) as Record<string, unknown>[]).flatMap((s) => Object.keys(s))));
  assert.deepEqual([...schemes].sort(), ["apiKey", "bearer", "operatorKey", "traderKey"]);
});

test(`hostile requests on every operation: no 5xx, no stack trace, SQL or path (seed ${SEED}, ${RUNS} per operation)`, async () => {
  let sent = 0;
  for (const op of operations) {
    const name = `${op.method} ${op.path}`;
    if (ONLY && ONLY !== name) continue;
    try {
      await fc.assert(
        fc.asyncProperty(hostileRequest(op, knownFor(op), credentialsFor(op)), async (req) => {
          sent += 1;
          const res = await h.app.inject(req);
          const where = `${req.method} ${req.url.slice(0, 200)} → ${res.statusCode}`;
          assert.ok(res.statusCode < 500, `${where}: ${res.body.slice(0, 300)}`);
          for (const [what, pattern] of LEAKS) assert.doesNotMatch(res.body, pattern, `${where}: body shows a ${what}`);
        }),
        // No shrinking: each shrink step sends requests again (some of 1 MB); the seed and path replay the case.
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    } catch (err) {
      throw new Error(`${name} failed. Replay: RAMPART_FUZZ_SEED=${SEED} RAMPART_FUZZ_OP="${name}"\n${(err as Error).message.slice(0, 4000)}`);
    }
  }
  assert.ok(sent >= RUNS * (ONLY ? 1 : 60), `${sent} requests sent`);
});
