// ISO 20022 pain.001.001.03 (customer credit transfer initiation), the version banks across SEPA and
// beyond accept for uploaded payment files. Built with fast-xml-parser's XMLBuilder, which escapes
// every value; element order follows the schema. One PmtInf per debtor account and currency; EUR
// payments carry the SEPA service level and SLEV charges.
import { XMLBuilder } from "fast-xml-parser";

interface Pain001Transfer {
  /** At most 35 characters: the bank echoes it in the statement's EndToEndId. */
  endToEndId: string;
  /** Decimal text at the currency's scale ("42.00"). */
  amount: string;
  creditorName: string;
  creditorIban: string;
  remittance: string;
}

interface Pain001Batch {
  debtorName: string;
  debtorIban: string;
  debtorBic: string | null;
  currency: string;
  transfers: Pain001Transfer[];
}

interface Pain001 {
  messageId: string;
  /** ISO date-time without zone (the schema's ISODateTime as banks expect it). */
  createdAt: Date;
  initiatingParty: string;
  executionDate: string;
  batches: Pain001Batch[];
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: "@_", format: true, indentBy: "  ", suppressEmptyNode: true });

/** The schema's Max70Text / Max140Text: longer names and texts are cut, never refused. */
const max = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

/** CtrlSum: the exact decimal sum of the amounts' text (currencies of other scales may mix). */
function controlSum(transfers: { amount: string }[]): string {
  const scale = Math.max(0, ...transfers.map((t) => t.amount.split(".")[1]?.length ?? 0));
  const units = (a: string) => {
    const [int, frac = ""] = a.split(".");
    return BigInt(int! + frac.padEnd(scale, "0"));
  };
  const total = transfers.reduce((s, t) => s + units(t.amount), 0n).toString().padStart(scale + 1, "0");
  return scale === 0 ? total : `${total.slice(0, -scale)}.${total.slice(-scale)}`;
}

export function buildPain001(p: Pain001): string {
  const all = p.batches.flatMap((b) => b.transfers);
  const pmtInf = p.batches.map((b, i) => {
    const sepa = b.currency === "EUR";
    return {
      PmtInfId: `${p.messageId}-${i + 1}`,
      PmtMtd: "TRF",
      BtchBookg: "false",
      NbOfTxs: String(b.transfers.length),
      CtrlSum: controlSum(b.transfers),
      ...(sepa ? { PmtTpInf: { SvcLvl: { Cd: "SEPA" } } } : {}),
      ReqdExctnDt: p.executionDate,
      Dbtr: { Nm: max(b.debtorName, 70) },
      DbtrAcct: { Id: { IBAN: b.debtorIban }, Ccy: b.currency },
      DbtrAgt: { FinInstnId: b.debtorBic ? { BIC: b.debtorBic } : { Othr: { Id: "NOTPROVIDED" } } },
      ...(sepa ? { ChrgBr: "SLEV" } : {}),
      CdtTrfTxInf: b.transfers.map((t) => ({
        PmtId: { InstrId: t.endToEndId, EndToEndId: t.endToEndId },
        Amt: { InstdAmt: { "@_Ccy": b.currency, "#text": t.amount } },
        Cdtr: { Nm: max(t.creditorName, 70) },
        CdtrAcct: { Id: { IBAN: t.creditorIban } },
        RmtInf: { Ustrd: max(t.remittance, 140) },
      })),
    };
  });
  const doc = {
    "?xml": { "@_version": "1.0", "@_encoding": "UTF-8" },
    Document: {
      "@_xmlns": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
      CstmrCdtTrfInitn: {
        GrpHdr: {
          MsgId: p.messageId,
          CreDtTm: p.createdAt.toISOString().slice(0, 19),
          NbOfTxs: String(all.length),
          CtrlSum: controlSum(all),
          InitgPty: { Nm: max(p.initiatingParty, 70) },
        },
        PmtInf: pmtInf,
      },
    },
  };
  return builder.build(doc) as string;
}
