// The EPC QR code payload (EPC069-12 "Quick Response Code: guidelines to enable data capture for the
// initiation of a SEPA credit transfer", version 002) that banking apps scan to fill in a transfer:
// one field a line, UTF-8. Our reference (RMP + 12 hex) is not an ISO 11649 creditor reference, so it
// goes in the unstructured remittance line (11) and the structured one (10) stays empty: a bank
// copies line 11 to the transfer's remittance information, which is what the bank feed matches on.
import { formatMinor } from "../money/decimal.js";

interface EpcTransfer {
  bic: string;
  beneficiary: string;
  iban: string;
  /** Euro cents. */
  amountMinor: bigint;
  currency: string;
  reference: string;
}

/** EPC069-12 caps the whole payload at 331 bytes. */
const MAX_PAYLOAD_BYTES = 331;
const MAX_EUR_CENTS = 99_999_999_999n;

/** The payload, or null when no EPC QR can say this transfer (SEPA credit transfers are in euro only). */
export function epcQrPayload(t: EpcTransfer): string | null {
  if (t.currency !== "EUR" || t.amountMinor < 1n || t.amountMinor > MAX_EUR_CENTS) return null;
  const iban = t.iban.replace(/\s+/g, "").toUpperCase();
  const bic = t.bic.replace(/\s+/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{1,30}$/.test(iban) || !/^([A-Z0-9]{8}|[A-Z0-9]{11})?$/.test(bic)) return null;
  const lines = [
    "BCD", // service tag
    "002", // version (BIC optional inside the EEA)
    "1", // character set: UTF-8
    "SCT", // SEPA credit transfer
    bic,
    t.beneficiary.trim().slice(0, 70),
    iban,
    `EUR${formatMinor(t.amountMinor, 2)}`,
    "", // purpose code
    "", // structured (ISO 11649) reference: ours is not one
    t.reference.slice(0, 140),
  ];
  const payload = lines.join("\n");
  return Buffer.byteLength(payload, "utf8") <= MAX_PAYLOAD_BYTES ? payload : null;
}
