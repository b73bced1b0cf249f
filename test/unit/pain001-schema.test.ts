// The pain.001 files Rampart emits (core/bank-statements/pain001.ts) are valid against the published
// ISO 20022 pain.001.001.03 schema (test/fixtures/iso20022), checked by xmllint: several batches, a
// debtor with and without BIC, SEPA and non-SEPA currencies, names and texts over the schema's lengths,
// characters XML must escape. A file that breaks the schema is refused, so the check can fail.
import assert from "node:assert/strict";
import { test } from "node:test";
import { buildPain001 } from "../../src/core/bank-statements/pain001.js";
import { PAIN001_XSD, validateXml } from "../support/xml-schema.js";

const file = () =>
  buildPain001({
    messageId: "rfx_01JEXAMPLE0000000000000000",
    createdAt: new Date("2026-12-04T12:00:00.123Z"),
    initiatingParty: "Rampart <Operations> & Co",
    executionDate: "2026-12-04",
    batches: [
      {
        debtorName: "Rampart Collections GmbH".repeat(4),
        debtorIban: "DE89370400440532013000",
        debtorBic: null,
        currency: "EUR",
        transfers: [
          { endToEndId: "rfo_01JEXAMPLE00000000000000001", amount: "42.00", creditorName: "Ana García & Hijos", creditorIban: "ES7921000813610123456789", remittance: "Refund RMP-7K2Q: amount differs" },
          { endToEndId: "rfo_01JEXAMPLE00000000000000002", amount: "0.01", creditorName: "Ł".repeat(90), creditorIban: "FR1420041010050500013M02606", remittance: "x".repeat(200) },
        ],
      },
      {
        debtorName: "Rampart",
        debtorIban: "GB29NWBK60161331926819",
        debtorBic: "NWBKGB2L",
        currency: "GBP",
        transfers: [{ endToEndId: "rfo_01JEXAMPLE00000000000000003", amount: "1500.50", creditorName: "O'Brien \"Ltd\"", creditorIban: "GB82WEST12345698765432", remittance: "Refund" }],
      },
    ],
  });

test("an emitted pain.001 validates against the ISO 20022 pain.001.001.03 schema", async () => {
  const r = await validateXml(file(), PAIN001_XSD);
  assert.ok(r.ok, r.output);
});

test("a pain.001 that breaks the schema is refused by the same check", async () => {
  const noIban = file().replace("<IBAN>ES7921000813610123456789</IBAN>", "");
  const r = await validateXml(noIban, PAIN001_XSD);
  assert.equal(r.ok, false);
  assert.match(r.output, /Id/);
  const badAmount = file().replace(">42.00<", ">42.001.0<");
  assert.equal((await validateXml(badAmount, PAIN001_XSD)).ok, false);
});
