// The audit log's hash chain (migration 0044_a): each entry's hash covers its own content and the hash
// of the entry before it, so changing, removing or reordering an entry breaks every link from there on.
// The content is serialised canonically (object keys sorted), so a jsonb round trip, which reorders
// keys, hashes the same as the value that was written.
import { createHash } from "node:crypto";

/** The "previous hash" of the first entry in the chain. */
export const GENESIS_HASH = "0".repeat(64);

interface ChainedContent {
  seq: string;
  actor: string;
  actorName: string | null;
  action: string;
  subject: string;
  details: unknown;
  ip: string | null;
  at: Date;
}

/** JSON with every object's keys sorted: one text for one value, whatever order its keys came in. */
function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v) ?? "null";
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(",")}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(",")}}`;
}

/** sha256 (hex) of the previous entry's hash and this entry's content. */
export function auditEntryHash(prevHash: string, c: ChainedContent): string {
  const content = canonicalJson([c.seq, c.actor, c.actorName, c.action, c.subject, c.details, c.ip, c.at.toISOString()]);
  return createHash("sha256").update(`${prevHash}\n${content}`).digest("hex");
}
