// The pay page's receipt upload (POST /pay/:id/receipt) opens a dispute, and the page has no login:
// anyone holding a pay-in's link can post to it. A dispute the pay-in refuses (closed, or the payer's
// disputes used up) must leave nothing behind: no receipt row and no file (found by fuzzing: every
// refused upload stored up to 10 MB until the retention job came). One the pay-in takes stores the
// receipt once, under the key the dispute names.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { signInTrader, traderCsrfToken } from "../../src/app/trading/trader-session.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { RECEIPT_PNG, setupTrading, type TradingFixture, uploadPngReceipt, useFixedRate } from "../support/trading.js";

let h: Harness;
let fx: TradingFixture;

before(async () => {
  h = await createHarness({ tweak: (deps) => useFixedRate(deps, "99.12") });
  fx = await setupTrading(h.deps);
});
after(async () => h.close());

let amount = 5000;
async function payin(): Promise<{ id: string; requisiteId: string; fiatAmount: number }> {
  const fiatAmount = amount++;
  const p = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount });
  assert.equal(p.status, 201, p.text);
  return { id: p.json.id, requisiteId: p.json.requisite.id, fiatAmount };
}

function postReceipt(payinId: string, file: Buffer, fiatAmount = "5000") {
  return h.app.inject({
    method: "POST",
    url: `/pay/${payinId}/receipt`,
    headers: { accept: "application/json", "content-type": "multipart/form-data; boundary=x" },
    payload: Buffer.concat([
      Buffer.from(`--x\r\nContent-Disposition: form-data; name="fiatAmount"\r\n\r\n${fiatAmount}\r\n--x\r\nContent-Disposition: form-data; name="file"; filename="r.png"\r\nContent-Type: image/png\r\n\r\n`),
      file,
      Buffer.from("\r\n--x--\r\n"),
    ]),
  });
}

const receiptRows = (payinId: string) => h.deps.database.db.selectFrom("trading_receipts").select(["invoice_key", "storage_key"]).where("payin_id", "=", payinId).execute();
/** The receipts on disk: each a file and its .meta.json (adapters/storage/local-disk-storage.ts). */
const storedFiles = () => {
  const dir = path.join(h.deps.config.dataDir, "files", "trading", "receipts");
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => !f.endsWith(".meta.json")).sort() : [];
};

test("a receipt for a closed pay-in is 409 naming its status and stores nothing", async () => {
  const p = await payin();
  const paid = await jsonCall(h.app, "POST", "/sandbox/bank-transfers", { "x-api-key": fx.merchant.apiKey }, { requisiteId: p.requisiteId, amount: p.fiatAmount });
  assert.equal(paid.status, 200, paid.text);
  assert.equal(paid.json.outcome, "paid");
  const files = storedFiles();
  for (let i = 0; i < 3; i++) {
    const r = await postReceipt(p.id, Buffer.concat([RECEIPT_PNG, Buffer.from(`attempt ${i}`)]));
    assert.equal(r.statusCode, 409, r.body);
    assert.deepEqual([r.json().error, r.json().currentStatus], ["illegal_transition", "closed"]);
  }
  assert.deepEqual(await receiptRows(p.id), []);
  assert.deepEqual(storedFiles(), files, "no file was written");
});

test("a receipt the pay-in takes opens its dispute and is stored once, under the key the dispute names", async () => {
  const p = await payin();
  const files = storedFiles();
  const r = await postReceipt(p.id, RECEIPT_PNG);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().status, "dispute");
  const rows = await receiptRows(p.id);
  assert.equal(rows.length, 1);
  const read = await jsonCall(h.app, "GET", `/payment/trading/${p.id}`, { "x-api-key": fx.merchant.apiKey });
  assert.equal(read.json.status, "dispute");
  const stored = await h.deps.database.db.selectFrom("trading_payins").select("dispute_merchant_invoice_key").where("id", "=", p.id).executeTakeFirstOrThrow();
  assert.equal(stored.dispute_merchant_invoice_key, rows[0]!.invoice_key);
  assert.deepEqual((await h.deps.ports.files.get(rows[0]!.storage_key))?.data, RECEIPT_PNG);
  assert.deepEqual(storedFiles(), [...files, rows[0]!.invoice_key].sort());
});

