// Card customers: signup, phone confirmation by SMS code, sign-in (mobile_phone and refresh_token
// grants) with lockouts per account and per (account, client IP), sign-out, and the bearer check of
// every other call.
import { createHmac, randomInt } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";
import { hashPassword, verifyPassword } from "../../core/crypto/password-hash.js";
import { assertPasswordStrength, normalizePhone } from "../../core/card/credentials.js";
import { type CardKycLevel, isKycLevel } from "../../core/card/kyc-levels.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid } from "../../core/shared/uuid.js";
import {
  clearLoginFailures,
  findCustomerByPhone,
  findSessionCustomer,
  insertCustomer,
  insertSession,
  lockAttempts,
  lockedUntil,
  merchantExists,
  recordLoginFailure,
  revokeSession,
  rotateRefreshToken,
  updateCustomer,
} from "../../db/card/customers.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { sendCustomerSms } from "../merchants/test-messages.js";
import { isTestMerchant } from "../merchants/test-mode.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { cardCustomerChanging, readSessionCustomer } from "./session-cache.js";
import { hashRefreshToken, issueAccessToken, newRefreshToken, REFRESH_TOKEN_TTL_MS, type TokenObject, verifyAccessToken } from "./tokens.js";

export const SMS_CODE_TTL_MS = 10 * 60_000;
const SMS_MAX_ATTEMPTS = 5;
const SMS_COOL_DOWN_MS = 15 * 60_000;
const SMS_RESEND_INTERVAL_MS = 30_000;
const SANDBOX_SMS_CODE = "1234";

const LOGIN_WINDOW_MS = 15 * 60_000;
const LOGIN_LOCK_MS = 15 * 60_000;
// Guessing from one address locks the account for that address only: failures from one IP must not
// lock out the customer signing in from elsewhere, nor every customer behind that IP (a carrier NAT,
// an office). Guessing spread over many addresses locks the account everywhere at a higher count.
const ACCOUNT_IP_FAILURE_THRESHOLD = 5;
const ACCOUNT_FAILURE_THRESHOLD = 20;

export interface CustomerPrincipal {
  customerId: string;
  merchantId: string;
  sessionId: string;
  kycLevel: CardKycLevel;
}

/** The merchant id X-Merchant-ID names (trimmed, lower case), or null when it is no UUID. */
export function merchantHeaderId(header: unknown): string | null {
  const id = typeof header === "string" ? header.trim().toLowerCase() : "";
  return isUuid(id) ? id : null;
}

/** X-Merchant-ID names an existing merchant; anything else is invalid_client. */
export async function requireMerchant(deps: Deps, header: unknown): Promise<string> {
  const id = merchantHeaderId(header);
  if (id === null || !(await merchantExists(deps.database.db, id))) throw new AppError("invalid_client");
  return id;
}

/** The token of `Authorization: Bearer <token>`; undefined without one. */
export const bearerToken = (authorization: string | undefined): string | undefined => /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? "")?.[1];

export function codeHash(deps: Deps, customerId: string, code: string): string {
  return createHmac("sha256", derivedKey(deps.config.secretKey, "card-sms-code")).update(`${customerId}:${code}`).digest("hex");
}

/**
 * The fixed code 1234 in the sandbox (as the public sandbox sends) and for a test twin's customers, so a
 * test integration in a live installation confirms without a real phone, like Stripe's fixed test
 * values; live codes are 6 random digits. Inside a transaction pass it as `db` (isTestMerchant).
 */
export async function newCode(deps: Deps, merchantId: string, db?: Db): Promise<string> {
  const fixed = deps.config.mode === "sandbox" || (await isTestMerchant(deps, merchantId, db));
  return fixed ? SANDBOX_SMS_CODE : String(randomInt(0, 1_000_000)).padStart(6, "0");
}

/** Through the merchant's SMS port: a test twin's codes go to the sandbox sender (and its test inbox), never a live vendor. */
export async function sendCode(deps: Deps, merchantId: string, phone: string, code: string): Promise<void> {
  await sendCustomerSms(deps, merchantId, phone, `Your confirmation code is ${code}`);
}

