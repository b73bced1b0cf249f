// A bank's CSV export read through the account's saved column mapping (csv-mapping.ts). Fields follow
// RFC 4180: quoted with double quotes, a doubled quote inside, line breaks allowed inside quotes. The
// first row is the header; each later row is one entry, and its line number is where the row starts.
import { type CsvMapping } from "./csv-mapping.js";
import { entryAmount, entryCurrency } from "./entry-amount.js";
import { EntryError, isCalendarDate, type ParsedStatement, type RejectedLine, type StatementEntry, unreadable } from "./statement-entry.js";

interface Row {
  line: number;
  cells: string[];
}

function rowsOf(input: string, delimiter: string): Row[] {
  const rows: Row[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  const text = input.startsWith("\uFEFF") ? input.slice(1) : input;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === "\n") line++;
        cell += ch;
      }
    } else if (ch === '"' && cell === "") quoted = true;
    else if (ch === delimiter) {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      cells.push(cell);
      if (cells.some((c) => c.trim() !== "")) rows.push({ line: rowLine, cells });
      cells = [];
      cell = "";
      line++;
      rowLine = line;
    } else cell += ch;
  }
  if (quoted) throw unreadable(`The CSV has a quoted field opened on line ${rowLine} that never closes`);
  cells.push(cell);
  if (cells.some((c) => c.trim() !== "")) rows.push({ line: rowLine, cells });
  return rows;
}

function isoDate(value: string, format: CsvMapping["dateFormat"]): string {
  const v = value.trim();
  const parts = format === "YYYY-MM-DD" ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(v) : /^(\d{2})[./](\d{2})[./](\d{4})$/.exec(v);
  if (!parts) throw new EntryError(`booking date ${JSON.stringify(v.slice(0, 20))} is not ${format}`);
  const [, a, b, c] = parts;
  const iso = format === "YYYY-MM-DD" ? `${a}-${b}-${c}` : format === "MM/DD/YYYY" ? `${c}-${a}-${b}` : `${c}-${b}-${a}`;
  if (!isCalendarDate(iso)) throw new EntryError(`booking date ${v} is not a date`);
  return iso;
}

export function parseCsv(input: string, mapping: CsvMapping): ParsedStatement {
  const rows = rowsOf(input, mapping.delimiter);
  const header = rows.shift();
  if (!header) throw unreadable("The CSV file is empty");
  const index = new Map(header.cells.map((h, i) => [h.trim(), i]));
  const { columns } = mapping;
  const wanted = [columns.bankRef, columns.bookingDate, columns.amount, columns.currency, columns.direction, columns.payerName, columns.payerIban, columns.endToEndId, ...columns.remittance];
  const missing = wanted.filter((c): c is string => c !== null && !index.has(c));
  if (missing.length > 0) throw unreadable(`The CSV header lacks the mapped column(s) ${missing.map((m) => JSON.stringify(m)).join(", ")}`);
  const cell = (row: Row, name: string | null) => (name === null ? "" : (row.cells[index.get(name)!] ?? "").trim());
  const orNull = (s: string) => (s === "" ? null : s);

  const entries: StatementEntry[] = [];
  const rejected: RejectedLine[] = [];
  for (const row of rows) {
    try {
      const bankRef = cell(row, columns.bankRef);
      if (bankRef === "") throw new EntryError("no bank reference");
      const currency = entryCurrency(columns.currency === null ? mapping.currency : cell(row, columns.currency));
      let amountText = cell(row, columns.amount);
      if (mapping.thousandsSeparator !== "") amountText = amountText.split(mapping.thousandsSeparator).join("");
      const negative = amountText.startsWith("-");
      if (negative) amountText = amountText.slice(1);
      let direction: "credit" | "debit" = negative ? "debit" : "credit";
      if (columns.direction !== null) {
        if (negative) throw new EntryError("a negative amount with a direction column");
        direction = mapping.creditValues.includes(cell(row, columns.direction).toUpperCase()) ? "credit" : "debit";
      }
      const iban = cell(row, columns.payerIban).replace(/\s+/g, "").toUpperCase();
      entries.push({
        line: row.line,
        bankRef,
        bookingDate: isoDate(cell(row, columns.bookingDate), mapping.dateFormat),
        ...entryAmount(amountText, currency, mapping.decimalSeparator),
        currency,
        direction,
        reversal: false,
        booked: true,
        remittance: { unstructured: columns.remittance.map((c) => cell(row, c)).filter((s) => s !== ""), structured: [] },
        partyName: orNull(cell(row, columns.payerName)),
        partyIban: orNull(iban),
        endToEndId: orNull(cell(row, columns.endToEndId)),
      });
    } catch (err) {
      if (!(err instanceof EntryError)) throw err;
      rejected.push({ line: row.line, reason: `line ${row.line}: ${err.message}` });
    }
  }
  return { format: "csv", account: null, entries, rejected };
}
