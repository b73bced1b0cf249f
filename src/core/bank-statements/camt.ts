// ISO 20022 bank-to-customer cash management: camt.053 (the end-of-day statement) and camt.054 (the
// debit/credit notification). Both carry the same entry (Ntry) block; versions 001.02 to 001.13 are
// read alike: the fields moved a little (Sts became Sts/Cd, a party became Pty, TxDtls gained its own
// Amt), and each reader below accepts either place.
//
// One entry (Ntry) may book a batch: several TxDtls, each its own payment with its own payer and
// remittance. Each transaction becomes one StatementEntry; its bank reference is the transaction's
// AcctSvcrRef, or the entry's reference with the transaction's position (stable for the same file).
import { entryAmount, entryCurrency } from "./entry-amount.js";
import { at, attr, child, children, parseStatementXml, text, type XmlValue } from "./safe-xml.js";
import { EntryError, isCalendarDate, type ParsedStatement, type RejectedLine, type Remittance, type StatementEntry, unreadable } from "./statement-entry.js";

const ROOTS = { BkToCstmrStmt: { format: "camt.053", report: "Stmt" }, BkToCstmrDbtCdtNtfctn: { format: "camt.054", report: "Ntfctn" } } as const;

export function parseCamt(xml: string): ParsedStatement {
  const doc = child(parseStatementXml(xml), "Document");
  const rootName = (Object.keys(ROOTS) as (keyof typeof ROOTS)[]).find((name) => child(doc, name) !== undefined);
  if (doc === undefined || rootName === undefined) throw unreadable("The XML is not a camt.053 or camt.054 document (no Document/BkToCstmrStmt or BkToCstmrDbtCdtNtfctn)");
  const { format, report } = ROOTS[rootName];
  const reports = children(child(doc, rootName), report);
  if (reports.length === 0) throw unreadable(`The ${format} document has no ${report}`);

  const accounts = new Set(reports.map((r) => text(at(r, "Acct", "Id", "IBAN")) ?? text(at(r, "Acct", "Id", "Othr", "Id"))));
  if (accounts.size !== 1 || accounts.has(null)) throw unreadable(`Every ${report} must name the same account (Acct/Id/IBAN or Othr/Id)`);
  const account = [...accounts][0]!;

  const entries: StatementEntry[] = [];
  const rejected: RejectedLine[] = [];
  let n = 0;
  for (const r of reports) {
    for (const ntry of children(r, "Ntry")) {
      n += 1;
      try {
        entries.push(...readEntry(ntry, n));
      } catch (err) {
        if (!(err instanceof EntryError)) throw err;
        rejected.push({ line: n, reason: `entry ${n}: ${err.message}` });
      }
    }
  }
  return { format, account, entries, rejected };
}

function status(ntry: XmlValue): string | null {
  return text(at(ntry, "Sts", "Cd")) ?? text(child(ntry, "Sts"));
}

function direction(node: XmlValue | undefined): "credit" | "debit" | null {
  const v = text(child(node, "CdtDbtInd"));
  return v === "CRDT" ? "credit" : v === "DBIT" ? "debit" : null;
}

