// Stateless browser sessions: `<payload>.<mac>` where the payload is {sub, exp} and the MAC is keyed
// with a per-purpose key derived from the instance secret, so an operator token can never pass as a
// trader token (or the other way round). The caller re-checks `sub` against the database on each
// request, so revoking the underlying key ends every session made from it.
import { createHmac, timingSafeEqual } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";

type SessionPurpose = "operator-session" | "trader-session" | "merchant-user-session";

function mac(secret: string, purpose: SessionPurpose, payload: string): string {
  return createHmac("sha256", derivedKey(secret, purpose)).update(payload).digest("base64url");
}

export function issueSignedSession(secret: string, purpose: SessionPurpose, sub: string, expiresAt: Date): string {
  const payload = Buffer.from(JSON.stringify({ sub, exp: expiresAt.getTime() })).toString("base64url");
  return `${payload}.${mac(secret, purpose, payload)}`;
}

/** The subject of a well-signed, unexpired token, or null. Does not look anything up. */
export function verifySignedSession(secret: string, purpose: SessionPurpose, token: string | undefined, now: Date): string | null {
  if (!token) return null;
  const [payload, sig, extra] = token.split(".");
  if (!payload || !sig || extra !== undefined) return null;
  const expected = Buffer.from(mac(secret, purpose, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let claims: { sub?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return null;
  }
  if (typeof claims.sub !== "string" || typeof claims.exp !== "number" || claims.exp <= now.getTime()) return null;
  return claims.sub;
}

/** A per-session token for forms (the cookie is SameSite=Strict too; this is defence in depth). */
export function sessionCsrfToken(secret: string, purpose: SessionPurpose, token: string): string {
  return mac(secret, purpose, `csrf:${token}`);
}

/** Constant-time comparison of a submitted CSRF field with the session's token. */
export function csrfMatches(secret: string, purpose: SessionPurpose, token: string, sent: unknown): boolean {
  return sameText(sessionCsrfToken(secret, purpose, token), sent);
}

/**
 * The value of a cookie that puts this session in test mode (issue 19): bound to the session's token,
 * so it is worthless after sign-out or for another session, and unlike the CSRF token never in a page.
 */
export function sessionTestModeMark(secret: string, purpose: SessionPurpose, token: string): string {
  return mac(secret, purpose, `test-mode:${token}`);
}

/** Whether the cookie sent is this session's test-mode mark (constant time). */
export function testModeMarkMatches(secret: string, purpose: SessionPurpose, token: string, sent: unknown): boolean {
  return sameText(sessionTestModeMark(secret, purpose, token), sent);
}

function sameText(expected: string, sent: unknown): boolean {
  if (typeof sent !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
