// Links that carry their own proof: `<id>.<mac>` where the MAC is keyed with a per-purpose key derived
// from the instance secret. Nothing is stored, so the same link can be given again (a replayed create,
// a status read), and a link made for one purpose never opens another page.
import { createHmac, timingSafeEqual } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";

/** Each purpose is its own key: a 3-D Secure link is not a checkout link even for the same id. */
type LinkPurpose = "card-3ds-link" | "intent-checkout-link" | "intent-checkout-kyc";

/** 18 bytes: 24 base64url characters, 144 bits no one can guess. */
export function linkMac(secret: string, purpose: LinkPurpose, id: string): Buffer {
  return createHmac("sha256", derivedKey(secret, purpose)).update(id).digest().subarray(0, 18);
}

export function signedLinkToken(secret: string, purpose: LinkPurpose, id: string): string {
  return `${id}.${linkMac(secret, purpose, id).toString("base64url")}`;
}

/** The id of a genuine token whose id matches `idPattern` (anchored, no dot), else null. Constant-time. */
export function idOfSignedLink(secret: string, purpose: LinkPurpose, token: string, idPattern: RegExp): string | null {
  const dot = token.lastIndexOf(".");
  if (dot < 0) return null;
  const id = token.slice(0, dot);
  const sig = token.slice(dot + 1);
  if (!idPattern.test(id) || !/^[A-Za-z0-9_-]{24}$/.test(sig)) return null;
  const given = Buffer.from(sig, "base64url");
  const expected = linkMac(secret, purpose, id);
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}
