// What became of an incoming bank transfer. Every feed records its transfers through one use case
// (app/bank-transfers), which asks the flow the transfer belongs to and stores the answer:
//   paid              it paid a trading pay-in or a payment intent (or confirmed a pay-in its trader
//                     had already closed by hand)
//   recalculated      it paid an intent at a different amount, the store accepting mismatches
//   refunded          Rampart holds it and books it back to the payer: amount mismatch, an intent
//                     that can no longer be paid, or a second payment of an intent already paid
//   duplicate_payment a second payment of a trading pay-in already paid: the money sits in the
//                     trader's account, so the trader returns it (nothing moved in Rampart's ledger)
//   unmatched         nothing to pay: kept for the operator
export const BANK_TRANSFER_OUTCOMES = ["paid", "recalculated", "refunded", "duplicate_payment", "unmatched"] as const;
export type BankTransferOutcome = (typeof BANK_TRANSFER_OUTCOMES)[number];
