// Importing bank statements (app/bank-statements/import-statement.ts) on the real database: credits
// reach the one inbound path and pay intents by the reference in their remittance (exact or
// tolerant) and trading pay-ins by requisite and amount; a second import of the same file changes
// nothing; what matches nothing lands in the unmatched queue with the payer's name and IBAN; a file
// with unreadable lines, or one that fails half way, writes nothing.
import assert from "node:assert/strict";
import fs from "node:fs";
import { after, before, test } from "node:test";
import { importBankStatement } from "../../src/app/bank-statements/import-statement.js";
import { unmatchedTransfers } from "../../src/app/bank-transfers/transfer-queues.js";
import { AppError } from "../../src/core/shared/errors.js";
import { createMerchant, type MerchantFixture } from "../support/factories.js";
import { createHarness, type Harness } from "../support/harness.js";
import { jsonCall } from "../support/json-call.js";
import { INTENT_RATES_ENV, configureStore, intentBody, kycFields } from "../support/intents.js";
import { camt053 } from "../support/statements.js";
import { setupTrading, type TradingFixture, verifyLedgerClean } from "../support/trading.js";

const ACCOUNT = "ES9121000418450200051332";
let h: Harness;
let M: MerchantFixture;
let fx: TradingFixture;
let failReportWrite = false;

before(async () => {
  h = await createHarness({
    env: { ...INTENT_RATES_ENV, RAMPART_FIXED_RATES: `${INTENT_RATES_ENV.RAMPART_FIXED_RATES},RUB/USDT=99.12` },
    // Makes the import fail after its entries were received: the report's id is the last thing drawn.
    tweak: (deps) => {
      const prefixed = deps.ids.prefixed.bind(deps.ids);
      deps.ids.prefixed = (p: string) => {
        if (p === "bsi" && failReportWrite) throw new Error("simulated failure after the entries");
        return prefixed(p);
      };
    },
  });
  M = await createMerchant(h.deps);
  await configureStore(h, M.storeId);
  fx = await setupTrading(h.deps);
});
after(async () => {
  await h?.close();
});

async function readyIntent(): Promise<{ id: string; reference: string; amount: string }> {
  const r = await jsonCall(h.app, "POST", "/payment/intent", { "x-api-key": M.apiKey }, intentBody(M.storeId, kycFields()));
  assert.equal(r.status, 201, r.text);
  const ins = await jsonCall(h.app, "GET", `/payment/intent/${r.json.paymentIntentId}/instructions`, { "x-api-key": M.apiKey });
  assert.equal(ins.status, 200, ins.text);
  return { id: r.json.paymentIntentId, reference: ins.json.bankTransfer.reference, amount: Number(ins.json.fiatAmount).toFixed(2) };
}

const statusOf = async (id: string) => (await jsonCall(h.app, "GET", `/payment/intent/${id}/status`, { "x-api-key": M.apiKey })).json.status as number;
const transferCount = async () => Number((await h.deps.database.db.selectFrom("bank_transfers").select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow()).n);
const run = (file: Buffer, over: Partial<Parameters<typeof importBankStatement>[1]> = {}) =>
  importBankStatement(h.deps, { file, fileName: "statement.xml", account: null, csvMapping: undefined, skipRejected: false, source: "cli", ...over });

let seq = 0;
const ref = () => `BNK-${Date.now()}-${++seq}`;

