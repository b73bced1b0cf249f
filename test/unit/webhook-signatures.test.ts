// Known-answer tests for the three webhook signature formats. Expected values were computed with
// `printf '%s' MESSAGE | openssl dgst -sha256 -hmac KEY`, not with the code under test.
import assert from "node:assert/strict";
import { test } from "node:test";
import { signEnvelope, signIpn, signTradingBody, verifyEnvelope, verifyIpn, verifyTradingBody } from "../../src/core/webhooks/signatures.js";

test("trading: hex HMAC-SHA256 of the exact raw body keyed with the API key", () => {
  const body = '{"id":"p1","status":"closed"}';
  const expected = "6763416352e2f750a68495efd6e095e43053dfc04720465448b898f117bde185";
  assert.equal(signTradingBody("k_test_123", body), expected);
  assert.equal(signTradingBody("k_test_123", Buffer.from(body)), expected);
  assert.equal(verifyTradingBody("k_test_123", body, expected), true);
  assert.equal(verifyTradingBody("k_test_123", body + " ", expected), false, "one byte more breaks it");
  assert.equal(verifyTradingBody("k_test_124", body, expected), false);
  assert.equal(verifyTradingBody("k_test_123", body, expected.toUpperCase()), false, "lower-case hex only");
  assert.equal(verifyTradingBody("k_test_123", body, ""), false);
});

test("trading: UTF-8 bytes are signed as sent", () => {
  assert.equal(signTradingBody("k_test_123", "Привет €"), "260587760d5cc93f845c66d8fe818ccc30a3e43dc0c073e038c17e15e421c7a4");
});

test("intent IPN: HMAC of paymentIntentId.paymentIntentStatus.timestamp keyed with the store IPN secret", () => {
  const p = { paymentIntentId: "pi_1", paymentIntentStatus: "3", timestamp: 1760000000 };
  const expected = "55e772a5bf786e5eb5ca6edf0f52b2754a36a6bf363466752c2de615dc7ea73c";
  assert.equal(signIpn("ipn_secret_abc", p), expected);
  const q = { ...p, timestamp: "1760000000", signature: expected };
  assert.equal(verifyIpn("ipn_secret_abc", q, 1760000000 + 300), true);
  assert.equal(verifyIpn("ipn_secret_abc", q, 1760000000 + 301), false, "stale");
  assert.equal(verifyIpn("ipn_secret_abc", q, 1760000000 - 301), false, "from the future");
  assert.equal(verifyIpn("ipn_secret_abc", { ...q, paymentIntentStatus: "4" }, 1760000000), false);
  assert.equal(verifyIpn("ipn_secret_abc", { ...q, timestamp: "1760000000.0" }, 1760000000), false);
});

test("envelope: rampart-signature t=<unix>,v1=<HMAC of '<t>.<body>'> with 300 s tolerance", () => {
  const body = '{"type":"payment.paid","id":"evt_1"}';
  const header = signEnvelope("whsec_xyz", body, 1760000000);
  assert.equal(header, "t=1760000000,v1=8623a38b05e72c671e968651876cfdac29da37fcc651fc168f2806e3ba594403");
  assert.equal(verifyEnvelope("whsec_xyz", body, header, 1760000000 + 299), true);
  assert.equal(verifyEnvelope("whsec_xyz", body, header, 1760000000 + 301), false);
  assert.equal(verifyEnvelope("whsec_other", body, header, 1760000000), false);
  assert.equal(verifyEnvelope("whsec_xyz", body.replace("paid", "fail"), header, 1760000000), false);
  assert.equal(verifyEnvelope("whsec_xyz", body, `t=1760000000,v1=${"0".repeat(64)},${header.split(",")[1]}`, 1760000000), true, "any v1 may match");
  assert.equal(verifyEnvelope("whsec_xyz", body, "v1=abc", 1760000000), false, "no timestamp");
});
