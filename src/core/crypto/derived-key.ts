// Per-purpose keys derived from the instance secret (HKDF-SHA256, salt "rampart", info = purpose, 32
// bytes), kept once derived. A derivation cost a sixth of a cached intent status read's CPU (every read
// signs its checkout link, issue 16). A kept key is a function of the secret this process already holds,
// so keeping it exposes nothing the secret does not.
import { hkdfSync } from "node:crypto";

const derived = new Map<string, Buffer>();
/** A process has one secret (tests make a few more); the bound only stops unbounded growth. */
const MAX_KEPT = 64;

export function derivedKey(secret: string, purpose: string): Buffer {
  const name = `${purpose}\n${secret}`;
  let key = derived.get(name);
  if (key === undefined) {
    if (derived.size >= MAX_KEPT) derived.clear();
    key = Buffer.from(hkdfSync("sha256", secret, "rampart", purpose, 32));
    derived.set(name, key);
  }
  return key;
}