export async function signup(deps: Deps, a: { merchantId: string; phone: string; password: string }, commit?: CommitAnswer<void>): Promise<void> {
  const phone = normalizePhone(a.phone);
  assertPasswordStrength(a.password, phone);
  const id = deps.ids.uuid();
  const code = await newCode(deps, a.merchantId);
  const now = deps.clock.now();
  const passwordHash = await hashPassword(a.password);
  await deps.database.db.transaction().execute(async (trx) => {
    const inserted = await insertCustomer(trx, {
      id,
      merchantId: a.merchantId,
      phone,
      passwordHash,
      smsCodeHash: codeHash(deps, id, code),
      smsExpiresAt: new Date(now.getTime() + SMS_CODE_TTL_MS),
      now,
    });
    if (!inserted) throw new AppError("already_registered", { field: "phone" });
    await commit?.(trx, undefined);
  });
  await sendCode(deps, a.merchantId, phone, code);
}

export function retryAfter(until: Date, now: Date): Record<string, string> {
  return { "retry-after": String(Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000))) };
}

/**
 * A new code or link at most every 30 s (phone confirmation, password reset, e-mail link). A cool-down
 * between sends, not a penalty: the refusal says when it ends.
 */
export function refuseEarlyResend(lastSentAt: Date | null | undefined, now: Date, refusal: { code: "sms_resend_cooldown" | "email_resend_cooldown"; field: string }): void {
  if (!lastSentAt || now.getTime() - lastSentAt.getTime() >= SMS_RESEND_INTERVAL_MS) return;
  const until = new Date(lastSentAt.getTime() + SMS_RESEND_INTERVAL_MS);
  const headers = retryAfter(until, now);
  throw new AppError(refusal.code, {
    field: refusal.field,
    message: `A new code can be sent ${headers["retry-after"]} s after the last one, at ${until.toISOString()}.`,
    details: { resendAvailableAt: until.toISOString() },
    headers,
  });
}

/** One more wrong code: the fifth locks for the cool-down, and a lock that has run out starts a fresh count. */
export function afterWrongCode(attempts: number, lockedUntil: Date | null, now: Date): { attempts: number; lockedUntil: Date | null } {
  const failures = (lockedUntil ? 0 : attempts) + 1;
  return failures >= SMS_MAX_ATTEMPTS ? { attempts: 0, lockedUntil: new Date(now.getTime() + SMS_COOL_DOWN_MS) } : { attempts: failures, lockedUntil: null };
}

/** Checks the SMS code under a row lock: 5 wrong codes lock confirmation for the cool-down. */
export async function confirmPhone(deps: Deps, a: { merchantId: string; phone: string; code: string }): Promise<TokenObject> {
  const phone = normalizePhone(a.phone);
  const now = deps.clock.now();
  const outcome = await deps.database.db.transaction().execute(async (trx) => {
    const c = await findCustomerByPhone(trx, a.merchantId, phone, true);
    if (!c) return { kind: "wrong" as const };
    if (c.sms_locked_until && c.sms_locked_until > now) return { kind: "locked" as const, until: c.sms_locked_until };
    const ok =
      c.sms_code_hash !== null && c.sms_code_expires_at !== null && c.sms_code_expires_at > now && c.sms_code_hash === codeHash(deps, c.id, a.code.trim());
    if (!ok) {
      const next = afterWrongCode(c.sms_attempts, c.sms_locked_until, now);
      await updateCustomer(trx, c.id, { sms_attempts: next.attempts, sms_locked_until: next.lockedUntil, updated_at: now });
      return next.lockedUntil ? { kind: "locked" as const, until: next.lockedUntil } : { kind: "wrong" as const };
    }
    await updateCustomer(trx, c.id, {
      phone_confirmed_at: c.phone_confirmed_at ?? now,
      sms_code_hash: null,
      sms_code_expires_at: null,
      sms_attempts: 0,
      sms_locked_until: null,
      updated_at: now,
    });
    return { kind: "ok" as const, customerId: c.id };
  });
  if (outcome.kind === "locked") throw new AppError("too_many_attempts", { field: "smsCode", headers: retryAfter(outcome.until, now) });
  if (outcome.kind === "wrong") throw new AppError("invalid_sms_code", { field: "smsCode" });
  return openSession(deps, outcome.customerId, a.merchantId);
}

