// Browser sessions for the operator dashboard: a signed, expiring token in an HttpOnly cookie, made
// after the operator presents an operator key. Nothing is stored server-side; revoking the operator
// key ends every session made from it (the key is re-checked on each request).
import { createHmac, hkdfSync, timingSafeEqual } from "node:crypto";
import { findActiveOperatorKey } from "../../db/credentials.js";
import type { Deps } from "../deps.js";

export const OPERATOR_SESSION_TTL_MS = 8 * 3600_000;

function sessionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync("sha256", secret, "rampart", "operator-session", 32));
}

function mac(secret: string, payload: string): string {
  return createHmac("sha256", sessionKey(secret)).update(payload).digest("base64url");
}

export function issueOperatorSession(deps: Deps, operatorKeyId: string): string {
  const payload = Buffer.from(
    JSON.stringify({ sub: operatorKeyId, exp: deps.clock.now().getTime() + OPERATOR_SESSION_TTL_MS }),
  ).toString("base64url");
  return `${payload}.${mac(deps.config.secretKey, payload)}`;
}

/** The operator key id of a valid session, or null. */
export async function verifyOperatorSession(deps: Deps, token: string | undefined): Promise<string | null> {
  if (!token) return null;
  const [payload, sig] = token.split(".");
  if (!payload || !sig) return null;
  const expected = Buffer.from(mac(deps.config.secretKey, payload));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  let claims: { sub?: unknown; exp?: unknown };
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as typeof claims;
  } catch {
    return null;
  }
  if (typeof claims.sub !== "string" || typeof claims.exp !== "number" || claims.exp <= deps.clock.now().getTime()) return null;
  return (await findActiveOperatorKey(deps.database.db, claims.sub)) ? claims.sub : null;
}

/** A per-session token for forms (the cookie is SameSite=Strict too; this is defence in depth). */
export function csrfToken(deps: Deps, session: string): string {
  return mac(deps.config.secretKey, `csrf:${session}`);
}
