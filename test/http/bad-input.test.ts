// Bad input is a 4xx, never a 500: a NUL character anywhere the API takes text is refused with 400
// naming the field (one rule at the edge), a JSON body nests at most MAX_JSON_DEPTH containers, a
// malformed multipart body on every upload route is 400 `malformed_multipart` with nothing logged as
// an unhandled error, a second file is 400, and a requisite for an unknown trader is 404.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { MAX_JSON_DEPTH } from "../../src/http/plugins/raw-body.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { setupTrading, type TradingFixture, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;
let operatorKey: string;
let payinId: string;
let traderCookie: string;

const FORM = { "content-type": "application/x-www-form-urlencoded" };

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
  operatorKey = await createOperatorKey(h.deps, "test");
  const p = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 5000 });
  assert.equal(p.status, 201, p.text);
  payinId = p.json.id;
  const login = await h.app.inject({ method: "POST", url: "/cabinet/login", headers: FORM, payload: new URLSearchParams({ key: fx.traders[0]!.traderKey }).toString() });
  assert.equal(login.statusCode, 303, login.body);
  traderCookie = String(login.headers["set-cookie"]).split(";")[0]!;
});
after(async () => h.close());

const unhandled = () => h.logs.lines.filter((l) => l.includes("unhandled error") || l.includes('"stack"'));

test("a NUL character in a body, nested body, query, path or header field is 400 naming the field", async () => {
  const op = { "x-operator-key": operatorKey };
  // The trading dialect names the field in its own envelope: INVALID_EXTRA_EXTERNAL_TRANSACTION_ID.
  const cases: { call: () => Promise<{ status: number; json: Record<string, any> }>; field: string; named?: RegExp }[] = [
    { field: "name", call: () => jsonCall(h.app, "POST", "/admin/v1/trading/traders", op, { name: "Trader\u0000" }) },
    {
      field: "extra.externalTransactionId",
      named: /INVALID_EXTRA_EXTERNAL_TRANSACTION_ID/,
      call: () => jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 5000, extra: { externalTransactionId: "tx\u0000" } }),
    },
    { field: "reference", call: () => jsonCall(h.app, "POST", "/sandbox/bank-transfers", op, { reference: "RMP\u0000ABCD", amount: "10.00", currency: "EUR" }) },
    { field: "cursor", call: () => jsonCall(h.app, "GET", "/admin/v1/merchants?cursor=%00", op) },
    { field: "apiKeyId", call: () => jsonCall(h.app, "DELETE", `/admin/v1/merchants/${fx.merchant.merchantId}/api-keys/key%00`, op) },
    { field: "x-merchant-id", call: () => jsonCall(h.app, "POST", "/v2/mobile/signup", { "x-merchant-id": `${fx.merchant.merchantId}\u0000` }, { phone: "+447700900123", password: "correct horse 42" }) },
  ];
  for (const c of cases) {
    const r = await c.call();
    assert.equal(r.status, 400, `${c.field}: ${JSON.stringify(r.json)}`);
    if (c.named) assert.match(JSON.stringify(r.json), c.named, c.field);
    else {
      assert.equal(r.json.field, c.field);
      assert.match(r.json.message, /NUL/, c.field);
    }
  }
  assert.deepEqual(unhandled(), []);
});