/** A new code (at most one every 30 s); it does not lift a confirmation cool-down. */
export async function resendCode(deps: Deps, a: { merchantId: string; phone: string }): Promise<void> {
  const phone = normalizePhone(a.phone);
  const now = deps.clock.now();
  const sent = await deps.database.db.transaction().execute(async (trx) => {
    const c = await findCustomerByPhone(trx, a.merchantId, phone, true);
    // Unknown or already confirmed: answer the same as a send, so the call does not reveal who is registered.
    if (!c || c.phone_confirmed_at) return null;
    // Signup sends the first code, so a resend right after it waits too.
    refuseEarlyResend(c.sms_sent_at, now, { code: "sms_resend_cooldown", field: "phone" });
    const code = await newCode(deps, a.merchantId, trx);
    await updateCustomer(trx, c.id, {
      sms_code_hash: codeHash(deps, c.id, code),
      sms_code_expires_at: new Date(now.getTime() + SMS_CODE_TTL_MS),
      sms_sent_at: now,
      updated_at: now,
    });
    return code;
  });
  if (sent !== null) await sendCode(deps, a.merchantId, phone, sent);
}

export async function openSession(deps: Deps, customerId: string, merchantId: string): Promise<TokenObject> {
  const now = deps.clock.now();
  const sessionId = deps.ids.uuid();
  const refresh = newRefreshToken();
  await insertSession(deps.database.db, { id: sessionId, customerId, refreshHash: refresh.hash, now, expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS) });
  return tokenObject(deps, { customerId, sessionId, merchantId }, refresh.token);
}

function tokenObject(deps: Deps, who: { customerId: string; sessionId: string; merchantId: string }, refreshToken: string): TokenObject {
  const access = issueAccessToken(deps, who);
  return { access_token: access.token, token_type: "bearer", refresh_token: refreshToken, expires_in: access.expiresIn, scope: "read write", jti: access.jti };
}

export const failureKeys = (merchantId: string, phone: string, ip: string) => ({
  account: `phone:${merchantId}:${phone}`,
  accountIp: `phone-ip:${merchantId}:${phone}:${ip}`,
});

/**
 * A password attempt against the lock-out counters, in one transaction holding the account key's
 * advisory lock: concurrent guesses run one after another, each seeing the failures counted before it
 * (found by fuzzing the console's codes: unserialised, a burst of guesses passed a lock that starts at
 * five). `attempt` reads the lock, checks the password and counts a failure on `trx`, and returns its
 * outcome rather than throwing a wrong password's refusal, which would roll the count back.
 */
export function serialisedAttempt<T>(deps: Deps, keys: { account: string }, attempt: (trx: Db) => Promise<T>): Promise<T> {
  return deps.database.db.transaction().execute(async (trx) => {
    await lockAttempts(trx, keys.account);
    return attempt(trx);
  });
}

/** Forgets the failures counted on both keys: the person has proved who they are. */
export async function clearFailures(db: Db, keys: { account: string; accountIp: string }): Promise<void> {
  await clearLoginFailures(db, keys.account);
  await clearLoginFailures(db, keys.accountIp);
}

/**
 * too_many_attempts, saying until when, while either key is locked: the one lock-out check of the card
 * API's password grant and password change and of the console's and portal's sign-in and step-up.
 * `db` is the transaction that serialises the attempt (serialisedAttempt, or the person's row lock).
 */
export async function refuseIfLocked(db: Db, keys: { account: string; accountIp: string }, now: Date, field?: string): Promise<void> {
  const locked = await lockedUntil(db, [keys.account, keys.accountIp], now);
  if (locked) {
    throw new AppError("too_many_attempts", {
      message: `Too many failed sign-ins for this account: try again after ${locked.toISOString().slice(11, 16)} UTC.`,
      headers: retryAfter(locked, now),
      ...(field ? { field } : {}),
    });
  }
}

