// API and operator keys: `<prefix>_<id>_<secret>`. The id finds the row; a SHA-256 of the whole key
// authenticates it, compared in constant time. The keys are 256-bit random, so a fast hash is right
// (there is nothing to brute-force, unlike a password).
import { hash, randomBytes, timingSafeEqual } from "node:crypto";

export interface ParsedKey {
  id: string;
  key: string;
}

export function generateKey(prefix: string): ParsedKey {
  const id = randomBytes(8).toString("hex");
  const secret = randomBytes(32).toString("base64url");
  return { id, key: `${prefix}_${id}_${secret}` };
}

/** Derives a key deterministically (sandbox credentials that can be printed again at every start). */
export function deriveKey(prefix: string, seed: Buffer): ParsedKey {
  const id = seed.subarray(0, 8).toString("hex");
  const secret = seed.subarray(8, 40).toString("base64url");
  return { id, key: `${prefix}_${id}_${secret}` };
}

/** One-shot: a third cheaper than createHash().update().digest(), and every API request hashes its key. */
export function hashKey(key: string): Buffer {
  return hash("sha256", key, "buffer");
}

/** Parses `<prefix>_<16 hex>_<secret>` (a prefix may carry `_test`); null for anything else (the caller answers 401). */
export function parseKey(prefix: string, key: string): ParsedKey | null {
  const m = /^([a-z]+(?:_test)?)_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/.exec(key);
  if (!m || m[1] !== prefix) return null;
  return { id: m[2]!, key };
}

const DUMMY_HASH = hashKey("dummy");

/** Constant-time comparison of a presented key against a stored hash (or a dummy when unknown). */
export function keyMatches(key: string, storedHash: Buffer | null): boolean {
  const presented = hashKey(key);
  const expected = storedHash && storedHash.length === presented.length ? storedHash : DUMMY_HASH;
  return timingSafeEqual(presented, expected) && storedHash !== null;
}
