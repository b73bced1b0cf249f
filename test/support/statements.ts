// Builds bank statement files for import tests: a camt.053.001.02 statement of one account with the
// entries given (written as banks write them: amounts as decimal text, remittance in Ustrd, the other
// party's name and IBAN, the end-to-end id).
export interface CamtEntry {
  ref: string;
  amount: string;
  currency?: string;
  direction?: "CRDT" | "DBIT";
  status?: "BOOK" | "PDNG";
  remittance?: string;
  payerName?: string;
  payerIban?: string;
  endToEndId?: string;
}

/** The other party: the debtor of a credit, the creditor of a debit. */
const party = (e: CamtEntry) => (e.direction === "DBIT" ? "Cdtr" : "Dbtr");
const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function camt053(account: string, entries: CamtEntry[]): Buffer {
  const ntry = entries.map(
    (e) => `
      <Ntry>
        <Amt Ccy="${e.currency ?? "EUR"}">${e.amount}</Amt>
        <CdtDbtInd>${e.direction ?? "CRDT"}</CdtDbtInd>
        <Sts>${e.status ?? "BOOK"}</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt>
        <AcctSvcrRef>${esc(e.ref)}</AcctSvcrRef>
        <NtryDtls><TxDtls>
          ${e.endToEndId ? `<Refs><EndToEndId>${esc(e.endToEndId)}</EndToEndId></Refs>` : ""}
          <RltdPties>
            ${e.payerName ? `<${party(e)}><Nm>${esc(e.payerName)}</Nm></${party(e)}>` : ""}
            ${e.payerIban ? `<${party(e)}Acct><Id><IBAN>${e.payerIban}</IBAN></Id></${party(e)}Acct>` : ""}
          </RltdPties>
          ${e.remittance ? `<RmtInf><Ustrd>${esc(e.remittance)}</Ustrd></RmtInf>` : ""}
        </TxDtls></NtryDtls>
      </Ntry>`,
  );
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>T-${Date.now()}</MsgId><CreDtTm>2026-12-01T18:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S-1</Id>
      <CreDtTm>2026-12-01T18:00:00</CreDtTm>
      <Acct><Id><IBAN>${account}</IBAN></Id></Acct>${ntry.join("")}
    </Stmt>
  </BkToCstmrStmt>
</Document>
`);
}