export async function countFailure(db: Db, keys: { account: string; accountIp: string }, now: Date): Promise<void> {
  await recordLoginFailure(db, { key: keys.accountIp, now, windowMs: LOGIN_WINDOW_MS, threshold: ACCOUNT_IP_FAILURE_THRESHOLD, lockMs: LOGIN_LOCK_MS });
  await recordLoginFailure(db, { key: keys.account, now, windowMs: LOGIN_WINDOW_MS, threshold: ACCOUNT_FAILURE_THRESHOLD, lockMs: LOGIN_LOCK_MS });
}

/**
 * grant_type=mobile_phone. Bad credentials → invalid_grant; a locked account, or account from this IP
 * (`ip`: the client address, through trusted proxies only) → too_many_attempts.
 */
export async function passwordGrant(deps: Deps, a: { merchantId: string; number: string; password: string; ip: string }): Promise<TokenObject> {
  const db = deps.database.db;
  let phone: string;
  try {
    phone = normalizePhone(a.number, "number");
  } catch {
    throw new AppError("invalid_grant");
  }
  const keys = failureKeys(a.merchantId, phone, a.ip);
  const now = deps.clock.now();
  const c = await serialisedAttempt(deps, keys, async (trx) => {
    await refuseIfLocked(trx, keys, now);
    const found = await findCustomerByPhone(trx, a.merchantId, phone);
    // Verified whether or not the phone is known: the same time either way.
    const ok = await verifyPassword(a.password, found?.password_hash ?? null);
    if (found && ok) return found;
    await countFailure(trx, keys, now);
    return null;
  });
  if (!c) throw new AppError("invalid_grant");
  if (!c.phone_confirmed_at) throw new AppError("invalid_grant", { message: "The phone number is not confirmed yet." });
  await clearFailures(db, keys);
  return openSession(deps, c.id, c.merchant_id);
}

/** grant_type=refresh_token: rotates the refresh token (an old one is then invalid_grant). */
export async function refreshGrant(deps: Deps, a: { merchantId: string | null; refreshToken: string }): Promise<TokenObject> {
  const now = deps.clock.now();
  const fresh = newRefreshToken();
  const session = await rotateRefreshToken(deps.database.db, {
    oldHash: hashRefreshToken(a.refreshToken),
    newHash: fresh.hash,
    now,
    expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
  });
  if (!session) throw new AppError("invalid_grant", { message: "Unknown, revoked or expired refresh token." });
  const who = await findSessionCustomer(deps.database.db, session.id, session.customer_id);
  if (!who || (a.merchantId !== null && who.merchant_id !== a.merchantId)) throw new AppError("invalid_grant", { message: "Unknown, revoked or expired refresh token." });
  return tokenObject(deps, { customerId: who.id, sessionId: session.id, merchantId: who.merchant_id }, fresh.token);
}

/** Ends the session: its refresh token and every access token issued from it stop working. */
export async function signout(deps: Deps, who: CustomerPrincipal, commit?: CommitAnswer<void>): Promise<void> {
  cardCustomerChanging(deps, who.customerId);
  await deps.database.db.transaction().execute(async (trx) => {
    await revokeSession(trx, who.sessionId, deps.clock.now());
    await commit?.(trx, undefined);
  });
}

/** `Authorization: Bearer <jwt>` → the customer, or invalid_token (401). */
export async function authenticateCustomer(deps: Deps, authorization: string | undefined, merchantHeader: unknown): Promise<CustomerPrincipal> {
  const token = bearerToken(authorization);
  if (token === undefined) throw new AppError("invalid_token", { message: "Missing bearer token." });
  const claims = verifyAccessToken(deps, token);
  const row = await readSessionCustomer(deps, claims.sid, claims.sub);
  if (!row) throw new AppError("invalid_token", { message: "The session has ended; sign in again." });
  if (typeof merchantHeader === "string" && merchantHeader.trim() !== "" && merchantHeader.trim().toLowerCase() !== row.merchant_id) {
    throw new AppError("invalid_token", { message: "The token belongs to another X-Merchant-ID." });
  }
  const kycLevel = isKycLevel(row.kyc_level) ? row.kyc_level : "NONE";
  return { customerId: row.id, merchantId: row.merchant_id, sessionId: claims.sid, kycLevel };
}
