// A canonical UUID (any version, either case). Checked before a uuid column is queried: PostgreSQL
// rejects a malformed one with an error, and an id that cannot exist is simply "not found".
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(v: string): boolean {
  return UUID.test(v);
}
