// POST /admin/v1/bank-statements and GET /admin/v1/bank-statements/{id} through real HTTP (inject), in
// live mode with manual KYC, fixed rates and manual chain: the way a live intent reaches status 5. An
// intent approved by the operator (3 → 4) is paid by an uploaded camt.053 carrying its reference; the
// same upload again changes nothing; hostile uploads answer 4xx with stable codes and write nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness, TEST_SECRET_KEY } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { configureStore, drain, intentBody, kycFields } from "../support/intents.js";
import { camt053 } from "../support/statements.js";
import { verifyLedgerClean } from "../support/trading.js";

const LIVE = {
  RAMPART_MODE: "live",
  RAMPART_SECRET_KEY: TEST_SECRET_KEY,
  RAMPART_RATES: "fixed",
  RAMPART_FIXED_RATES: "EUR/USDT=0.92",
  RAMPART_KYC: "manual",
  RAMPART_CHAIN: "manual",
  RAMPART_CARD_ACQUIRER: "none",
  RAMPART_STATEMENT_MAX_BYTES: String(64 * 1024),
};
const ACCOUNT = "ES9121000418450200051332";
let h: Harness;
let M: MerchantFixture;
let op: string;

before(async () => {
  h = await createHarness({ env: LIVE });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  op = await createOperatorKey(h.deps, "test");
});
after(async () => {
  await h?.close();
});

interface Part {
  name: string;
  value: string | Buffer;
  filename?: string;
}

function upload(parts: Part[], key = op) {
  const boundary = "----rampart-statement";
  const chunks = parts.flatMap((p) => [
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ""}\r\n${p.filename ? "Content-Type: application/xml\r\n" : ""}\r\n`),
    Buffer.isBuffer(p.value) ? p.value : Buffer.from(p.value),
    Buffer.from("\r\n"),
  ]);
  return h.app.inject({
    method: "POST",
    url: "/admin/v1/bank-statements",
    headers: { "x-operator-key": key, "content-type": `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]),
  });
}
const file = (value: Buffer | string): Part => ({ name: "file", value, filename: "statement.xml" });
const statusOf = async (id: string) => (await jsonCall(h.app, "GET", `/payment/intent/${id}/status`, { "x-api-key": M.apiKey })).json.status as number;
const transferCount = async () => Number((await h.deps.database.db.selectFrom("bank_transfers").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);

/** A live intent: its KYC waits for the operator (3), who approves it (4). */
async function approvedIntent(): Promise<{ id: string; reference: string; amount: string }> {
  const body = intentBody(M.storeId, kycFields());
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, body);
  assert.equal(r.status, 201, r.text);
  const id = r.json.paymentIntentId as string;
  await drain(h);
  assert.equal(await statusOf(id), 3, "KYC submitted, waiting for the operator");
  const queue = await jsonCall(h.app, "GET", "/admin/v1/kyc/reviews", { "x-operator-key": op });
  const kase = (queue.json.items as { id: string; email: string }[]).find((c) => c.email === body.email);
  assert.ok(kase, queue.text);
  const ok = await jsonCall(h.app, "POST", `/admin/v1/kyc/cases/${kase.id}/approve`, { "x-operator-key": op });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(await statusOf(id), 4);
  const ins = await jsonCall(h.app, "GET", `/payment/intent/${id}/instructions`, { "x-api-key": M.apiKey });
  return { id, reference: ins.json.bankTransfer.reference, amount: Number(ins.json.fiatAmount).toFixed(2) };
}

