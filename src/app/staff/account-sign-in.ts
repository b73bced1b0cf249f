// Signing in to the operator console (realm operator, staff) and the merchant portal (realm merchant,
// merchant users): e-mail and password (scrypt, as for card customers), then a TOTP code or a recovery
// code (or, the first time, enrolling a TOTP app). Sessions live in the database: the cookie holds 256
// random bits, the row their SHA-256, so signing out, disabling a person or changing their role ends a
// session at once. Failed attempts lock the account (per IP after 5, from everywhere after 20, for 15
// minutes) with the card customers' counters.
import { randomBytes } from "node:crypto";
import { hashKey } from "../../core/crypto/api-keys.js";
import { verifyPassword } from "../../core/crypto/password-hash.js";
import { AppError } from "../../core/shared/errors.js";
import { appendAudit } from "../../db/audit/audit-log.js";
import { outsideAuditScope } from "../../db/audit/audit-scope.js";
import type { AccountRealm } from "../../db/staff/account-realm.js";
import { findLiveSession, insertSession, revokeSession } from "../../db/staff/account-sessions.js";
import { findAccountByEmail } from "../../db/staff/account-users.js";
import { csrfMatches, sessionCsrfToken, sessionTestModeMark, testModeMarkMatches } from "../auth/signed-session.js";
import { clearFailures, countFailure, refuseIfLocked, serialisedAttempt } from "../card/customer-auth.js";
import type { Deps } from "../deps.js";
import { confirmTotpEnrolment, verifySecondFactor } from "./second-factor.js";

/**
 * What differs between the realms: the audit actor's prefix and action names (`staff:<id>`,
 * staff.sign-in; `merchant-user:<id>`, merchant-user.sign-in), the area named in the entry, and the
 * purpose the CSRF tokens are derived for (a console token is worthless in the portal and back).
 */
const REALMS = {
  operator: { actor: "staff", via: "console", csrf: "operator-session" },
  merchant: { actor: "merchant-user", via: "portal", csrf: "merchant-user-session" },
} as const satisfies Record<AccountRealm, { actor: string; via: string; csrf: string }>;

export const SESSION_TTL_MS = 8 * 3600_000;
/** Between the password and the second factor. */
const PENDING_TTL_MS = 10 * 60_000;
const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;

/** A session and its person; `role` is the realm's (the caller checks it against its own role list). */
interface AccountSession {
  realm: AccountRealm;
  userId: string;
  email: string;
  role: string;
  stage: "password" | "full";
}

/** The lock-out counters' keys: staff:<email> and staff-ip:<email>:<ip> (merchant-user:… for the portal). */
export const failureKeys = (realm: AccountRealm, email: string, ip: string) => {
  const p = REALMS[realm].actor;
  return { account: `${p}:${email.toLowerCase()}`, accountIp: `${p}-ip:${email.toLowerCase()}:${ip}` };
};

async function openSession(deps: Deps, realm: AccountRealm, userId: string, stage: AccountSession["stage"], ip: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = deps.clock.now();
  const ttl = stage === "full" ? SESSION_TTL_MS : PENDING_TTL_MS;
  await insertSession(deps.database.db, realm, { tokenHash: hashKey(token), userId, stage, ip, now, expiresAt: new Date(now.getTime() + ttl) });
  return token;
}

/**
 * Sign-in, sign-out and failed attempts in the audit log (they are no console action, so no request
 * scope records them). Each in its own transaction after the step it records. A failure names the
 * account when the e-mail is one (actor `staff:<id>`), else `anonymous` without the typed e-mail: the
 * log is never rewritten, so it keeps no one's personal data. `action` is sign-in, sign-in.failed or
 * sign-out, prefixed by the realm's actor (staff.sign-in).
 */
async function auditSignIn(
  deps: Deps,
  realm: AccountRealm,
  e: { userId: string | null; email: string | null; action: string; ip: string; details: Record<string, unknown> },
): Promise<void> {
  const { actor, via } = REALMS[realm];
  const entry = {
    actor: e.userId ? `${actor}:${e.userId}` : "anonymous",
    actorName: e.userId ? e.email : null,
    action: `${actor}.${e.action}`,
    subject: e.userId ?? "",
    details: { via, ...e.details },
    ip: e.ip,
    at: deps.clock.now(),
  };
  await outsideAuditScope(() => deps.database.db.transaction().execute((trx) => appendAudit(trx, entry)));
}

