// Importing a bank statement: the file is read whole (core/bank-statements), then every booked credit
// goes through the one inbound path (receiveBankTransferIn), all in one transaction with the import's
// report, so a file that fails half way leaves nothing behind and importing a file twice changes
// nothing the second time (each entry is received once per bank reference; the second import's report
// lists them as duplicates).
//
// The account decides how credits are matched: a trader's requisite (named by --account, or whose
// number is the statement's account) pays trading pay-ins by requisite and amount; any other account
// pays payment intents by the reference in the remittance information.
import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { parseCsvMapping, type CsvMapping } from "../../core/bank-statements/csv-mapping.js";
import { parseStatement } from "../../core/bank-statements/parse-statement.js";
import { referenceCandidates, remittanceText } from "../../core/bank-statements/payment-reference.js";
import type { ParsedStatement, StatementEntry } from "../../core/bank-statements/statement-entry.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid } from "../../core/shared/uuid.js";
import {
  existingIntentReferences,
  findCsvMapping,
  findRequisiteByAccount,
  findStatementImport,
  insertStatementImport,
  saveCsvMapping,
  listStatementImports,
} from "../../db/bank-statements/bank-statements.js";
import type { DB } from "../../db/schema.js";
import { findRequisite } from "../../db/trading/requisites.js";
import { setRefundOrderStatus } from "../../db/bank-statements/refund-orders.js";
import { receiveBankTransferIn } from "../bank-transfers/receive-bank-transfer.js";
import type { Deps } from "../deps.js";
import { closeRefundByDebit } from "./refund-export.js";
import { type ReportLine, reportOf, type StatementReport } from "./statement-report.js";

interface ImportInput {
  file: Uint8Array;
  fileName: string | null;
  /** A requisite id, or the account's IBAN / number; defaults to the account the file names. */
  account: string | null;
  /** A CSV column mapping to use and save for the account (JSON as sent). */
  csvMapping: unknown;
  /** Import the readable entries even when some lines are rejected (they are listed in the report). */
  skipRejected: boolean;
  source: "cli" | "api" | "inbox" | "console";
  /** Called once the file is read (done 0) and as entries are received: large files take a while. */
  onProgress?: (done: number, total: number) => void;
}

const PROGRESS_EVERY = 500;

const normalizeAccount = (a: string) => (isUuid(a) ? a.toLowerCase() : a.replace(/\s+/g, "").toUpperCase());

interface ResolvedAccount {
  /** The account as the bank names it: part of every entry's deduplication key. */
  key: string;
  requisiteId: string | null;
}

async function resolveAccount(deps: Deps, given: string | null, parsed: ParsedStatement): Promise<ResolvedAccount> {
  const fromFile = parsed.account === null ? null : normalizeAccount(parsed.account);
  if (given === null) {
    if (fromFile === null) throw new AppError("validation_failed", { field: "account", message: "The file names no account: give the account it is for" });
    return { key: fromFile, requisiteId: (await findRequisiteByAccount(deps.database.db, fromFile))?.id ?? null };
  }
  if (isUuid(given)) {
    const requisite = await findRequisite(deps.database.db, given);
    if (!requisite) throw new AppError("not_found", { field: "account", message: "No requisite has this id" });
    return { key: fromFile ?? given, requisiteId: requisite.id };
  }
  if (fromFile !== null && fromFile !== given) {
    throw new AppError("validation_failed", { field: "account", message: `The file is a statement of account ${fromFile}, not ${given}` });
  }
  return { key: given, requisiteId: (await findRequisiteByAccount(deps.database.db, given))?.id ?? null };
}

/** The saved mapping of the account, or the one sent (checked; saved with the import). */
async function csvMappingFor(deps: Deps, account: string | null, sent: unknown): Promise<CsvMapping | null> {
  if (sent !== undefined && sent !== null) {
    if (account === null) throw new AppError("validation_failed", { field: "account", message: "A CSV mapping is saved for an account: give the account" });
    return parseCsvMapping(sent);
  }
  if (account === null) return null;
  const saved = await findCsvMapping(deps.database.db, account);
  return saved === undefined ? null : parseCsvMapping(saved);
}

