// The column mapping of a bank's CSV export, saved per bank account: which header holds what, how
// amounts and dates are written, and how a credit is told from a debit. Checked here, once, when it is
// saved or sent with an import; the CSV reader then trusts it.
import { AppError } from "../shared/errors.js";
import { fiatScale } from "../money/currencies.js";

const CSV_DATE_FORMATS = ["YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY"] as const;

export interface CsvMapping {
  delimiter: "," | ";" | "\t" | "|";
  decimalSeparator: "." | ",";
  /** Grouping in amounts ("1.234,56"): removed before reading. */
  thousandsSeparator: "" | "." | "," | " " | "'";
  dateFormat: (typeof CSV_DATE_FORMATS)[number];
  /** Header names of the columns. */
  columns: {
    bankRef: string;
    bookingDate: string;
    amount: string;
    currency: string | null;
    /** Without it the amount's sign decides: negative is a debit. */
    direction: string | null;
    remittance: string[];
    payerName: string | null;
    payerIban: string | null;
    endToEndId: string | null;
  };
  /** The currency of every row when there is no currency column. */
  currency: string | null;
  /** Values of the direction column that mean a credit (compared ignoring case); any other is a debit. */
  creditValues: string[];
}

const bad = (field: string, message: string) => {
  const at = field === "" ? "mapping" : `mapping.${field}`;
  return new AppError("validation_failed", { field: at, message: `${at}: ${message}` });
};

function str(v: unknown, field: string, required: boolean): string | null {
  if (v === undefined || v === null) {
    if (required) throw bad(field, "is required");
    return null;
  }
  if (typeof v !== "string" || v.length === 0 || v.length > 100) throw bad(field, "must be a header name of 1 to 100 characters");
  return v;
}

function oneOf<T extends string>(v: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (v === undefined) return fallback;
  if (typeof v !== "string" || !(allowed as readonly string[]).includes(v)) throw bad(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`);
  return v as T;
}

/** Validates a mapping as sent (JSON) and fills its defaults. */
export function parseCsvMapping(input: unknown): CsvMapping {
  if (typeof input !== "object" || input === null || Array.isArray(input)) throw bad("", "must be a JSON object");
  const m = input as Record<string, unknown>;
  const known = new Set(["delimiter", "decimalSeparator", "thousandsSeparator", "dateFormat", "columns", "currency", "creditValues"]);
  for (const k of Object.keys(m)) if (!known.has(k)) throw bad(k, "is not a mapping setting");
  const c = m.columns;
  if (typeof c !== "object" || c === null || Array.isArray(c)) throw bad("columns", "must be an object of header names");
  const cols = c as Record<string, unknown>;
  const knownCols = new Set(["bankRef", "bookingDate", "amount", "currency", "direction", "remittance", "payerName", "payerIban", "endToEndId"]);
  for (const k of Object.keys(cols)) if (!knownCols.has(k)) throw bad(`columns.${k}`, "is not a column the import reads");
  const remittanceRaw = cols.remittance === undefined ? [] : Array.isArray(cols.remittance) ? cols.remittance : [cols.remittance];
  const remittance = remittanceRaw.map((r, i) => str(r, `columns.remittance[${i}]`, true)!);
  const currencyCol = str(cols.currency, "columns.currency", false);
  let currency: string | null = null;
  // null as well as absent: a stored mapping (its normalised form, read back for the next import) says null.
  if (m.currency !== undefined && m.currency !== null) {
    if (typeof m.currency !== "string") throw bad("currency", "must be an ISO 4217 code");
    fiatScale(m.currency, "mapping.currency");
    currency = m.currency.toUpperCase();
  }
  if ((currencyCol === null) === (currency === null)) throw bad("currency", "give exactly one of columns.currency or currency");
  const direction = str(cols.direction, "columns.direction", false);
  const creditValues = m.creditValues === undefined ? [] : m.creditValues;
  if (!Array.isArray(creditValues) || creditValues.some((v) => typeof v !== "string" || v.length === 0 || v.length > 20)) throw bad("creditValues", "must be a list of short strings");
  if (direction !== null && creditValues.length === 0) throw bad("creditValues", "is required with columns.direction");
  return {
    delimiter: oneOf(m.delimiter, "delimiter", [",", ";", "\t", "|"] as const, ","),
    decimalSeparator: oneOf(m.decimalSeparator, "decimalSeparator", [".", ","] as const, "."),
    thousandsSeparator: oneOf(m.thousandsSeparator, "thousandsSeparator", ["", ".", ",", " ", "'"] as const, ""),
    dateFormat: oneOf(m.dateFormat, "dateFormat", CSV_DATE_FORMATS, "YYYY-MM-DD"),
    columns: {
      bankRef: str(cols.bankRef, "columns.bankRef", true)!,
      bookingDate: str(cols.bookingDate, "columns.bookingDate", true)!,
      amount: str(cols.amount, "columns.amount", true)!,
      currency: currencyCol,
      direction,
      remittance,
      payerName: str(cols.payerName, "columns.payerName", false),
      payerIban: str(cols.payerIban, "columns.payerIban", false),
      endToEndId: str(cols.endToEndId, "columns.endToEndId", false),
    },
    currency,
    creditValues: (creditValues as string[]).map((v) => v.toUpperCase()),
  };
}
