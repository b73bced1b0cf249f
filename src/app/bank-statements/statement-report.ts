// What one import did, line by line, as stored with the import and returned to the operator.
import type { BankTransferOutcome } from "../../core/bank-transfers/outcome.js";
import type { StatementFormat } from "../../core/bank-statements/statement-entry.js";
import type { StatementImportRow } from "../../db/bank-statements/bank-statements.js";

/**
 * matched: a credit that paid (or was refunded against) a pay-in or an intent, or a debit that closed a
 * refund order; duplicate: its bank
 * reference was received before, nothing changed; unmatched: kept in the unmatched queue; ignored:
 * read but not received (a debit, a reversal, an entry not booked yet); rejected: not readable.
 */
export const LINE_OUTCOMES = ["matched", "duplicate", "unmatched", "ignored", "rejected"] as const;
type LineOutcome = (typeof LINE_OUTCOMES)[number];

export interface ReportLine {
  line: number;
  outcome: LineOutcome;
  bankRef: string | null;
  bookingDate: string | null;
  amount: string | null;
  currency: string | null;
  direction: "credit" | "debit" | null;
  /** The remittance information as one line, or the intent reference it was matched by. */
  reference: string | null;
  payerName: string | null;
  payerIban: string | null;
  endToEndId: string | null;
  transferId: string | null;
  transferOutcome: BankTransferOutcome | null;
  intentId: string | null;
  tradingPayinId: string | null;
  /** The refund order a debit closed (refunds out). */
  refundOrderId: string | null;
  reason: string | null;
}

export interface StatementReport {
  importId: string;
  account: string;
  requisiteId: string | null;
  format: StatementFormat;
  fileName: string | null;
  fileSha256: string;
  source: string;
  /** Entries read from the file (rejected lines not included). */
  entriesRead: number;
  matched: number;
  duplicates: number;
  unmatched: number;
  ignored: number;
  rejected: number;
  createdAt: string;
  lines: ReportLine[];
}

export function reportOf(r: StatementImportRow): StatementReport {
  return {
    importId: r.id,
    account: r.account,
    requisiteId: r.requisite_id,
    format: r.format as StatementFormat,
    fileName: r.file_name,
    fileSha256: r.file_sha256,
    source: r.source,
    entriesRead: r.entries_read,
    matched: r.matched,
    duplicates: r.duplicates,
    unmatched: r.unmatched,
    ignored: r.ignored,
    rejected: r.rejected,
    createdAt: r.created_at.toISOString(),
    lines: r.lines as ReportLine[],
  };
}