export async function importBankStatement(deps: Deps, input: ImportInput): Promise<StatementReport> {
  const given = input.account === null ? null : normalizeAccount(input.account);
  const mapping = await csvMappingFor(deps, given, input.csvMapping);
  const parsed = parseStatement(input.file, { maxBytes: deps.config.statementMaxBytes, csvMapping: mapping });
  if (parsed.rejected.length > 0 && !input.skipRejected) {
    throw new AppError("statement_rejected_lines", {
      message: `${parsed.rejected.length} line(s) of the statement cannot be imported (first: ${parsed.rejected[0]!.reason}); nothing was imported.`,
      details: { rejected: parsed.rejected },
    });
  }
  const account = await resolveAccount(deps, given, parsed);
  const fileSha256 = createHash("sha256").update(input.file).digest("hex");

  return deps.database.db.transaction().execute(async (trx) => {
    if (parsed.format === "csv" && input.csvMapping !== undefined && input.csvMapping !== null) await saveCsvMapping(trx, given!, mapping, deps.clock.now());
    const lines: ReportLine[] = [];
    let done = 0;
    input.onProgress?.(0, parsed.entries.length);
    for (const entry of parsed.entries) {
      lines.push(await receiveEntry(deps, trx, entry, account, parsed.format));
      done += 1;
      if (input.onProgress && (done % PROGRESS_EVERY === 0 || done === parsed.entries.length)) input.onProgress(done, parsed.entries.length);
    }
    for (const r of parsed.rejected) lines.push({ ...emptyLine(r.line), outcome: "rejected", reason: r.reason });
    const count = (o: ReportLine["outcome"]) => lines.filter((l) => l.outcome === o).length;
    const row = await insertStatementImport(trx, {
      id: deps.ids.prefixed("bsi"),
      account: account.key,
      requisiteId: account.requisiteId,
      format: parsed.format,
      fileName: input.fileName,
      fileSha256,
      source: input.source,
      counts: {
        entriesRead: parsed.entries.length,
        matched: count("matched"),
        duplicates: count("duplicate"),
        unmatched: count("unmatched"),
        ignored: count("ignored"),
        rejected: count("rejected"),
      },
      lines,
      at: deps.clock.now(),
    });
    // The orders closed by this statement's debits point at it (the import row exists only now).
    for (const l of lines) {
      if (l.refundOrderId !== null && l.outcome === "matched") await setRefundOrderStatus(trx, l.refundOrderId, { status: "closed", statementImportId: row.id });
    }
    return reportOf(row);
  });
}

/** The console's list of imports, newest first, with their counts. */
export async function recentStatementImports(deps: Deps, limit = 50) {
  return listStatementImports(deps.database.db, limit);
}

export async function statementImportReport(deps: Deps, id: string): Promise<StatementReport> {
  const row = await findStatementImport(deps.database.db, id);
  if (!row) throw new AppError("not_found", { message: "No statement import has this id" });
  return reportOf(row);
}

function emptyLine(line: number): ReportLine {
  return {
    line,
    outcome: "ignored",
    bankRef: null,
    bookingDate: null,
    amount: null,
    currency: null,
    direction: null,
    reference: null,
    payerName: null,
    payerIban: null,
    endToEndId: null,
    transferId: null,
    transferOutcome: null,
    intentId: null,
    tradingPayinId: null,
    refundOrderId: null,
    reason: null,
  };
}

/** Why an entry is read but not received; null for a booked credit. */
function ignoredBecause(e: StatementEntry): string | null {
  if (!e.booked) return "not booked yet (pending): a later statement books it";
  if (e.reversal) return e.direction === "credit" ? "reversal of a debit: for the operator" : "reversal of a credit: for the operator";
  if (e.direction === "debit") return "a debit that closes no refund order";
  return null;
}

/** The payment reference the remittance names (exact text first, then tolerant), else the text itself. */
async function intentReference(trx: Transaction<DB>, e: StatementEntry): Promise<string | null> {
  const candidates = referenceCandidates(e.remittance);
  const existing = await existingIntentReferences(trx, candidates);
  return candidates.find((c) => existing.has(c)) ?? remittanceText(e.remittance);
}

async function receiveEntry(deps: Deps, trx: Transaction<DB>, e: StatementEntry, account: ResolvedAccount, format: string): Promise<ReportLine> {
  const line: ReportLine = {
    ...emptyLine(e.line),
    bankRef: e.bankRef,
    bookingDate: e.bookingDate,
    amount: e.amount,
    currency: e.currency,
    direction: e.direction,
    reference: remittanceText(e.remittance),
    payerName: e.partyName,
    payerIban: e.partyIban,
    endToEndId: e.endToEndId,
  };
  if (e.booked && !e.reversal && e.direction === "debit") {
    const refund = await closeRefundByDebit(deps, trx, e);
    if (refund !== null) return { ...line, outcome: refund.outcome, refundOrderId: refund.orderId, reason: refund.reason };
  }
  const ignored = ignoredBecause(e);
  if (ignored !== null) return { ...line, reason: ignored };

  const reference = account.requisiteId === null ? await intentReference(trx, e) : remittanceText(e.remittance);
  const r = await receiveBankTransferIn(deps, trx, {
    externalId: `stmt:${account.key}:${e.bankRef}`,
    feed: `statement:${format}`,
    amountMinor: e.amountMinor,
    currency: e.currency,
    requisiteId: account.requisiteId,
    reference,
    payerName: e.partyName,
    payerIban: e.partyIban,
    receivedAt: new Date(`${e.bookingDate}T00:00:00Z`),
  });
  return {
    ...line,
    reference,
    outcome: r.duplicate ? "duplicate" : r.outcome === "unmatched" ? "unmatched" : "matched",
    transferId: r.transferId,
    transferOutcome: r.outcome,
    intentId: r.intentId,
    tradingPayinId: r.tradingPayinId,
    reason: r.duplicate ? "received before (same bank reference): nothing changed" : r.reason,
  };
}
