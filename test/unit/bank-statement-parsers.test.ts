// The statement readers on real-shaped files (test/fixtures/bank-statements, written from the ISO 20022
// and SWIFT published examples) and on hostile ones: each hostile file is refused as a whole with a
// stable code, and an entry that cannot be read is reported with its line and reason.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { parseCsvMapping } from "../../src/core/bank-statements/csv-mapping.js";
import { referenceCandidates } from "../../src/core/bank-statements/payment-reference.js";
import { parseStatement } from "../../src/core/bank-statements/parse-statement.js";
import type { ParsedStatement } from "../../src/core/bank-statements/statement-entry.js";
import { AppError } from "../../src/core/shared/errors.js";

const fixture = (name: string) => readFileSync(new URL(`../fixtures/bank-statements/${name}`, import.meta.url));
const MB = 1024 * 1024;
const parse = (bytes: Uint8Array | string, csvMapping: Parameters<typeof parseStatement>[1]["csvMapping"] = null, maxBytes = 10 * MB): ParsedStatement =>
  parseStatement(typeof bytes === "string" ? new TextEncoder().encode(bytes) : bytes, { maxBytes, csvMapping });

function refused(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof AppError, `expected an AppError, got ${String(err)}`);
    assert.equal(err.code, code);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const CSV_MAPPING = parseCsvMapping({
  delimiter: ";",
  decimalSeparator: ",",
  thousandsSeparator: ".",
  dateFormat: "DD.MM.YYYY",
  columns: { bankRef: "Transaction ID", bookingDate: "Booking date", amount: "Amount", currency: "Currency", payerName: "Counterparty", payerIban: "Counterparty IBAN", remittance: "Purpose" },
});

test("camt.053.001.02: single, batched, debit and reversed entries, exact amounts, both remittance kinds", () => {
  const s = parse(fixture("camt053-v02.xml"));
  assert.equal(s.format, "camt.053");
  assert.equal(s.account, "DE89370400440532013000");
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(
    s.entries.map((e) => [e.bankRef, e.amount, e.amountMinor, e.direction, e.reversal, e.booked]),
    [
      ["BNK-20261201-0001", "150.00", 15000n, "credit", false, true],
      ["BNK-20261201-0002/1", "100.00", 10000n, "credit", false, true],
      ["BNK-20261201-0002-B", "200.00", 20000n, "credit", false, true],
      ["BNK-20261201-0003", "25.50", 2550n, "debit", false, true],
      ["BNK-20261201-0004", "25.00", 2500n, "debit", true, true],
    ],
  );
  const [single, batchA, batchB, debit, reversal] = s.entries;
  assert.equal(single!.bookingDate, "2026-12-01");
  assert.equal(single!.currency, "EUR");
  assert.equal(single!.partyName, "Hans Müller & Sohn", "character and predefined entity references are decoded");
  assert.equal(single!.partyIban, "DE02120300000000202051");
  assert.equal(single!.endToEndId, "E2E-MUELLER-1");
  assert.deepEqual(single!.remittance, { unstructured: ["Payment ref: rmp 0a1b 2c3d 4e5f, thank you"], structured: [] });
  assert.deepEqual(batchA!.remittance, { unstructured: [], structured: ["RF18539007547034"] });
  assert.equal(batchA!.endToEndId, null, "NOTPROVIDED is no end-to-end id");
  assert.equal(batchA!.partyIban, "FR1420041010050500013M02606");
  assert.deepEqual(batchB!.remittance.unstructured, ["Invoice 2026-117", "second line"]);
  assert.equal(debit!.partyName, "Jane Payer", "a debit's party is its creditor");
  assert.equal(debit!.endToEndId, "RFND-0001");
  assert.deepEqual(reversal!.remittance.unstructured, ["Return of credit BNK-20261130-0099"]);
});

test("camt.054.001.08: Sts/Cd, Pty, TxDtls/Amt, DtTm booking date; a pending entry is read as not booked", () => {
  const s = parse(fixture("camt054-v08.xml"));
  assert.equal(s.format, "camt.054");
  assert.equal(s.account, "CH9300762011623852957");
  const [booked, pending] = s.entries;
  assert.equal(booked!.bankRef, "CH-7781-1");
  assert.equal(booked!.amountMinor, 125005n);
  assert.equal(booked!.bookingDate, "2026-12-02");
  assert.equal(booked!.partyName, "Peter Meier");
  assert.deepEqual(booked!.remittance.structured, ["210000000003139471430009017", "Order 4711"]);
  assert.equal(pending!.booked, false);
});

