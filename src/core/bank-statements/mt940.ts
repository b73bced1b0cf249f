// SWIFT MT940 (customer statement), written here because the npm parser there is (mt940js) reads
// amounts into JavaScript numbers. A file holds one or more statements, each a run of tagged fields:
//   :20: reference  :25: account  :28C: statement/sequence number  :60F:/:60M: opening balance
//   :61: one entry  :86: its details (may span lines)  :62F:/:62M: closing balance  "-" ends it
// optionally wrapped in the SWIFT envelope {1:...}{2:...}{4: ... -}.
//
// :61: is  YYMMDD [MMDD] (C|D|RC|RD) [funds code] amount(,) type(4) customer-ref [//bank-ref] [\n details]
// Its bank reference is the entry's deduplication key; when the bank gives none (or NONREF), the
// statement's :20: and :28C: numbers with the entry's position stand in (stable for the same file).
// :86: is free text, or the German structured form ("166?00GUTSCHRIFT?20...?32NAME?31IBAN"), whose
// remittance may carry SEPA keys (EREF+ end-to-end id, SVWZ+ purpose).
import { entryAmount, entryCurrency } from "./entry-amount.js";
import { EntryError, isCalendarDate, type ParsedStatement, type RejectedLine, type StatementEntry, unreadable } from "./statement-entry.js";

interface Field {
  tag: string;
  value: string;
  line: number;
}

/** Fields whose value may go on over several lines (the entry's supplementary details, its :86:). */
const MULTILINE = new Set(["61", "86"]);
const TAG_LINE = /^:(\d{2}[A-Z]?):(.*)$/;
const ENTRY_LINE = /^(\d{2})(\d{2})(\d{2})(\d{4})?(RC|RD|C|D)([A-Z])?(\d{1,12},\d{0,3})([A-Z][A-Z0-9]{3})(.*)$/;

/** The text of block 4 when the file carries the SWIFT envelope; else the text itself. */
function messageText(input: string): string {
  const start = input.indexOf("{4:");
  if (start === -1) return input;
  const end = input.indexOf("-}", start);
  if (end === -1) throw unreadable("The MT940 message's block 4 is not closed (-})");
  return input.slice(start + 3, end + 1);
}

function fieldsOf(input: string): Field[] {
  const fields: Field[] = [];
  const lines = messageText(input).split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trimEnd();
    const m = TAG_LINE.exec(line);
    if (m) fields.push({ tag: m[1]!, value: m[2]!, line: i + 1 });
    else if (line === "-" || line === "") fields.push({ tag: "-", value: "", line: i + 1 });
    else if (MULTILINE.has(fields[fields.length - 1]?.tag ?? "")) fields[fields.length - 1]!.value += `\n${line}`;
    else throw unreadable(`Line ${i + 1} is not an MT940 field`);
  });
  return fields;
}

export function looksLikeMt940(input: string): boolean {
  return /^:20:/m.test(input) && /^:60[FM]:/m.test(input);
}

export function parseMt940(input: string): ParsedStatement {
  const fields = fieldsOf(input);
  const entries: StatementEntry[] = [];
  const rejected: RejectedLine[] = [];
  let account: string | null = null;
  let statementRef = "";
  let statementNo = "";
  let currency: string | null = null;
  let position = 0;
  let statements = 0;

  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    switch (f.tag) {
      case "20":
        statementRef = f.value.trim();
        statements += 1;
        break;
      case "25": {
        const a = f.value.trim().replace(/\s+/g, "");
        if (account !== null && account !== a) throw unreadable(`Line ${f.line}: the file holds statements of two accounts (${account}, ${a})`);
        account = a;
        break;
      }
      case "28C":
        statementNo = f.value.trim();
        position = 0;
        break;
      case "60F":
      case "60M": {
        const m = /^[CD]\d{6}([A-Z]{3})/.exec(f.value);
        if (!m) throw unreadable(`Line ${f.line}: the opening balance (:${f.tag}:) is malformed`);
        currency = m[1]!;
        break;
      }
      case "61": {
        position += 1;
        const next = fields[i + 1];
        const details = next?.tag === "86" ? next.value : null;
        try {
          if (currency === null) throw new EntryError("an entry before the opening balance (:60F:) that names its currency");
          entries.push(readEntry(f, details, entryCurrency(currency), `${statementRef}/${statementNo}/${position}`));
        } catch (err) {
          if (!(err instanceof EntryError)) throw err;
          rejected.push({ line: f.line, reason: `line ${f.line}: ${err.message}` });
        }
        break;
      }
      default:
        break;
    }
  }
  if (statements === 0 || account === null) throw unreadable("The file is not an MT940 statement (no :20: or :25: field)");
  return { format: "mt940", account, entries, rejected };
}

