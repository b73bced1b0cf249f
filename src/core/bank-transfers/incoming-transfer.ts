/**
 * A credit on one of the accounts Rampart watches, as a bank feed delivers it (the sandbox feed, a
 * statement import, a bank API). Every feed hands it to app/bank-transfers receiveBankTransfer, the
 * one inbound path: it is recorded once per externalId and matched to what it pays. Kept in core
 * because the port (app/ports.ts) and the table's writer (db/bank-transfers) both speak it.
 */
export interface IncomingBankTransfer {
  /** The bank's id of the transaction; a redelivery with the same id changes nothing. */
  externalId: string;
  /** Which feed delivered it (recorded with the transfer). */
  feed: string;
  /** In the currency's own minor units (ISO 4217 exponent). */
  amountMinor: bigint;
  currency: string;
  /** Set when it arrived on a trader's requisite (trading pay-ins are matched by requisite and amount). */
  requisiteId: string | null;
  /** The payer's remittance information (payment intents are matched by their reference). */
  reference: string | null;
  payerName: string | null;
  payerIban: string | null;
  receivedAt: Date;
}
