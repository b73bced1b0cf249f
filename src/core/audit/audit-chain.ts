// The audit log's hash chain (migration 0044_a): each entry's hash covers its own content and the hash
// of the entry before it, so changing, removing or reordering an entry breaks every link from there on.
// The content is serialised canonically (object keys sorted), so a jsonb round trip, which reorders
// keys, hashes the same as the value that was written.
import { createHash } from "node:crypto";
import { canonicalJson } from "../shared/canonical-json.js";

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

/** sha256 (hex) of the previous entry's hash and this entry's content. */
export function auditEntryHash(prevHash: string, c: ChainedContent): string {
  const content = canonicalJson([c.seq, c.actor, c.actorName, c.action, c.subject, c.details, c.ip, c.at.toISOString()]);
  return createHash("sha256").update(`${prevHash}\n${content}`).digest("hex");
}
