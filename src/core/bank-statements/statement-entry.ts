// What every statement parser yields: the entries of one bank account's statement, each read exactly
// (amounts as decimal text and bigint minor units, never a float), and the lines it could not read,
// each with its reason. Parsers are pure: they take the file's text and return this.
import { AppError } from "../shared/errors.js";

export const STATEMENT_FORMATS = ["camt.053", "camt.054", "mt940", "csv"] as const;
export type StatementFormat = (typeof STATEMENT_FORMATS)[number];

export interface Remittance {
  /** Free text lines (camt Ustrd, MT940 :86: purpose, the CSV's remittance column). */
  unstructured: string[];
  /** Structured references (camt Strd: creditor reference, referred document number, additional info). */
  structured: string[];
}

export interface StatementEntry {
  /** Where it is in the file: the entry's number for XML, the line number for MT940 and CSV. */
  line: number;
  /** The bank's reference of the entry (of the transaction, in a batch): the deduplication key. */
  bankRef: string;
  /** YYYY-MM-DD. */
  bookingDate: string;
  /** The amount as decimal text with a point ("1250.00"), always positive. */
  amount: string;
  /** The same amount in the currency's ISO 4217 minor units. */
  amountMinor: bigint;
  currency: string;
  direction: "credit" | "debit";
  /** camt RvslInd / MT940 RC, RD: the entry reverses an earlier one. */
  reversal: boolean;
  /** False for an entry the bank has not booked yet (camt Sts PDNG, INFO). */
  booked: boolean;
  remittance: Remittance;
  /** The other party: the payer of a credit, the payee of a debit. */
  partyName: string | null;
  partyIban: string | null;
  endToEndId: string | null;
}

export interface RejectedLine {
  line: number;
  reason: string;
}

export interface ParsedStatement {
  format: StatementFormat;
  /** The account the statement is for, as the file names it (IBAN or the bank's account id); null in CSV. */
  account: string | null;
  entries: StatementEntry[];
  rejected: RejectedLine[];
}

/** The whole file is not a statement (wrong format, cut short, malformed): nothing of it is used. */
export function unreadable(message: string): AppError {
  return new AppError("statement_unreadable", { message });
}

/** An entry could not be read: the parser records it with its line and goes on with the next. */
export class EntryError extends Error {}

/** True for an existing YYYY-MM-DD day (2026-02-30 is not). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}