test("a camt.053 pays intents by exact and tolerant reference; the same file again changes nothing", async () => {
  const exact = await readyIntent();
  const tolerant = await readyIntent();
  const spaced = `Ref: ${tolerant.reference.toLowerCase().replace(/(.{4})/g, "$1 ")} thanks`;
  const file = camt053(ACCOUNT, [
    { ref: ref(), amount: exact.amount, remittance: exact.reference, payerName: "Ana Garcia", payerIban: "DE02120300000000202051" },
    { ref: ref(), amount: tolerant.amount, remittance: spaced },
    { ref: ref(), amount: "42.00", remittance: "Invoice 77", payerName: "Unknown Payer SL", payerIban: "ES7921000813610123456789" },
    { ref: ref(), amount: "5.00", direction: "DBIT", remittance: "Bank fee" },
    { ref: ref(), amount: "9.00", status: "PDNG", remittance: exact.reference },
  ]);
  const before = await transferCount();
  const first = await run(file);
  assert.deepEqual(
    [first.format, first.account, first.entriesRead, first.matched, first.duplicates, first.unmatched, first.ignored, first.rejected],
    ["camt.053", ACCOUNT, 5, 2, 0, 1, 2, 0],
  );
  assert.equal(await statusOf(exact.id), 5);
  assert.equal(await statusOf(tolerant.id), 5);
  assert.deepEqual(first.lines.map((l) => [l.outcome, l.intentId]), [["matched", exact.id], ["matched", tolerant.id], ["unmatched", null], ["ignored", null], ["ignored", null]]);
  assert.equal(first.lines[1]!.reference, tolerant.reference, "the tolerant match names the reference it found");
  assert.match(first.lines[3]!.reason!, /debit/);
  assert.match(first.lines[4]!.reason!, /not booked/);
  assert.equal(await transferCount(), before + 3);

  const queue = await unmatchedTransfers(h.deps);
  const left = queue.find((t) => t.id === first.lines[2]!.transferId);
  assert.ok(left, "the unmatched credit is in the operator's queue");
  assert.deepEqual([left.payer_name, left.payer_iban, left.reference, left.amount_minor, left.feed], ["Unknown Payer SL", "ES7921000813610123456789", "Invoice 77", "4200", "statement:camt.053"]);

  const second = await run(file);
  assert.notEqual(second.importId, first.importId);
  assert.deepEqual([second.matched, second.duplicates, second.unmatched, second.ignored], [0, 3, 0, 2]);
  assert.deepEqual(second.lines.slice(0, 3).map((l) => l.transferId), first.lines.slice(0, 3).map((l) => l.transferId));
  assert.equal(await transferCount(), before + 3);
  assert.equal(await statusOf(exact.id), 5);
  await verifyLedgerClean(h.deps);
});

test("a trader's requisite: named by id, a credit pays the active pay-in of that amount", async () => {
  const p = await jsonCall(h.app, "POST", "/payment/trading/pay-in", { "x-api-key": fx.merchant.apiKey }, { fiatAmount: 7100 });
  assert.equal(p.status, 201, p.text);
  const report = await run(camt053("RU0204452560040702810412345678901", [{ ref: ref(), amount: "7100.00", currency: "RUB", payerName: "Ivan Petrov" }]), {
    account: fx.requisiteIds[0]!,
  });
  assert.equal(report.requisiteId, fx.requisiteIds[0]);
  assert.deepEqual([report.lines[0]!.outcome, report.lines[0]!.tradingPayinId], ["matched", p.json.id]);
  const read = await jsonCall(h.app, "GET", `/payment/trading/${p.json.id}`, { "x-api-key": fx.merchant.apiKey });
  assert.equal(read.json.status, "closed");
  await verifyLedgerClean(h.deps);
});

test("a statement whose account is a requisite's number is matched as that requisite's", async () => {
  const number = (await h.deps.database.db.selectFrom("trading_requisites").select("number").where("id", "=", fx.requisiteIds[0]!).executeTakeFirstOrThrow()).number!;
  const report = await run(camt053(number, [{ ref: ref(), amount: "1.00", currency: "RUB" }]));
  assert.equal(report.requisiteId, fx.requisiteIds[0]);
  assert.equal(report.lines[0]!.outcome, "unmatched", "no pay-in asks for 1 RUB");
});

