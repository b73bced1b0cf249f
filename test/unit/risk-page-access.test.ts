// payerMismatch (core/risk/page-access.ts): which payerInfo fields the payer page's visitor differs in.
import assert from "node:assert/strict";
import { test } from "node:test";
import { payerMismatch } from "../../src/core/risk/page-access.js";

const UA = "Mozilla/5.0 Pixel";

test("the same IP and user agent match; each differing field is named", () => {
  const info = { ip: "198.51.100.7", userAgent: UA };
  assert.deepEqual(payerMismatch(info, { ip: "198.51.100.7", userAgent: ` ${UA} ` }), []);
  assert.deepEqual(payerMismatch(info, { ip: "198.51.100.8", userAgent: UA }), ["ip"]);
  assert.deepEqual(payerMismatch(info, { ip: "198.51.100.7", userAgent: "curl/8" }), ["userAgent"]);
  assert.deepEqual(payerMismatch(info, { ip: "203.0.113.1", userAgent: null }), ["ip", "userAgent"]);
});

test("a field the merchant did not send is not compared (a missing signal never refuses)", () => {
  assert.deepEqual(payerMismatch(null, { ip: "203.0.113.1", userAgent: "x" }), []);
  assert.deepEqual(payerMismatch({ ip: "", userAgent: 42 }, { ip: "203.0.113.1", userAgent: "x" }), []);
  assert.deepEqual(payerMismatch({ userAgent: UA }, { ip: "203.0.113.1", userAgent: UA }), []);
});
