// Signing in to the operator console: e-mail and password (scrypt, as for card customers), then a TOTP
// code or a recovery code (or, the first time, enrolling a TOTP app). Sessions live in the database:
// the cookie holds 256 random bits, the row their SHA-256, so signing out, disabling a person or
// changing their role ends a session at once. Failed attempts lock the account (per IP after 5, from
// everywhere after 20, for 15 minutes) with the card customers' counters.
import { randomBytes } from "node:crypto";
import { hashKey } from "../../core/crypto/api-keys.js";
import { verifyPassword } from "../../core/crypto/password-hash.js";
import { AppError } from "../../core/shared/errors.js";
import { isOperatorRole, type OperatorRole } from "../../core/staff/roles.js";
import { needsStepUp, stepUpAmountFor } from "../../core/staff/step-up.js";
import { appendAudit } from "../../db/audit/audit-log.js";
import { outsideAuditScope } from "../../db/audit/audit-scope.js";
import { clearLoginFailures, lockedUntil } from "../../db/card/customers.js";
import { findLiveOperatorSession, insertOperatorSession, revokeOperatorSession } from "../../db/staff/operator-sessions.js";
import { findOperatorUserByEmail } from "../../db/staff/operator-users.js";
import { csrfMatches, sessionCsrfToken } from "../auth/signed-session.js";
import { countFailure, retryAfter } from "../card/customer-auth.js";
import type { Deps } from "../deps.js";
import { confirmTotpEnrolment, verifySecondFactor } from "./second-factor.js";

export const STAFF_SESSION_TTL_MS = 8 * 3600_000;
/** Between the password and the second factor. */
const PENDING_TTL_MS = 10 * 60_000;
const MAX_EMAIL = 254;
const MAX_PASSWORD = 1024;

interface StaffSession {
  userId: string;
  email: string;
  role: OperatorRole;
  stage: "password" | "full";
}

const failureKeys = (email: string, ip: string) => ({ account: `staff:${email.toLowerCase()}`, accountIp: `staff-ip:${email.toLowerCase()}:${ip}` });

async function refuseIfLocked(deps: Deps, keys: { account: string; accountIp: string }): Promise<void> {
  const now = deps.clock.now();
  const locked = await lockedUntil(deps.database.db, [keys.account, keys.accountIp], now);
  if (locked) {
    throw new AppError("too_many_attempts", {
      message: `Too many failed sign-ins for this account: try again after ${locked.toISOString().slice(11, 16)} UTC.`,
      headers: retryAfter(locked, now),
    });
  }
}

async function openSession(deps: Deps, userId: string, stage: StaffSession["stage"], ip: string): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  const now = deps.clock.now();
  const ttl = stage === "full" ? STAFF_SESSION_TTL_MS : PENDING_TTL_MS;
  await insertOperatorSession(deps.database.db, { tokenHash: hashKey(token), userId, stage, ip, now, expiresAt: new Date(now.getTime() + ttl) });
  return token;
}

/**
 * Sign-in, sign-out and failed attempts in the audit log (they are no console action, so no request
 * scope records them). Each in its own transaction after the step it records. A failure names the
 * account when the e-mail is one (actor `staff:<id>`), else `anonymous` without the typed e-mail: the
 * log is never rewritten, so it keeps no one's personal data.
 */
async function auditStaff(deps: Deps, e: { userId: string | null; email: string | null; action: string; ip: string; details: Record<string, unknown> }): Promise<void> {
  const entry = {
    actor: e.userId ? `staff:${e.userId}` : "anonymous",
    actorName: e.userId ? e.email : null,
    action: e.action,
    subject: e.userId ?? "",
    details: { via: "console", ...e.details },
    ip: e.ip,
    at: deps.clock.now(),
  };
  await outsideAuditScope(() => deps.database.db.transaction().execute((trx) => appendAudit(trx, entry)));
}

/** The password step: a session at stage 'password' and whether the person still has to enrol TOTP. */
export async function signInWithPassword(deps: Deps, a: { email: unknown; password: unknown; ip: string }): Promise<{ token: string; enrolled: boolean }> {
  const email = typeof a.email === "string" ? a.email.trim().slice(0, MAX_EMAIL) : "";
  const password = typeof a.password === "string" ? a.password.slice(0, MAX_PASSWORD) : "";
  const keys = failureKeys(email, a.ip);
  await refuseIfLocked(deps, keys);
  const u = email ? await findOperatorUserByEmail(deps.database.db, email) : undefined;
  const ok = await verifyPassword(password, u?.password_hash ?? null);
  if (!u || !ok || u.disabled_at) {
    await countFailure(deps.database.db, keys, deps.clock.now());
    await auditStaff(deps, { userId: u?.id ?? null, email: u?.email ?? null, action: "staff.sign-in.failed", ip: a.ip, details: { step: "password" } });
    throw new AppError("unauthorized", { message: "The e-mail or password is wrong." });
  }
  return { token: await openSession(deps, u.id, "password", a.ip), enrolled: u.totp_enabled_at !== null };
}

