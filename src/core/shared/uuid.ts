// A canonical UUID (any version). Checked before a uuid column is queried: PostgreSQL rejects a
// malformed one with an error, and an id that cannot exist is simply "not found".

/** For request schemas: lower case, as Rampart stores and prints ids. */
export const UUID_PATTERN = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$";

const UUID = new RegExp(UUID_PATTERN, "i");

/** Either case (headers and paths are matched case-insensitively before lower-casing). */
export function isUuid(v: string): boolean {
  return UUID.test(v);
}