test("a JSON body nested deeper than MAX_JSON_DEPTH is 400 on every route, before any code walks it (a 10,000-deep trading `extra` overflowed the fingerprint's stack: 500)", async () => {
  const nested = (depth: number, leaf: string) => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;
  const post = (url: string, payload: string, headers: Record<string, string> = {}) =>
    h.app.inject({ method: "POST", url, headers: { "x-api-key": fx.merchant.apiKey, "content-type": "application/json", ...headers }, payload });
  const upload = `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`;
  for (const [url, payload, headers] of [
    [upload, nested(100_000, '"a\\u0000"'), {}],
    ["/payment/trading/pay-in", `{"fiatAmount":6030,"extra":{"deep":${nested(10_000, "1")}}}`, {}],
    ["/payment/trading/pay-in", `{"fiatAmount":6030,"extra":{"deep":${nested(MAX_JSON_DEPTH, "1")}}}`, { "idempotency-key": "deep-over" }],
    ["/payment/intent", `{"deep":${nested(MAX_JSON_DEPTH, "1")}}`, {}],
  ] as const) {
    const r = await post(url, payload, headers);
    assert.equal(r.statusCode, 400, `${url}: ${r.body.slice(0, 300)}`);
    assert.equal(r.json().code ?? r.json().error, "validation_failed", r.body.slice(0, 300));
    assert.ok(r.body.length < 2000, `${r.body.length} characters`);
  }
  assert.match((await post("/payment/intent", `{"deep":${nested(MAX_JSON_DEPTH, "1")}}`)).body, /JSON nested deeper than 64 levels/);
  // At the limit the body is read: the trading create takes it, with an Idempotency-Key (its fingerprint walks it too).
  const at = await post("/payment/trading/pay-in", `{"fiatAmount":6030,"extra":{"deep":${nested(MAX_JSON_DEPTH - 2, "1")}}}`, { "idempotency-key": "deep-at-limit" });
  assert.equal(at.statusCode, 201, at.body.slice(0, 300));
  // And a NUL deep inside is still named by its path, cut after 32 keys (the NUL check once copied the path at every level and hung).
  const nul = await post(upload, nested(MAX_JSON_DEPTH, '"a\\u0000"'));
  assert.equal(nul.statusCode, 400, nul.body.slice(0, 300));
  assert.match(nul.body, /INVALID_0(_0){31}/, nul.body.slice(0, 300));
  assert.deepEqual(unhandled(), []);
});

test("a NUL character in a multipart text field is 400 naming the field", async () => {
  const r = await h.app.inject({
    method: "POST",
    url: `/cabinet/pay-ins/${payinId}/answer`,
    headers: { cookie: traderCookie, "content-type": "multipart/form-data; boundary=x" },
    payload: '--x\r\nContent-Disposition: form-data; name="csrf"\r\n\r\nab\u0000\r\n--x--\r\n',
  });
  assert.equal(r.statusCode, 400, r.body);
  assert.match(r.body, /csrf/);
});

const MALFORMED: { what: string; contentType: string; payload: string }[] = [
  { what: "no boundary", contentType: "multipart/form-data", payload: "garbage" },
  { what: "no parts", contentType: "multipart/form-data; boundary=x", payload: "garbage" },
  { what: "a part cut short", contentType: "multipart/form-data; boundary=x", payload: '--x\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n\x89PNG' },
];

test("a malformed multipart body is 400 malformed_multipart on every upload route, with no stack trace logged", async () => {
  const routes: { url: string; headers: Record<string, string> }[] = [
    { url: `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`, headers: { "x-api-key": fx.merchant.apiKey } },
    { url: `/trader/v1/pay-ins/${payinId}/receipt`, headers: { "x-trader-key": fx.traders[0]!.traderKey } },
    { url: `/pay/${payinId}/receipt`, headers: {} },
    { url: "/kyc/abcdefghijklmnopqrstuvwx", headers: {} },
    { url: "/cabinet/login", headers: {} },
    { url: `/cabinet/pay-ins/${payinId}/answer`, headers: { cookie: traderCookie } },
    { url: `/cabinet/requisites/${fx.requisiteIds[0]}/switch`, headers: { cookie: traderCookie } },
  ];
  for (const route of routes) {
    for (const m of MALFORMED) {
      const r = await h.app.inject({ method: "POST", url: route.url, headers: { ...route.headers, "content-type": m.contentType }, payload: m.payload });
      const where = `${route.url} (${m.what})`;
      assert.equal(r.statusCode, 400, `${where}: ${r.body.slice(0, 300)}`);
      assert.match(r.body, /malformed_multipart|multipart\/form-data body is malformed/, where);
    }
  }
  assert.deepEqual(unhandled(), []);
});

