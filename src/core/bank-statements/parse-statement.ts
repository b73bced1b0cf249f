// One entry point for every statement format: bounds the size, decodes the bytes as UTF-8 and hands
// the text to the reader its first characters name (XML: camt; a SWIFT envelope or :20: field: MT940;
// anything else: CSV, when the account has a column mapping).
import { AppError } from "../shared/errors.js";
import { parseCamt } from "./camt.js";
import { parseCsv } from "./csv.js";
import type { CsvMapping } from "./csv-mapping.js";
import { looksLikeMt940, parseMt940 } from "./mt940.js";
import { type ParsedStatement, unreadable } from "./statement-entry.js";

interface ParseOptions {
  maxBytes: number;
  /** The account's CSV column mapping, when it has one. */
  csvMapping: CsvMapping | null;
}

export function parseStatement(bytes: Uint8Array, opts: ParseOptions): ParsedStatement {
  if (bytes.byteLength > opts.maxBytes) {
    throw new AppError("statement_too_large", { message: `The statement file has ${bytes.byteLength} bytes; the limit is ${opts.maxBytes} (RAMPART_STATEMENT_MAX_BYTES).` });
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw unreadable("The file is not UTF-8 text");
  }
  if (text.includes("\u0000")) throw unreadable("The file holds NUL characters: it is not a text statement");
  const start = text.replace(/^\uFEFF/, "").trimStart();
  if (start === "") throw unreadable("The file is empty");
  if (start.startsWith("<")) return parseCamt(start);
  if (start.startsWith("{1:") || looksLikeMt940(start)) return parseMt940(start);
  if (opts.csvMapping !== null) return parseCsv(text, opts.csvMapping);
  throw new AppError("csv_mapping_required", {
    message: "The file is not camt.053, camt.054 or MT940; read as CSV it needs a column mapping for its account (send one with the import).",
  });
}
