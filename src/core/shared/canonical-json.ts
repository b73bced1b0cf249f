// JSON with every object's keys sorted: one text for one value, whatever order its keys came in or
// whatever whitespace it was sent with. Hashes of a value (the audit chain, request fingerprints) use
// it, so a jsonb round trip or a client that serialises its retry anew hashes the same.

export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}