function readEntry(ntry: XmlValue, n: number): StatementEntry[] {
  const amt = child(ntry, "Amt");
  const currency = entryCurrency(attr(amt, "Ccy"));
  const total = entryAmount(text(amt), currency);
  const dir = direction(ntry);
  if (dir === null) throw new EntryError("CdtDbtInd is neither CRDT nor DBIT");
  const date = (text(at(ntry, "BookgDt", "Dt")) ?? text(at(ntry, "BookgDt", "DtTm")) ?? text(at(ntry, "ValDt", "Dt")) ?? "").slice(0, 10);
  if (!isCalendarDate(date)) throw new EntryError("no booking date");
  const entryRef = text(child(ntry, "AcctSvcrRef")) ?? text(child(ntry, "NtryRef"));
  const base = {
    bookingDate: date,
    currency,
    direction: dir,
    reversal: text(child(ntry, "RvslInd")) === "true",
    booked: status(ntry) === "BOOK",
  };

  const txs = children(ntry, "NtryDtls").flatMap((d) => children(d, "TxDtls"));
  const entryInfo = text(child(ntry, "AddtlNtryInf"));
  if (txs.length === 0) {
    if (entryRef === null) throw new EntryError("no bank reference (AcctSvcrRef or NtryRef)");
    return [{ line: n, bankRef: entryRef, ...base, ...total, remittance: { unstructured: entryInfo ? [entryInfo] : [], structured: [] }, partyName: null, partyIban: null, endToEndId: null }];
  }

  const batched = txs.length > 1;
  const out = txs.map((tx, i) => {
    const txAmt = child(tx, "Amt") ?? at(tx, "AmtDtls", "TxAmt", "Amt");
    let amount = total;
    if (txAmt !== undefined) {
      if (entryCurrency(attr(txAmt, "Ccy")) !== currency) throw new EntryError(`transaction ${i + 1} is in another currency than its entry`);
      amount = entryAmount(text(txAmt), currency);
    } else if (batched) {
      throw new EntryError(`transaction ${i + 1} of a batch has no amount`);
    }
    const ref = text(at(tx, "Refs", "AcctSvcrRef")) ?? (entryRef === null ? null : batched ? `${entryRef}/${i + 1}` : entryRef);
    if (ref === null) throw new EntryError("no bank reference (AcctSvcrRef or NtryRef)");
    const party = partyOf(tx, direction(tx) ?? dir);
    const remittance = remittanceOf(tx);
    if (!batched && entryInfo && remittance.unstructured.length === 0 && remittance.structured.length === 0) remittance.unstructured.push(entryInfo);
    return { line: n, bankRef: ref, ...base, ...amount, remittance, ...party, endToEndId: endToEnd(tx) };
  });
  if (batched) {
    const sum = out.reduce((s, e) => s + e.amountMinor, 0n);
    if (sum !== total.amountMinor) throw new EntryError(`the batch's transactions add up to ${sum} minor units, the entry says ${total.amountMinor}`);
  }
  return out;
}

function endToEnd(tx: XmlValue): string | null {
  const id = text(at(tx, "Refs", "EndToEndId"));
  return id === null || id === "NOTPROVIDED" ? null : id;
}

/** The payer of a credit is the debtor; the payee of a debit is the creditor (Pty in versions 08+). */
function partyOf(tx: XmlValue, dir: "credit" | "debit"): { partyName: string | null; partyIban: string | null } {
  const [who, account] = dir === "credit" ? ["Dbtr", "DbtrAcct"] : ["Cdtr", "CdtrAcct"];
  const parties = child(tx, "RltdPties");
  const party = child(parties, who);
  const name = text(at(party, "Pty", "Nm")) ?? text(child(party, "Nm"));
  const iban = text(at(parties, account, "Id", "IBAN"));
  return { partyName: name, partyIban: iban === null ? null : iban.replace(/\s+/g, "").toUpperCase() };
}

function remittanceOf(tx: XmlValue): Remittance {
  const rmt = child(tx, "RmtInf");
  const unstructured = children(rmt, "Ustrd").map(text).filter((t): t is string => t !== null);
  const structured: string[] = [];
  for (const s of children(rmt, "Strd")) {
    for (const c of children(s, "CdtrRefInf")) {
      const ref = text(child(c, "Ref"));
      if (ref !== null) structured.push(ref);
    }
    for (const d of children(s, "RfrdDocInf")) {
      const nb = text(child(d, "Nb"));
      if (nb !== null) structured.push(nb);
    }
    for (const a of children(s, "AddtlRmtInf")) {
      const t = text(a);
      if (t !== null) structured.push(t);
    }
  }
  return { unstructured, structured };
}
