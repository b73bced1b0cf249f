// Browser sessions for the operator dashboard: a signed, expiring token in an HttpOnly cookie, made
// after the operator presents an operator key. Nothing is stored server-side; revoking the operator
// key ends every session made from it (the key is re-checked on each request).
import { findActiveOperatorKey } from "../../db/credentials.js";
import type { Deps } from "../deps.js";
import { csrfMatches, issueSignedSession, sessionCsrfToken, verifySignedSession } from "./signed-session.js";

export const OPERATOR_SESSION_TTL_MS = 8 * 3600_000;
const PURPOSE = "operator-session";

export function issueOperatorSession(deps: Deps, operatorKeyId: string): string {
  return issueSignedSession(deps.config.secretKey, PURPOSE, operatorKeyId, new Date(deps.clock.now().getTime() + OPERATOR_SESSION_TTL_MS));
}

/** The operator key id of a valid session, or null. */
export async function verifyOperatorSession(deps: Deps, token: string | undefined): Promise<string | null> {
  const sub = verifySignedSession(deps.config.secretKey, PURPOSE, token, deps.clock.now());
  if (!sub) return null;
  return (await findActiveOperatorKey(deps.database.db, sub)) ? sub : null;
}

export function csrfToken(deps: Deps, session: string): string {
  return sessionCsrfToken(deps.config.secretKey, PURPOSE, session);
}

export function operatorCsrfValid(deps: Deps, session: string, sent: unknown): boolean {
  return csrfMatches(deps.config.secretKey, PURPOSE, session, sent);
}