test("MT940 in its SWIFT envelope: :61: entries with :86: details, SEPA keys, reversal, NONREF fallback", () => {
  const s = parse(fixture("statement.mt940"));
  assert.equal(s.format, "mt940");
  assert.equal(s.account, "DE89370400440532013000");
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(
    s.entries.map((e) => [e.bankRef, e.bookingDate, e.amount, e.direction, e.reversal]),
    [
      ["BNK-0001", "2026-12-01", "150.00", "credit", false],
      ["STMT20261201/00042/001/2", "2026-12-01", "25.50", "debit", false],
      ["BNK-0003", "2026-12-02", "10.00", "credit", true],
      ["STMT20261201/00042/001/4", "2026-12-02", "7.25", "credit", false],
    ],
  );
  const first = s.entries[0]!;
  assert.equal(first.endToEndId, "E2E-MUELLER-1");
  assert.deepEqual(first.remittance.unstructured, ["Payment RMP0A1B2C3D4E5F"]);
  assert.equal(first.partyName, "HANS MUELLERUND SOHN");
  assert.equal(first.partyIban, "DE02120300000000202051");
  assert.deepEqual(s.entries[1]!.remittance.unstructured, ["Bank fees December"]);
  assert.deepEqual(s.entries[2]!.remittance.structured, ["REF-77"]);
});

test("CSV through a saved mapping: quoted fields with the delimiter and line breaks, grouping, sign as direction", () => {
  const s = parse(fixture("statement.csv"), CSV_MAPPING);
  assert.equal(s.format, "csv");
  assert.deepEqual(s.rejected, []);
  assert.deepEqual(
    s.entries.map((e) => [e.line, e.bankRef, e.bookingDate, e.amount, e.direction, e.partyName, e.partyIban]),
    [
      [2, "TX-1", "2026-12-01", "1250.00", "credit", "Doe, John", "DE02120300000000202051"],
      [3, "TX-2", "2026-12-01", "99.90", "debit", "Shop", null],
      [5, "TX-3", "2026-12-02", "10.00", "credit", null, null],
    ],
  );
  assert.deepEqual(s.entries[1]!.remittance.unstructured, ["Card\npayment"]);
});

test("a mapping is checked when given: unknown settings, missing columns, unknown currency", () => {
  refused(() => parseCsvMapping({ columns: { bankRef: "a", bookingDate: "b" }, currency: "EUR" }), "validation_failed", /columns\.amount/);
  refused(() => parseCsvMapping({ columns: { bankRef: "a", bookingDate: "b", amount: "c" } }), "validation_failed", /currency/);
  refused(() => parseCsvMapping({ columns: { bankRef: "a", bookingDate: "b", amount: "c" }, currency: "XYZ" }), "unknown_currency");
  refused(() => parseCsvMapping({ columns: { bankRef: "a", bookingDate: "b", amount: "c" }, currency: "EUR", sheet: 1 }), "validation_failed", /sheet/);
  refused(() => parseCsvMapping([]), "validation_failed", /^mapping: must be a JSON object$/);
});

test("a mapping as stored (its normalised form, nulls included) reads back as itself, for the account's next import", () => {
  for (const sent of [
    { delimiter: ";", decimalSeparator: ",", dateFormat: "DD.MM.YYYY", columns: { bankRef: "Transaction ID", bookingDate: "Booking date", amount: "Amount", currency: "Currency" } },
    { columns: { bankRef: "a", bookingDate: "b", amount: "c" }, currency: "EUR" },
  ]) {
    const stored = JSON.parse(JSON.stringify(parseCsvMapping(sent)));
    assert.deepEqual(parseCsvMapping(stored), parseCsvMapping(sent));
  }
});

test("entries that cannot be read are reported with line and reason; the rest is read", () => {
  const xml = fixture("camt053-v02.xml").toString().replace('<Amt Ccy="EUR">150.00</Amt>\n        <CdtDbtInd>CRDT', '<Amt Ccy="XYZ">150.00</Amt>\n        <CdtDbtInd>CRDT');
  const s = parse(xml);
  assert.deepEqual(s.rejected, [{ line: 1, reason: 'entry 1: unknown currency "XYZ"' }]);
  assert.equal(s.entries.length, 4);

  const fine = fixture("camt053-v02.xml").toString();
  assert.match(parse(fine.replace("<Amt Ccy=\"EUR\">25.50</Amt>", "<Amt Ccy=\"EUR\">25.505</Amt>")).rejected[0]!.reason, /more decimals than EUR allows/);
  assert.match(parse(fine.replace("<Amt Ccy=\"EUR\">300.00</Amt>", "<Amt Ccy=\"EUR\">301.00</Amt>")).rejected[0]!.reason, /add up to 30000 minor units, the entry says 30100/);
  assert.match(parse(fine.replace("<Amt Ccy=\"EUR\">25.50</Amt>", "<Amt Ccy=\"EUR\">1e3</Amt>")).rejected[0]!.reason, /not a decimal amount/);
  assert.match(parse(fine.replace("<Amt Ccy=\"EUR\">25.50</Amt>", "<Amt Ccy=\"EUR\">92233720368547758.08</Amt>")).rejected[0]!.reason, /above the largest the ledger holds/);
  assert.match(parse(fine.replace("<AcctSvcrRef>BNK-20261201-0003</AcctSvcrRef>", "")).rejected[0]!.reason, /no bank reference/);

  const csv = "Booking date;Transaction ID;Amount;Currency\n31.02.2026;T1;1,00;EUR\n01.12.2026;T2;abc;EUR\n01.12.2026;T3;1,00;ZZZ\n01.12.2026;;1,00;EUR\n01.12.2026;T5;2,00;EUR\n";
  const mapping = parseCsvMapping({ delimiter: ";", decimalSeparator: ",", dateFormat: "DD.MM.YYYY", columns: { bankRef: "Transaction ID", bookingDate: "Booking date", amount: "Amount", currency: "Currency" } });
  const c = parse(csv, mapping);
  assert.deepEqual(c.rejected.map((r) => r.line), [2, 3, 4, 5]);
  assert.match(c.rejected[0]!.reason, /31\.02\.2026 is not a date/);
  assert.deepEqual(c.entries.map((e) => e.bankRef), ["T5"]);
});