test("a claimed amount the ledger cannot hold at the pay-in's rate is 400 amount_above_maximum and stores nothing", async () => {
  const p = await payin();
  const files = storedFiles();
  const r = await postReceipt(p.id, RECEIPT_PNG, "999999999999999.99");
  assert.equal(r.statusCode, 400, r.body);
  assert.equal(r.json().error, "amount_above_maximum");
  assert.deepEqual(await receiptRows(p.id), []);
  assert.deepEqual(storedFiles(), files, "no file was written");
});

/** The API key of the trader the pay-in went to. */
async function traderKeyOf(payinId: string): Promise<string> {
  const row = await h.deps.database.db.selectFrom("trading_payins").select("trader_id").where("id", "=", payinId).executeTakeFirstOrThrow();
  return fx.traders.find((t) => t.traderId === row.trader_id)!.traderKey;
}

/** The trader cabinet's answer form (multipart, as the page sends it), signed in as the pay-in's trader. */
async function cabinetAnswer(payinId: string, file: Buffer) {
  const { token } = await signInTrader(h.deps, await traderKeyOf(payinId));
  const field = (name: string, value: string) => `--x\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  return h.app.inject({
    method: "POST",
    url: `/cabinet/pay-ins/${payinId}/answer`,
    headers: { cookie: `rampart_trader=${token}`, "content-type": "multipart/form-data; boundary=x" },
    payload: Buffer.concat([
      Buffer.from(`${field("csrf", traderCsrfToken(h.deps, token))}${field("fiatAmount", "5 000,00")}--x\r\nContent-Disposition: form-data; name="file"; filename="r.png"\r\nContent-Type: image/png\r\n\r\n`),
      file,
      Buffer.from("\r\n--x--\r\n"),
    ]),
  });
}

test("a cabinet answer the pay-in refuses (not in review) stores no receipt; the trader's answer takes only its own receipt and a priceable amount; one taken stores the trader's receipt once", async () => {
  const p = await payin();
  const files = storedFiles();
  const early = await cabinetAnswer(p.id, RECEIPT_PNG);
  assert.equal(early.statusCode, 303);
  assert.equal(new URL(String(early.headers.location), "http://x").searchParams.get("error"), "illegal_transition");
  assert.deepEqual(await receiptRows(p.id), []);
  assert.deepEqual(storedFiles(), files, "no file was written");

  const invoiceKey = await uploadPngReceipt(h.app, fx.merchant.apiKey, p.id);
  assert.equal((await jsonCall(h.app, "POST", `/payment/trading/pay-in/${p.id}/dispute`, { "x-api-key": fx.merchant.apiKey }, { invoiceKey, fiatAmount: p.fiatAmount })).status, 200);
  const traderKey = await traderKeyOf(p.id);
  assert.equal((await jsonCall(h.app, "POST", `/trader/v1/pay-ins/${p.id}/review`, { "x-trader-key": traderKey })).json.status, "checking");
  // The merchant's receipt is not the trader's evidence.
  const borrowed = await jsonCall(h.app, "POST", `/trader/v1/pay-ins/${p.id}/answer`, { "x-trader-key": traderKey }, { fiatAmount: "5000.00", invoiceKey });
  assert.deepEqual([borrowed.status, borrowed.json.error], [400, "invalid_invoice_key"]);
  const huge = await jsonCall(h.app, "POST", `/trader/v1/pay-ins/${p.id}/answer`, { "x-trader-key": traderKey }, { fiatAmount: "999999999999999.99" });
  assert.deepEqual([huge.status, huge.json.error], [400, "amount_above_maximum"]);
  const taken = await cabinetAnswer(p.id, RECEIPT_PNG);
  assert.equal(new URL(String(taken.headers.location), "http://x").searchParams.get("ok"), "answered");
  const rows = await h.deps.database.db.selectFrom("trading_receipts").select("uploaded_by").where("payin_id", "=", p.id).orderBy("created_at").execute();
  assert.deepEqual(rows.map((r) => r.uploaded_by), ["merchant", "trader"]);
});