/** The session behind a cookie, or null (unknown, revoked, expired, or its person disabled). */
export async function readStaffSession(deps: Deps, token: string | undefined): Promise<StaffSession | null> {
  if (!token || token.length > 64) return null;
  const s = await findLiveOperatorSession(deps.database.db, hashKey(token), deps.clock.now());
  if (!s || !isOperatorRole(s.role)) return null;
  return { userId: s.user_id, email: s.email, role: s.role, stage: s.stage };
}

/** Replaces the half-way session by a full one (a new token, so a token seen before sign-in is worthless). */
async function promote(deps: Deps, token: string, s: StaffSession, ip: string): Promise<string> {
  await revokeOperatorSession(deps.database.db, hashKey(token), deps.clock.now());
  await clearLoginFailures(deps.database.db, failureKeys(s.email, ip).account);
  await clearLoginFailures(deps.database.db, failureKeys(s.email, ip).accountIp);
  return openSession(deps, s.userId, "full", ip);
}

async function pending(deps: Deps, token: string): Promise<StaffSession> {
  const s = await readStaffSession(deps, token);
  if (!s || s.stage !== "password") throw new AppError("unauthorized", { message: "The sign-in has expired: start again." });
  return s;
}

/** The second step: a TOTP or recovery code; returns the full session's token. */
export async function completeSignIn(deps: Deps, token: string, code: unknown, ip: string): Promise<string> {
  const s = await pending(deps, token);
  const keys = failureKeys(s.email, ip);
  await refuseIfLocked(deps, keys);
  if (!(await verifySecondFactor(deps, s.userId, typeof code === "string" ? code : "", true))) {
    await countFailure(deps.database.db, keys, deps.clock.now());
    await auditStaff(deps, { userId: s.userId, email: s.email, action: "staff.sign-in.failed", ip, details: { step: "second-factor" } });
    throw new AppError("invalid_second_factor", { field: "code" });
  }
  const full = await promote(deps, token, s, ip);
  await auditStaff(deps, { userId: s.userId, email: s.email, action: "staff.sign-in", ip, details: { role: s.role } });
  return full;
}

/** First sign-in: the first TOTP code confirms the enrolment; returns the full session and the recovery codes. */
export async function completeEnrolment(deps: Deps, token: string, code: unknown, ip: string): Promise<{ token: string; recoveryCodes: string[] }> {
  const s = await pending(deps, token);
  const recoveryCodes = await confirmTotpEnrolment(deps, s.userId, typeof code === "string" ? code : "");
  const full = await promote(deps, token, s, ip);
  await auditStaff(deps, { userId: s.userId, email: s.email, action: "staff.sign-in", ip, details: { role: s.role, enrolled: "totp" } });
  return { token: full, recoveryCodes };
}

/**
 * The step-up before a console action that moves more than RAMPART_STEP_UP_AMOUNT of `currency`: a
 * fresh TOTP code (a recovery code is for signing in only), counted by the sign-in's lock-out. The check
 * runs outside the action's audit scope: it writes (the code's time step, a failure) before the action
 * runs, so inside the scope it would carry the action's entry, or leave one for an action then refused.
 */
export async function verifyStepUp(deps: Deps, a: { userId: string; email: string; ip: string; code: unknown; amount: string; currency: string }): Promise<void> {
  if (!needsStepUp(deps.config.stepUpAmounts, a.amount, a.currency)) return;
  const code = typeof a.code === "string" ? a.code.trim() : "";
  if (code === "") {
    const limit = stepUpAmountFor(deps.config.stepUpAmounts, a.currency)!;
    throw new AppError("step_up_required", {
      field: "totp",
      message: `This action moves ${a.amount} ${a.currency}, more than ${limit.text} ${a.currency}: enter a code from your authenticator app.`,
    });
  }
  await outsideAuditScope(async () => {
    const keys = failureKeys(a.email, a.ip);
    await refuseIfLocked(deps, keys);
    if (!(await verifySecondFactor(deps, a.userId, code, false))) {
      await countFailure(deps.database.db, keys, deps.clock.now());
      throw new AppError("invalid_second_factor", { field: "totp" });
    }
  });
}

/** Ends the session; a signed-in person's sign-out is recorded (a half-way or stale cookie's is not). */
export async function signOut(deps: Deps, token: string | undefined, ip: string): Promise<void> {
  if (!token || token.length > 64) return;
  const s = await readStaffSession(deps, token);
  await revokeOperatorSession(deps.database.db, hashKey(token), deps.clock.now());
  if (s?.stage === "full") await auditStaff(deps, { userId: s.userId, email: s.email, action: "staff.sign-out", ip, details: {} });
}

/** The session's token for its forms (the cookie is SameSite=Strict too; this is defence in depth). */
export const staffCsrfToken = (deps: Deps, token: string): string => sessionCsrfToken(deps.config.secretKey, "operator-session", token);

export const staffCsrfValid = (deps: Deps, token: string, sent: unknown): boolean => csrfMatches(deps.config.secretKey, "operator-session", token, sent);