test("a second file is 400 on every upload route that takes one file (the body is not too large)", async () => {
  const png = '\x89PNG\r\n\x1a\n1234';
  const part = (name: string) => `--x\r\nContent-Disposition: form-data; name="${name}"; filename="${name}.png"\r\nContent-Type: image/png\r\n\r\n${png}\r\n`;
  const routes: { url: string; headers: Record<string, string> }[] = [
    { url: `/file/trading/pay-in/invoice/upload?tradeId=${payinId}`, headers: { "x-api-key": fx.merchant.apiKey } },
    { url: `/trader/v1/pay-ins/${payinId}/receipt`, headers: { "x-trader-key": fx.traders[0]!.traderKey } },
    { url: `/pay/${payinId}/receipt`, headers: {} },
  ];
  for (const route of routes) {
    const r = await h.app.inject({
      method: "POST",
      url: route.url,
      headers: { ...route.headers, "content-type": "multipart/form-data; boundary=x" },
      payload: `${part("file")}${part("file2")}--x--\r\n`,
    });
    assert.equal(r.statusCode, 400, `${route.url}: ${r.body.slice(0, 300)}`);
    // The trading dialect's envelope carries the code alone; the others say what to do.
    assert.match(r.body, route.url.startsWith("/file/trading/") ? /"code":"validation_failed"/ : /too many files/i, `${route.url}: ${r.body.slice(0, 300)}`);
  }
  assert.deepEqual(unhandled(), []);
});

test("an id filter that is not a UUID is 400 before it reaches a uuid column (found by the fuzz test)", async () => {
  const r = await jsonCall(h.app, "GET", "/admin/v1/webhooks/messages?merchantId=A00--AaA00--A00AA0a0-A0-a0A----Aa-aa", { "x-operator-key": operatorKey });
  assert.equal(r.status, 400, r.text);
  assert.equal(r.json.field, "merchantId");
});

test("adding a requisite to an unknown trader is 404, not a foreign-key 500", async () => {
  const r = await jsonCall(h.app, "POST", "/admin/v1/trading/traders/trd_nobody/requisites", { "x-operator-key": operatorKey }, {
    bank: "SBER",
    method: "card",
    ownerName: "Nobody",
    number: "2202200000009999",
  });
  assert.equal(r.status, 404, r.text);
  assert.equal(r.json.error, "not_found");
  assert.equal(r.json.field, "traderId");
});

test("an unpaired surrogate (JSON's \\ud800) in a body field or key is 400 naming the field; a real pair still passes (found by fuzzing)", async () => {
  const op = { "x-operator-key": operatorKey };
  const merchant = { "x-api-key": fx.merchant.apiKey };
  // JSON.stringify writes a lone surrogate as the escape \ud800, as a client's JSON would carry it.
  const method = await jsonCall(h.app, "PUT", "/admin/v1/trading/methods/card", op, { name: "Card", requisiteFields: [{ field: "number", label: "\ud800", pattern: "^x$" }] });
  assert.equal(method.status, 400, method.text);
  assert.equal(method.json.field, "requisiteFields.0.label");
  assert.match(method.json.message, /unpaired surrogate/);
  const key = await jsonCall(h.app, "PUT", "/admin/v1/trading/methods/card", op, { name: "Card", requisiteFields: [{ field: "number", label: "Number", pattern: "^x$", "\udc00": 1 }] });
  assert.equal(key.status, 400, key.text);
  const payin = await jsonCall(h.app, "POST", "/payment/trading/pay-in", merchant, { fiatAmount: 5100, extra: { externalTransactionId: "\ud800" } });
  assert.equal(payin.status, 400, payin.text);
  assert.match(payin.text, /INVALID_EXTRA_EXTERNAL_TRANSACTION_ID/);
  const pair = await jsonCall(h.app, "POST", "/payment/trading/pay-in", merchant, { fiatAmount: 5200, extra: { externalTransactionId: "tx-\ud83d\ude00" } });
  assert.equal(pair.status, 201, pair.text);
  assert.deepEqual(unhandled(), []);
});

