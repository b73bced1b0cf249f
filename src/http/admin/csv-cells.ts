// CSV for spreadsheets (RFC 4180 quoting), with the formula-injection guard OWASP recommends: a cell
// that starts with = + - @ (or a tab or carriage return) is read by Excel and LibreOffice as a
// formula, so it gets a leading apostrophe. Payer e-mails and merchants' order numbers are free text.

const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(value: string | null): string {
  if (value === null) return "";
  const guarded = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

export const csvLine = (cells: (string | null)[]): string => `${cells.map(csvCell).join(",")}\r\n`;