test("unreadable lines refuse the whole file unless skipped; a failure half way writes nothing", async () => {
  const intent = await readyIntent();
  const entries = [
    { ref: ref(), amount: intent.amount, remittance: intent.reference },
    { ref: ref(), amount: "10.00", currency: "XYZ" },
  ];
  const file = camt053(ACCOUNT, entries);
  const before = await transferCount();
  await assert.rejects(run(file), (err: AppError) => {
    assert.equal(err.code, "statement_rejected_lines");
    assert.deepEqual(err.details?.rejected, [{ line: 2, reason: 'entry 2: unknown currency "XYZ"' }]);
    return true;
  });
  assert.equal(await statusOf(intent.id), 4);

  failReportWrite = true;
  await assert.rejects(run(file, { skipRejected: true }), /simulated failure/);
  failReportWrite = false;
  assert.equal(await statusOf(intent.id), 4, "the intent was paid inside the import's transaction, which rolled back");
  assert.equal(await transferCount(), before);

  const report = await run(file, { skipRejected: true });
  assert.deepEqual([report.matched, report.rejected], [1, 1]);
  assert.deepEqual(report.lines[1], { ...report.lines[1]!, outcome: "rejected", line: 2, reason: 'entry 2: unknown currency "XYZ"' });
  assert.equal(await statusOf(intent.id), 5);
  await verifyLedgerClean(h.deps);
});

test("the account given must be the file's; a file naming no account needs one", async () => {
  await assert.rejects(run(camt053(ACCOUNT, [{ ref: ref(), amount: "1.00" }]), { account: "DE89 3704 0044 0532 0130 00" }), (err: AppError) => {
    assert.equal(err.code, "validation_failed");
    assert.equal(err.field, "account");
    return true;
  });
  const csv = Buffer.from("Date,Ref,Amount\n2026-12-01,C-1,12.50\n");
  await assert.rejects(run(csv), (err: AppError) => err.code === "csv_mapping_required");
  const mapping = { columns: { bankRef: "Ref", bookingDate: "Date", amount: "Amount" }, currency: "EUR" };
  const first = await run(csv, { account: "ops-account-1", csvMapping: mapping });
  assert.deepEqual([first.format, first.account, first.unmatched], ["csv", "OPS-ACCOUNT-1", 1]);
  const again = await run(csv, { account: "ops-account-1" });
  assert.equal(again.duplicates, 1, "the mapping was saved for the account");
});

test("MT940 and camt.054 files go through the same import: matched by reference, deduplicated on a second import", async () => {
  const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/bank-statements/${name}`, import.meta.url), "utf8");
  const intent = await readyIntent();
  // The fixture's first credit carries "Payment RMP0A1B2C3D4E5F", split over two :86: sub-fields as banks
  // wrap it; its 150.00 is not the intent's amount, so the intent is paid back (5 → 12) like any wrong amount.
  assert.equal(intent.reference.length, 15, intent.reference);
  const mt940 = Buffer.from(fixture("statement.mt940").replace("RMP0A1B2C", intent.reference.slice(0, 9)).replace("?223D4E5F", `?22${intent.reference.slice(9)}`));
  const first = await run(mt940, { fileName: "statement.mt940" });
  assert.deepEqual([first.format, first.entriesRead, first.matched, first.unmatched, first.ignored], ["mt940", 4, 1, 1, 2]);
  const line = first.lines.find((l) => l.intentId === intent.id);
  assert.deepEqual([line?.outcome, line?.transferOutcome], ["matched", "refunded"]);
  assert.equal(await statusOf(intent.id), 12);
  const again = await run(mt940, { fileName: "statement.mt940" });
  assert.deepEqual([again.matched, again.unmatched, again.duplicates], [0, 0, 2]);

  const camt054 = Buffer.from(fixture("camt054-v08.xml"));
  const notification = await run(camt054, { fileName: "camt054.xml" });
  assert.deepEqual([notification.format, notification.entriesRead, notification.unmatched, notification.ignored], ["camt.054", 2, 1, 1], "the pending entry is ignored");
  assert.equal((await run(camt054, { fileName: "camt054.xml" })).duplicates, 1);
  await verifyLedgerClean(h.deps);
});