/** The password step: a session at stage 'password' and whether the person still has to enrol TOTP. */
export async function signInWithPassword(deps: Deps, realm: AccountRealm, a: { email: unknown; password: unknown; ip: string }): Promise<{ token: string; enrolled: boolean }> {
  const email = typeof a.email === "string" ? a.email.trim().slice(0, MAX_EMAIL) : "";
  const password = typeof a.password === "string" ? a.password.slice(0, MAX_PASSWORD) : "";
  const keys = failureKeys(realm, email, a.ip);
  const { u, ok } = await serialisedAttempt(deps, keys, async (trx) => {
    await refuseIfLocked(trx, keys, deps.clock.now());
    const u = email ? await findAccountByEmail(trx, realm, email) : undefined;
    // An invited merchant user without a password yet has a null hash: verifyPassword refuses it (in the same time).
    const ok = (await verifyPassword(password, u?.password_hash ?? null)) && u !== undefined && !u.disabled_at;
    if (!ok) await countFailure(trx, keys, deps.clock.now());
    return { u, ok };
  });
  if (!u || !ok) {
    await auditSignIn(deps, realm, { userId: u?.id ?? null, email: u?.email ?? null, action: "sign-in.failed", ip: a.ip, details: { step: "password" } });
    throw new AppError("unauthorized", { message: "The e-mail or password is wrong." });
  }
  return { token: await openSession(deps, realm, u.id, "password", a.ip), enrolled: u.totp_enabled_at !== null };
}

/** The session behind a cookie, or null (unknown, revoked, expired, or its person disabled). */
export async function readAccountSession(deps: Deps, realm: AccountRealm, token: string | undefined): Promise<AccountSession | null> {
  if (!token || token.length > 64) return null;
  const s = await findLiveSession(deps.database.db, realm, hashKey(token), deps.clock.now());
  if (!s) return null;
  return { realm, userId: s.user_id, email: s.email, role: s.role, stage: s.stage };
}

/** Replaces the half-way session by a full one (a new token, so a token seen before sign-in is worthless). */
async function promote(deps: Deps, token: string, s: AccountSession, ip: string): Promise<string> {
  await revokeSession(deps.database.db, s.realm, hashKey(token), deps.clock.now());
  return openSession(deps, s.realm, s.userId, "full", ip);
}

async function pending(deps: Deps, realm: AccountRealm, token: string): Promise<AccountSession> {
  const s = await readAccountSession(deps, realm, token);
  if (!s || s.stage !== "password") throw new AppError("unauthorized", { message: "The sign-in has expired: start again." });
  return s;
}

/** The second step: a TOTP or recovery code; returns the full session's token. */
export async function completeSignIn(deps: Deps, realm: AccountRealm, token: string, code: unknown, ip: string): Promise<string> {
  const s = await pending(deps, realm, token);
  if (!(await verifySecondFactor(deps, realm, s.userId, typeof code === "string" ? code : "", true, failureKeys(realm, s.email, ip)))) {
    await auditSignIn(deps, realm, { userId: s.userId, email: s.email, action: "sign-in.failed", ip, details: { step: "second-factor" } });
    throw new AppError("invalid_second_factor", { field: "code" });
  }
  const full = await promote(deps, token, s, ip);
  await auditSignIn(deps, realm, { userId: s.userId, email: s.email, action: "sign-in", ip, details: { role: s.role } });
  return full;
}

/** First sign-in: the first TOTP code confirms the enrolment; returns the full session and the recovery codes. */
export async function completeEnrolment(deps: Deps, realm: AccountRealm, token: string, code: unknown, ip: string): Promise<{ token: string; recoveryCodes: string[] }> {
  const s = await pending(deps, realm, token);
  const recoveryCodes = await confirmTotpEnrolment(deps, realm, s.userId, typeof code === "string" ? code : "");
  // Proven as by a code at sign-in (verifySecondFactor clears there): earlier slips no longer count.
  await clearFailures(deps.database.db, failureKeys(realm, s.email, ip));
  const full = await promote(deps, token, s, ip);
  await auditSignIn(deps, realm, { userId: s.userId, email: s.email, action: "sign-in", ip, details: { role: s.role, enrolled: "totp" } });
  return { token: full, recoveryCodes };
}

/** Ends the session; a signed-in person's sign-out is recorded (a half-way or stale cookie's is not). */
export async function signOut(deps: Deps, realm: AccountRealm, token: string | undefined, ip: string): Promise<void> {
  if (!token || token.length > 64) return;
  const s = await readAccountSession(deps, realm, token);
  await revokeSession(deps.database.db, realm, hashKey(token), deps.clock.now());
  if (s?.stage === "full") await auditSignIn(deps, realm, { userId: s.userId, email: s.email, action: "sign-out", ip, details: {} });
}

/** The session's token for its forms (the cookie is SameSite=Strict too; this is defence in depth). */
export const accountCsrfToken = (deps: Deps, realm: AccountRealm, token: string): string => sessionCsrfToken(deps.config.secretKey, REALMS[realm].csrf, token);

export const accountCsrfValid = (deps: Deps, realm: AccountRealm, token: string, sent: unknown): boolean =>
  csrfMatches(deps.config.secretKey, REALMS[realm].csrf, token, sent);

/** The merchant portal's test-mode cookie value for this session (signed-session.ts). */
export const accountTestModeMark = (deps: Deps, realm: AccountRealm, token: string): string => sessionTestModeMark(deps.config.secretKey, REALMS[realm].csrf, token);

export const accountTestModeValid = (deps: Deps, realm: AccountRealm, token: string, sent: unknown): boolean =>
  testModeMarkMatches(deps.config.secretKey, REALMS[realm].csrf, token, sent);