test("a date before year 1 or after 9999, and a cursor that only looks valid, are 400 before any query (found by fuzzing)", async () => {
  const op = { "x-operator-key": operatorKey };
  const merchant = { "x-api-key": fx.merchant.apiKey };
  const cursor = (text: string) => Buffer.from(text).toString("base64url");
  const cases: { url: string; headers: Record<string, string> }[] = [
    // Filter dates: PostgreSQL has no year 0; JavaScript's Date has.
    { url: "/admin/v1/payments?from=0000-01-01", headers: op },
    { url: "/admin/v1/payments.csv?to=0000-01-01T00:00:00Z", headers: op },
    { url: "/merchant/v1/payments?to=0000-01-01", headers: merchant },
    { url: "/merchant/v1/payments.csv?from=0000-01-01", headers: merchant },
    { url: "/admin/v1/audit?from=0000-01-01", headers: op },
    { url: "/admin/v1/audit.csv?to=0000-01-01", headers: op },
    { url: "/merchant/v1/statement?asset=USDT&from=0000-01-01", headers: merchant },
    { url: "/payment/trading/pay-in?from=0000-01-01T00:00:00Z", headers: merchant },
    { url: "/payment/intent?to=0000-01-01T00:00:00Z", headers: merchant },
    { url: "/admin/v1/risk/decisions?before=0000-01-01T00:00:00Z", headers: op },
    // Cursors: a 36-character "uuid" of zeros, a year JavaScript holds and PostgreSQL does not, a 30
    // February, a NUL inside an id, and a year-0 statement position.
    { url: `/payment/trading/pay-in?cursor=${cursor(`2026-01-01T00:00:00.000Z|${"0".repeat(36)}`)}`, headers: merchant },
    { url: `/payment/trading/pay-in?cursor=${cursor("-271821-04-20T00:00:00.000Z|00000000-0000-0000-0000-000000000000")}`, headers: merchant },
    { url: `/admin/v1/payments?cursor=${cursor('["2026-02-30T00:00:00.000000Z","trading","00000000-0000-0000-0000-000000000000"]')}`, headers: op },
    { url: `/merchant/v1/payments?cursor=${cursor('["2026-01-01T00:00:00.000000Z","intent","a\\u0000b"]')}`, headers: merchant },
    { url: `/merchant/v1/statement?asset=USDT&cursor=${cursor('["0000-01-01T00:00:00.000000Z","1",1,"0000-01-01T00:00:00.000Z"]')}`, headers: merchant },
  ];
  for (const c of cases) {
    const r = await h.app.inject({ method: "GET", url: c.url, headers: c.headers });
    assert.equal(r.statusCode, 400, `${c.url}: ${r.body.slice(0, 300)}`);
  }
  // The first and last days the filters take are still answered.
  for (const url of ["/admin/v1/payments?from=0001-01-01&to=9999-12-31", "/payment/trading/pay-in?from=0001-01-01T00:00:00Z"]) {
    const r = await h.app.inject({ method: "GET", url, headers: url.startsWith("/admin") ? op : merchant });
    assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 300)}`);
  }
  assert.deepEqual(unhandled(), []);
});

test("a sandbox bank transfer larger than the database's int8 is 400 amount_above_maximum (found by fuzzing)", async () => {
  for (const amount of ["99999999999999999999999999999999", 1e21]) {
    const r = await jsonCall(h.app, "POST", "/sandbox/bank-transfers", { "x-operator-key": operatorKey }, { reference: "RMP4F2A9C01D7E3", amount, currency: "EUR" });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.error, "amount_above_maximum");
    assert.equal(r.json.field, "amount");
  }
  assert.deepEqual(unhandled(), []);
});
