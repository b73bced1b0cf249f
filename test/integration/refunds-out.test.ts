// Refunds out (app/bank-statements/refund-export.ts): a transfer Rampart books back to its payer
// becomes a refund order to the payer's IBAN from the statement; the operator exports pending orders
// as a pain.001.001.03 file (CLI and POST /admin/v1/refund-exports share the use case), an order
// without an IBAN waits with its reason, and a later statement's debit with the order's end-to-end id
// closes it (importing that statement again changes nothing). The file is checked against the
// published pain.001.001.03 XSD with xmllint.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { XMLParser } from "fast-xml-parser";
import { importBankStatement } from "../../src/app/bank-statements/import-statement.js";
import { createOperatorKey } from "../../src/app/keys/create-keys.js";
import { sandboxTransfer } from "../support/bank-feed.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, intentBody, kycFields } from "../support/intents.js";
import { camt053 } from "../support/statements.js";
import { verifyLedgerClean } from "../support/trading.js";
import { PAIN001_XSD, validateXml } from "../support/xml-schema.js";

const ACCOUNT = "ES9121000418450200051332";
let h: Harness;
let M: MerchantFixture;
let op: string;

before(async () => {
  h = await createHarness({ env: INTENT_RATES_ENV });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  op = await createOperatorKey(h.deps, "test");
});
after(async () => {
  await h?.close();
});

async function readyIntent(): Promise<{ id: string; reference: string; amount: number }> {
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, kycFields()));
  assert.equal(r.status, 201, r.text);
  const ins = await jsonCall(h.app, "GET", `/payment/intent/${r.json.paymentIntentId}/instructions`, { "x-api-key": M.apiKey });
  return { id: r.json.paymentIntentId, reference: ins.json.bankTransfer.reference, amount: Number(ins.json.fiatAmount) };
}
const statusOf = async (id: string) => (await jsonCall(h.app, "GET", `/payment/intent/${id}/status`, { "x-api-key": M.apiKey })).json.status as number;
const run = (file: Buffer) => importBankStatement(h.deps, { file, fileName: null, account: null, csvMapping: undefined, skipRejected: false, source: "cli" });
const orderOf = (id: string) => h.deps.database.db.selectFrom("refund_orders").selectAll().where("id", "=", id).executeTakeFirstOrThrow();

test("a wrong amount is refunded through a pain.001 export and closed by the next statement's debit", async () => {
  const paidWrong = await readyIntent();
  const wrong = (paidWrong.amount + 1.5).toFixed(2);
  const credit = await run(camt053(ACCOUNT, [{ ref: `RF-${paidWrong.id}`, amount: wrong, remittance: paidWrong.reference, payerName: "Ana García & Hijos", payerIban: "ES7921000813610123456789" }]));
  assert.equal(credit.lines[0]!.transferOutcome, "refunded");
  assert.equal(await statusOf(paidWrong.id), 12);

  // A refund whose payer's IBAN nobody knows (the sandbox feed sends none): it waits.
  const noIban = await readyIntent();
  const fed = await sandboxTransfer(h.app, { apiKey: M.apiKey }, { reference: noIban.reference, amount: noIban.amount + 2, currency: "EUR" });
  assert.equal(fed.json.outcome, "refunded", fed.text);

  const r = await jsonCall(h.app, "POST", "/admin/v1/refund-exports", { "x-operator-key": op });
  assert.equal(r.status, 201, r.text);
  const { exportId, exported, waiting, pain001 } = r.json as { exportId: string; exported: { id: string; amount: string; creditorIban: string }[]; waiting: { reason: string }[]; pain001: string };
  assert.equal(exported.length, 1);
  assert.deepEqual([exported[0]!.amount, exported[0]!.creditorIban], [wrong, "ES7921000813610123456789"]);
  assert.equal(waiting.length, 1);
  assert.match(waiting[0]!.reason, /IBAN is unknown/);
  const orderId = exported[0]!.id;
  assert.ok(orderId.length <= 35, "an EndToEndId is at most 35 characters");

  const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(pain001);
  assert.equal(doc.Document["@_xmlns"], "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03");
  const init = doc.Document.CstmrCdtTrfInitn;
  assert.deepEqual([init.GrpHdr.MsgId, init.GrpHdr.NbOfTxs, init.GrpHdr.CtrlSum], [exportId, "1", wrong]);
  assert.deepEqual(Object.keys(init.PmtInf), ["PmtInfId", "PmtMtd", "BtchBookg", "NbOfTxs", "CtrlSum", "PmtTpInf", "ReqdExctnDt", "Dbtr", "DbtrAcct", "DbtrAgt", "ChrgBr", "CdtTrfTxInf"], "schema order");
  assert.equal(init.PmtInf.DbtrAcct.Id.IBAN, "ES9121000418450200051332");
  const tx = init.PmtInf.CdtTrfTxInf;
  assert.deepEqual([tx.PmtId.EndToEndId, tx.Amt.InstdAmt["#text"], tx.Amt.InstdAmt["@_Ccy"], tx.Cdtr.Nm, tx.CdtrAcct.Id.IBAN], [orderId, wrong, "EUR", "Ana García & Hijos", "ES7921000813610123456789"]);
  assert.match(pain001, /Ana García &amp; Hijos/, "values are escaped");
  const valid = await validateXml(pain001, PAIN001_XSD);
  assert.ok(valid.ok, `the export validates against the ISO 20022 pain.001.001.03 schema: ${valid.output}`);

  const file = await h.app.inject({ method: "GET", url: `/admin/v1/refund-exports/${exportId}`, headers: { "x-operator-key": op } });
  assert.equal(file.statusCode, 200);
  assert.match(String(file.headers["content-type"]), /application\/xml/);
  assert.equal(file.body, pain001);
  const again = await jsonCall(h.app, "POST", "/admin/v1/refund-exports", { "x-operator-key": op });
  assert.deepEqual([again.json.exportId, again.json.exported.length, again.json.waiting.length], [null, 0, 1], "an exported order is never exported twice");
  assert.equal((await orderOf(orderId)).status, "exported");

  const debit = camt053(ACCOUNT, [{ ref: `OUT-${orderId}`, amount: wrong, direction: "DBIT", endToEndId: orderId, payerName: "Ana García & Hijos", payerIban: "ES7921000813610123456789" }]);
  const closing = await run(debit);
  assert.deepEqual([closing.lines[0]!.outcome, closing.lines[0]!.refundOrderId], ["matched", orderId]);
  const closed = await orderOf(orderId);
  assert.deepEqual([closed.status, closed.statement_import_id], ["closed", closing.importId]);
  const twice = await run(debit);
  assert.deepEqual([twice.lines[0]!.outcome, (await orderOf(orderId)).statement_import_id], ["duplicate", closing.importId]);
  await verifyLedgerClean(h.deps);
});