function readEntry(f: Field, details: string | null, currency: string, fallbackRef: string): StatementEntry {
  // The :61: field's second line (supplementary details) is not needed: :86: carries the party.
  const m = ENTRY_LINE.exec(f.value.split("\n")[0]!.trim());
  if (!m) throw new EntryError("the :61: entry line is malformed");
  const [, yy, mm, dd, , mark, , amountText, , rest] = m;
  const bookingDate = `${2000 + Number(yy)}-${mm}-${dd}`;
  if (!isCalendarDate(bookingDate)) throw new EntryError("the value date is not a date");
  const [customerRef, bankRef] = rest!.split("//");
  const usable = (r: string | undefined) => (r && r.trim() !== "" && r.trim().toUpperCase() !== "NONREF" ? r.trim() : null);
  const info = parseDetails(details);
  return {
    line: f.line,
    bankRef: usable(bankRef) ?? fallbackRef,
    bookingDate,
    ...entryAmount(amountText, currency, ","),
    currency,
    direction: mark!.endsWith("C") ? "credit" : "debit",
    reversal: mark!.startsWith("R"),
    booked: true,
    remittance: { unstructured: info.purpose, structured: usable(customerRef) !== null ? [customerRef!.trim()] : [] },
    partyName: info.name,
    partyIban: info.iban,
    endToEndId: info.endToEndId,
  };
}

interface Details {
  purpose: string[];
  name: string | null;
  iban: string | null;
  endToEndId: string | null;
}

/** :86: as German structured subfields (?20-?29, ?60-?63 purpose; ?32-?33 name; ?31 account) or free text. */
function parseDetails(details: string | null): Details {
  if (details === null) return { purpose: [], name: null, iban: null, endToEndId: null };
  const flat = details.replace(/\n/g, "");
  if (!/^\d{3}\?\d{2}/.test(flat)) return { purpose: [details.replace(/\n/g, " ").trim()], name: null, iban: null, endToEndId: null };
  const sub = new Map<string, string>();
  for (const part of flat.slice(3).split("?").slice(1)) sub.set(part.slice(0, 2), (sub.get(part.slice(0, 2)) ?? "") + part.slice(2));
  const join = (keys: string[]) => keys.map((k) => sub.get(k) ?? "").join("");
  const purposeText = join(["20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "60", "61", "62", "63"]);
  const sepa = sepaKeys(purposeText);
  const name = join(["32", "33"]).trim();
  const account = (sub.get("31") ?? "").trim().replace(/\s+/g, "").toUpperCase();
  return {
    purpose: [sepa.get("SVWZ") ?? purposeText].filter((p) => p.trim() !== "").map((p) => p.trim()),
    name: name === "" ? null : name,
    iban: /^[A-Z]{2}\d{2}[A-Z0-9]{10,30}$/.test(account) ? account : null,
    endToEndId: sepa.get("EREF") ?? null,
  };
}

/** SEPA keys inside the purpose text: "EREF+E2E-1SVWZ+RMP0A1B2C" → EREF, SVWZ. */
function sepaKeys(purpose: string): Map<string, string> {
  const keys = new Map<string, string>();
  const re = /(EREF|KREF|MREF|CRED|DEBT|SVWZ|ABWA|ABWE)\+/g;
  const marks = [...purpose.matchAll(re)];
  marks.forEach((m, i) => {
    const end = i + 1 < marks.length ? marks[i + 1]!.index : purpose.length;
    const value = purpose.slice(m.index + m[0].length, end).trim();
    if (value !== "" && value !== "NOTPROVIDED") keys.set(m[1]!, value);
  });
  return keys;
}
