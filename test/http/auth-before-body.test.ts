// Every area that takes a key in a header checks it before the body is read: a caller without a valid
// key gets 401 even for malformed JSON, so it learns nothing about a route (not that its JSON is bad,
// not what the schema asks). The same request with the key reaches the parser: 400 invalid_json.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createHarness, type Harness } from "../support/harness.js";
import { setupTrading, type TradingFixture } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let op: string;

before(async () => {
  h = await createHarness();
  fx = await setupTrading(h.deps);
  op = await createOperatorKey(h.deps, "test");
});
after(async () => h?.close());

const PAYIN = "00000000-0000-4000-8000-000000000000";

/** [method, url, the header naming the key, a valid key] */
const areas = (): [string, string, string, string][] => [
  ["POST", "/payment/trading/pay-in", "x-api-key", fx.merchant.apiKey],
  ["POST", "/payment/intent", "x-api-key", fx.merchant.apiKey],
  ["POST", "/merchant/v1/webhook-endpoints", "x-api-key", fx.merchant.apiKey],
  ["POST", "/merchant/v1/risk/rules", "x-api-key", fx.merchant.apiKey],
  ["POST", "/sandbox/bank-transfers", "x-api-key", fx.merchant.apiKey],
  ["POST", `/trader/v1/pay-ins/${PAYIN}/answer`, "x-trader-key", fx.traders[0]!.traderKey],
  ["POST", "/trader/v1/withdrawals", "x-trader-key", fx.traders[0]!.traderKey],
  ["POST", "/admin/v1/merchants", "x-operator-key", op],
];

test("malformed JSON without a key is 401; with the key, 400 invalid_json", async () => {
  for (const [method, url, header, key] of areas()) {
    for (const [headers, status, error] of [
      [{}, 401, "unauthorized"],
      [{ [header]: "rmp_not_a_key" }, 401, "unauthorized"],
      [{ [header]: key }, 400, "invalid_json"],
    ] as const) {
      const res = await h.app.inject({ method: method as "POST", url, headers: { ...headers, "content-type": "application/json" }, payload: "{nope" });
      const body = res.json();
      // The trading dialect answers in its own envelope: its code field carries the stable code.
      assert.deepEqual([res.statusCode, body.error ?? body.code], [status, error], `${method} ${url} with ${Object.keys(headers).length ? "a key" : "no key"}: ${res.body}`);
    }
  }
});