test("live mode: an approved intent (4) is paid by an uploaded camt.053 (5); the same upload again changes nothing", async () => {
  const sandboxFeed = await jsonCall(h.app, "POST", "/sandbox/bank-transfers", { "x-operator-key": op }, { reference: "RMP000000000000", amount: 1, currency: "EUR" });
  assert.equal(sandboxFeed.status, 403, "live mode's sandbox feed is for test keys only: statements are the way in");
  assert.equal(sandboxFeed.json.error, "test_mode_only");
  const intent = await approvedIntent();
  const statement = camt053(ACCOUNT, [
    { ref: `LIVE-${intent.id}`, amount: intent.amount, remittance: `Order ${intent.reference}`, payerName: "Ana Garcia", payerIban: "ES7921000813610123456789" },
    { ref: `LIVE-${intent.id}-x`, amount: "3.00", remittance: "who knows", payerName: "Stranger", payerIban: "DE02120300000000202051" },
  ]);
  const r = await upload([file(statement)]);
  assert.equal(r.statusCode, 201, r.body);
  const report = r.json();
  assert.deepEqual([report.format, report.account, report.source, report.matched, report.unmatched, report.duplicates], ["camt.053", ACCOUNT, "api", 1, 1, 0]);
  assert.equal(report.lines[0].intentId, intent.id);
  assert.deepEqual([report.lines[1].payerName, report.lines[1].payerIban], ["Stranger", "DE02120300000000202051"]);
  assert.equal(await statusOf(intent.id), 5);

  const unmatched = await jsonCall(h.app, "GET", "/admin/v1/trading/bank-transfers/unmatched", { "x-operator-key": op });
  assert.equal(unmatched.status, 200, unmatched.text);
  const left = (unmatched.json.items as { id: string; payerName: string; payerIban: string; feed: string }[]).find((t) => t.id === report.lines[1].transferId);
  assert.deepEqual([left?.payerName, left?.payerIban, left?.feed], ["Stranger", "DE02120300000000202051", "statement:camt.053"], "the operator's unmatched queue shows the statement's payer");

  const transfers = await transferCount();
  const again = await upload([file(statement)]);
  assert.equal(again.statusCode, 201, again.body);
  assert.deepEqual([again.json().matched, again.json().duplicates, again.json().unmatched], [0, 2, 0]);
  assert.equal(await transferCount(), transfers);
  assert.equal(await statusOf(intent.id), 5);

  const read = await jsonCall(h.app, "GET", `/admin/v1/bank-statements/${report.importId}`, { "x-operator-key": op });
  assert.equal(read.status, 200, read.text);
  assert.deepEqual(read.json, report);
  assert.equal((await jsonCall(h.app, "GET", "/admin/v1/bank-statements/bsi_nothing", { "x-operator-key": op })).status, 404);
  await verifyLedgerClean(h.deps);
});

test("hostile uploads: 4xx with stable codes, nothing written", async () => {
  const intent = await approvedIntent();
  const good = camt053(ACCOUNT, [{ ref: `H-${intent.id}`, amount: intent.amount, remittance: intent.reference }]);
  const transfers = await transferCount();
  const laughs = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Document>&b;</Document>`;
  const cases: [string, Part[], number, string][] = [
    ["no key", [file(good)], 401, "unauthorized"],
    ["no file", [{ name: "account", value: ACCOUNT }], 400, "validation_failed"],
    ["truncated XML", [file(good.subarray(0, good.length - 40))], 422, "statement_unreadable"],
    ["billion laughs", [file(laughs)], 422, "statement_unreadable"],
    ["wrong format", [file("%PDF-1.7 not a statement")], 422, "csv_mapping_required"],
    ["over the limit", [file(Buffer.alloc(64 * 1024 + 1, 0x20))], 413, "statement_too_large"],
    ["another account", [file(good), { name: "account", value: "DE89370400440532013000" }], 400, "validation_failed"],
    ["bad mapping JSON", [file("a,b\n1,2\n"), { name: "account", value: "X1" }, { name: "mapping", value: "{nope" }], 400, "validation_failed"],
    ["bad skipRejected", [file(good), { name: "skipRejected", value: "yes" }], 400, "validation_failed"],
  ];
  for (const [what, parts, status, code] of cases) {
    const r = await upload(parts, what === "no key" ? "wrong" : op);
    assert.equal(r.statusCode, status, `${what}: ${r.body}`);
    assert.equal(r.json().error, code, what);
  }
  const rejected = await upload([file(camt053(ACCOUNT, [{ ref: `H2-${intent.id}`, amount: intent.amount, remittance: intent.reference }, { ref: "H-XYZ", amount: "1.00", currency: "XYZ" }]))]);
  assert.equal(rejected.statusCode, 422, rejected.body);
  assert.equal(rejected.json().error, "statement_rejected_lines");
  assert.deepEqual(rejected.json().rejected, [{ line: 2, reason: 'entry 2: unknown currency "XYZ"' }]);
  assert.equal(await transferCount(), transfers);
  assert.equal(await statusOf(intent.id), 4);

  const skipped = await upload([file(camt053(ACCOUNT, [{ ref: `H3-${intent.id}`, amount: intent.amount, remittance: intent.reference }, { ref: "H-XYZ", amount: "1.00", currency: "XYZ" }])), { name: "skipRejected", value: "true" }]);
  assert.equal(skipped.statusCode, 201, skipped.body);
  assert.deepEqual([skipped.json().matched, skipped.json().rejected], [1, 1]);
  assert.equal(await statusOf(intent.id), 5);
});
