// Request signatures of the trading dialect (docs/contract-trading.md#authentication-and-signatures)
// for the requests that have no JSON body: a multipart upload is signed over its raw multipart bytes,
// a form-encoded POST over its form bytes, a GET over its path and query exactly as sent. A merchant
// with requireRequestSignature is refused anything unsigned or signed over something else (the old
// empty-body signature included).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createHarness, type Harness } from "../support/harness.js";
import { RECEIPT_PNG, setupTrading, signBody, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let payinId: string;
const key = () => fx.merchant.apiKey;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps, { settings: { requireRequestSignature: true } });
  const body = JSON.stringify({ fiatAmount: 1000 });
  const r = await h.app.inject({
    method: "POST",
    url: "/payment/trading/pay-in",
    headers: { "x-api-key": key(), "content-type": "application/json", "x-signature": signBody(key(), body) },
    payload: body,
  });
  assert.equal(r.statusCode, 201, r.body);
  payinId = r.json().id;
});
after(() => h.close());

/** The bytes a client sends for a receipt upload (multipart field `file`). */
function multipartBody(): { bytes: Buffer; contentType: string } {
  const boundary = "----rampart-signed";
  const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="receipt.png"\r\nContent-Type: image/png\r\n\r\n`;
  return { bytes: Buffer.concat([Buffer.from(head), RECEIPT_PNG, Buffer.from(`\r\n--${boundary}--\r\n`)]), contentType: `multipart/form-data; boundary=${boundary}` };
}

const upload = (signature: string | null) => {
  const { bytes, contentType } = multipartBody();
  return h.app.inject({
    method: "POST",
    url: `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`,
    headers: { "x-api-key": key(), "content-type": contentType, ...(signature !== null ? { "x-signature": signature } : {}) },
    payload: bytes,
  });
};

const get = (url: string, signature: string | null) =>
  h.app.inject({ method: "GET", url, headers: { "x-api-key": key(), ...(signature !== null ? { "x-signature": signature } : {}) } });

test("a multipart upload is signed over its raw multipart bytes", async () => {
  const ok = await upload(signBody(key(), multipartBody().bytes));
  assert.equal(ok.statusCode, 200, ok.body);
  assert.match(ok.json().invoiceKey, /^inv_/);

  for (const wrong of [null, signBody(key(), ""), signBody(key(), RECEIPT_PNG), signBody("another key", multipartBody().bytes)]) {
    const r = await upload(wrong);
    assert.equal(r.statusCode, 401, r.body);
    assert.deepEqual([r.json().message, r.json().code], ["INVALID_SIGNATURE", "invalid_signature"]);
  }
});

test("a GET is signed over its path and query exactly as sent", async () => {
  const one = `/payment/trading/${payinId}`;
  const ok = await get(one, signBody(key(), one));
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().id, payinId);

  const list = "/payment/trading/pay-in?status=active&limit=5";
  assert.equal((await get(list, signBody(key(), list))).statusCode, 200);
  const wrongs = [
    null,
    signBody(key(), ""), // the empty body such a GET used to be checked against
    signBody(key(), "/payment/trading/pay-in?limit=5&status=active"), // the query is signed as sent, not reordered
    signBody(key(), "/payment/trading/pay-in"), // without its query
  ];
  for (const wrong of wrongs) {
    const r = await get(list, wrong);
    assert.equal(r.statusCode, 401, r.body);
    assert.equal(r.json().message, "INVALID_SIGNATURE");
  }
  assert.equal((await get("/payment/account", signBody(key(), "/payment/account"))).statusCode, 200);
  assert.equal((await get("/payment/trading/banks", signBody(key(), "/payment/account"))).statusCode, 401, "a signature of another path");
});

test("a form-encoded POST is signed over its form bytes; the empty-body signature is refused (found by fuzzing)", async () => {
  const form = "fiatAmount=7000&fiatCurrency=RUB";
  const post = (signature: string) =>
    h.app.inject({
      method: "POST",
      url: "/payment/trading/pay-in",
      headers: { "x-api-key": key(), "content-type": "application/x-www-form-urlencoded", "x-signature": signature },
      payload: form,
    });
  for (const wrong of [signBody(key(), ""), signBody(key(), "fiatAmount=1&fiatCurrency=RUB")]) {
    const r = await post(wrong);
    assert.equal(r.statusCode, 401, r.body);
    assert.equal(r.json().message, "INVALID_SIGNATURE");
  }
  const ok = await post(signBody(key(), form));
  assert.equal(ok.statusCode, 201, ok.body);
  assert.equal(ok.json().fiatAmount, "7000.00");
});
