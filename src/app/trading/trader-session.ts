// Browser sessions for the trader cabinet, made after the trader presents a trader key. The subject
// is the trader key id; each request re-checks that key (and its trader) is still active.
import { csrfMatches, issueSignedSession, sessionCsrfToken, verifySignedSession } from "../auth/signed-session.js";
import { findActiveTraderKey } from "../../db/trading/traders.js";
import type { Deps } from "../deps.js";
import { authenticateTrader } from "./traders.js";

export const TRADER_SESSION_TTL_MS = 8 * 3600_000;
const PURPOSE = "trader-session";

/** Checks the presented trader key and returns a session token for it. Throws AppError unauthorized. */
export async function signInTrader(deps: Deps, presented: string | undefined): Promise<{ traderId: string; token: string }> {
  const { traderId, traderKeyId } = await authenticateTrader(deps, presented);
  const token = issueSignedSession(deps.config.secretKey, PURPOSE, traderKeyId, new Date(deps.clock.now().getTime() + TRADER_SESSION_TTL_MS));
  return { traderId, token };
}

/** The trader id of a valid session, or null. */
export async function verifyTraderSession(deps: Deps, token: string | undefined): Promise<string | null> {
  const keyId = verifySignedSession(deps.config.secretKey, PURPOSE, token, deps.clock.now());
  if (!keyId) return null;
  return (await findActiveTraderKey(deps.database.db, keyId))?.trader_id ?? null;
}

export function traderCsrfToken(deps: Deps, session: string): string {
  return sessionCsrfToken(deps.config.secretKey, PURPOSE, session);
}

export function traderCsrfValid(deps: Deps, session: string, sent: unknown): boolean {
  return csrfMatches(deps.config.secretKey, PURPOSE, session, sent);
}
