// The EPC QR payload (EPC069-12 v002) the intent checkout renders: the fields in their lines, euro only,
// amounts from integer cents, and refused rather than cut when the standard cannot carry the transfer.
import assert from "node:assert/strict";
import { test } from "node:test";
import { epcQrPayload } from "../../src/core/intents/epc-qr.js";

const T = { bic: "CAIXESBBXXX", beneficiary: "Rampart Test S.L.", iban: "ES91 2100 0418 4502 0005 1332", amountMinor: 10_050n, currency: "EUR", reference: "RMP4F2A9C01D7E3" };

test("the twelve-line layout: service tag, version 002, UTF-8, SCT, BIC, name, IBAN, EUR amount, empty purpose and RF reference, our reference as text", () => {
  assert.equal(epcQrPayload(T), ["BCD", "002", "1", "SCT", "CAIXESBBXXX", "Rampart Test S.L.", "ES9121000418450200051332", "EUR100.50", "", "", "RMP4F2A9C01D7E3"].join("\n"));
  assert.match(epcQrPayload({ ...T, amountMinor: 1n })!, /\nEUR0\.01\n/);
  assert.match(epcQrPayload({ ...T, amountMinor: 99_999_999_999n })!, /\nEUR999999999\.99\n/);
  assert.match(epcQrPayload({ ...T, bic: "" })!, /^BCD\n002\n1\nSCT\n\nRampart/, "v002 lets the BIC be left out inside the EEA");
});

test("no payload for what EPC069-12 cannot say: another currency, zero or too much, a malformed IBAN or BIC, over 331 bytes", () => {
  assert.equal(epcQrPayload({ ...T, currency: "USD" }), null);
  assert.equal(epcQrPayload({ ...T, amountMinor: 0n }), null);
  assert.equal(epcQrPayload({ ...T, amountMinor: 100_000_000_000n }), null);
  assert.equal(epcQrPayload({ ...T, iban: "not an iban" }), null);
  assert.equal(epcQrPayload({ ...T, bic: "CAIX" }), null);
  assert.equal(epcQrPayload({ ...T, reference: "é".repeat(140) }), null);
});
