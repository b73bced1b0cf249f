// Instants a request may carry into SQL. PostgreSQL's dates have no year 0 and refuse a year past
// 9999 written as ISO text, and JavaScript's Date accepts both (and rolls 2026-02-30 over into
// March): such a value used to reach a query and fail there, a 500. Every date a request sends, as a
// filter or inside a cursor, is checked here first and refused with a 400.

/** A valid Date in the years 0001–9999 (UTC). */
export function storableDate(d: Date): boolean {
  const year = d.getUTCFullYear();
  return year >= 1 && year <= 9999; // NaN for an invalid Date: false
}

/** Our cursors' instants: milliseconds (Date's toISOString) or microseconds (PostgreSQL's timestamptz). */
const ISO_INSTANT = { 3: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/, 6: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/ } as const;

/** A UTC ISO instant with exactly `digits` fractional digits, as our cursors carry them, that is a real, storable date. */
export function realInstant(v: unknown, digits: 3 | 6): v is string {
  if (typeof v !== "string" || !ISO_INSTANT[digits].test(v)) return false;
  const d = new Date(v);
  return storableDate(d) && d.toISOString().slice(0, 19) === v.slice(0, 19);
}