test("hostile files are refused whole with a stable code", () => {
  refused(() => parse("%PDF-1.7\n1 0 obj"), "csv_mapping_required");
  refused(() => parse('{"statement": []}', CSV_MAPPING), "statement_unreadable", /header lacks/);
  refused(() => parse('<?xml version="1.0"?><Document><Invoice/></Document>'), "statement_unreadable", /not a camt\.053 or camt\.054/);
  const whole = fixture("camt053-v02.xml").toString();
  refused(() => parse(whole.slice(0, Math.floor(whole.length / 2))), "statement_unreadable", /malformed or cut short/);
  refused(() => parse(whole.replace("</Stmt>", "")), "statement_unreadable", /malformed or cut short/);
  refused(() => parse(new Uint8Array([0xff, 0xfe, 0x00, 0x3c])), "statement_unreadable", /UTF-8/);
  refused(() => parse(""), "statement_unreadable", /empty/);
  refused(() => parse(fixture("statement.mt940").toString().replace("-}", "")), "statement_unreadable", /block 4/);
  refused(() => parse(":20:X\n:25:DE1\n:60F:C261130EUR1,00\nnot a field\n"), "statement_unreadable", /Line 4/);
  refused(() => parse('"a;b\n1;2', CSV_MAPPING), "statement_unreadable", /never closes/);
});

test("a file over the configured limit is refused before it is read", () => {
  const big = new Uint8Array(3 * MB + 1).fill(0x20);
  refused(() => parse(big, null, 3 * MB), "statement_too_large", /limit is 3145728/);
});

test("billion laughs and external entities: a DOCTYPE is refused, nothing is expanded", () => {
  const laughs = [
    '<?xml version="1.0"?>',
    "<!DOCTYPE Document [",
    '  <!ENTITY lol "lol">',
    ...Array.from({ length: 9 }, (_, i) => `  <!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`),
    "]>",
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt><Ntry><AddtlNtryInf>&lol9;</AddtlNtryInf></Ntry></Stmt></BkToCstmrStmt></Document>',
  ].join("\n");
  refused(() => parse(laughs), "statement_unreadable", /DOCTYPE/);
  const xxe = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document>&x;</Document>';
  refused(() => parse(xxe), "statement_unreadable", /DOCTYPE/);
  // An undeclared entity in a statement stays literal text: the parser never expands anything.
  const literal = fixture("camt053-v02.xml").toString().replace("Invoice 2026-117", "&lol9;");
  assert.deepEqual(parse(literal).entries[2]!.remittance.unstructured, ["&lol9;", "second line"]);
});

test("payment reference candidates: the exact text first, then references found past spaces, case and prefixes", () => {
  assert.deepEqual(referenceCandidates({ unstructured: ["RMP0A1B2C3D4E5F"], structured: [] }), ["RMP0A1B2C3D4E5F"]);
  assert.deepEqual(referenceCandidates({ unstructured: ["Payment ref: rmp 0a1b 2c3d 4e5f, thank you"], structured: [] }), [
    "PAYMENT REF: RMP 0A1B 2C3D 4E5F, THANK YOU",
    "RMP0A1B2C3D4E5F",
  ]);
  assert.deepEqual(referenceCandidates({ unstructured: ["/RFB/RMP0A1B2C3D4E5F", "EREF+RMP1111"], structured: ["RF18539007547034"] }), [
    "RF18539007547034",
    "/RFB/RMP0A1B2C3D4E5F",
    "EREF+RMP1111",
    "RMP0A1B2C3D4E5F",
  ]);
  assert.deepEqual(referenceCandidates({ unstructured: [], structured: [] }), []);
});
