// The payment references a statement entry's remittance information may carry, in the order they are
// tried: the whole text as the payer typed it (exact), then every reference of Rampart's form
// (core/intents/payment-reference.ts) found once spaces, case and prefixes ("Ref:", "EREF+",
// "Payment for") are set aside: "rmp 1a2b 3c4d 5e6f" and "/RFB/RMP1A2B3C4D5E6F" both name RMP1A2B3C4D5E6F.
import { PAYMENT_REFERENCE_SEARCH } from "../intents/payment-reference.js";
import type { Remittance } from "./statement-entry.js";

export function referenceCandidates(remittance: Remittance): string[] {
  const texts = [...remittance.structured, ...remittance.unstructured];
  const out: string[] = [];
  const add = (r: string) => {
    if (r !== "" && !out.includes(r)) out.push(r);
  };
  for (const t of texts) add(t.trim().toUpperCase());
  const compact = texts.join("").replace(/\s+/g, "").toUpperCase();
  for (const m of compact.matchAll(PAYMENT_REFERENCE_SEARCH)) add(m[0]);
  return out;
}


/** The remittance as one line for the operator (the unmatched queue shows it). */
export function remittanceText(remittance: Remittance): string | null {
  const all = [...remittance.structured, ...remittance.unstructured].join(" ").replace(/\s+/g, " ").trim();
  return all === "" ? null : all.slice(0, 500);
}
