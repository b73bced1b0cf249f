// A payment intent's reference, which the payer copies into the transfer's remittance information and
// the bank feed matches on: "RMP" and 12 upper-case hex digits (6 random bytes). One definition for
// the writer (app/intents/create-intent.ts) and the statement import's search.
const PREFIX = "RMP";

export function paymentReference(random: Uint8Array): string {
  return PREFIX + Array.from(random, (b) => b.toString(16).padStart(2, "0")).join("").toUpperCase();
}

/** Finds every reference of this form in upper-cased text (global: use with matchAll). */
export const PAYMENT_REFERENCE_SEARCH = /RMP[0-9A-F]{12}/g;
