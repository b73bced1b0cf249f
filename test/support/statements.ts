// Builds bank statement files for import tests: a camt.053.001.02 statement of one account with the
// entries given (written as banks write them: amounts as decimal text, remittance in Ustrd).
export interface CamtEntry {
  ref: string;
  amount: string;
  currency?: string;
  direction?: "CRDT" | "DBIT";
  status?: "BOOK" | "PDNG";
  remittance?: string;
  payerName?: string;
  payerIban?: string;
}

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
          <RltdPties>
            ${e.payerName ? `<Dbtr><Nm>${esc(e.payerName)}</Nm></Dbtr>` : ""}
            ${e.payerIban ? `<DbtrAcct><Id><IBAN>${e.payerIban}</IBAN></Id></DbtrAcct>` : ""}
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
