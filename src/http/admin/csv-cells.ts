// CSV for spreadsheets (RFC 4180 quoting), with the formula-injection guard OWASP recommends: a cell
// that starts with = + - @ (or a tab or carriage return) is read by Excel and LibreOffice as a
// formula, so it gets a leading apostrophe. Payer e-mails and merchants' order numbers are free text.
// Exports are streamed: the next batch is read only once the socket has taken the last one (stream
// backpressure), so an export of hundreds of thousands of rows holds one batch in memory.
import { Readable } from "node:stream";
import type { FastifyReply } from "fastify";

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | null): string {
  if (value === null) return "";
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export const csvLine = (cells: (string | null)[]): string => `${cells.map(csvCell).join(",")}\r\n`;

/**
 * Sends `batches` (already started, so a bad filter has thrown before the response began) as a CSV
 * download named `filename`, one line per item.
 */
export function sendCsvStream<T>(reply: FastifyReply, filename: string, header: string[], batches: AsyncIterable<T[]>, line: (item: T) => string) {
  async function* lines() {
    yield csvLine(header);
    for await (const batch of batches) yield batch.map(line).join("");
  }
  return reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${filename}"`)
    .header("cache-control", "no-store")
    .send(Readable.from(lines(), { objectMode: false }));
}
