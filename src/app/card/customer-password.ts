// Password change (with the current password, bearer) and reset (an SMS code to the confirmed phone,
// then the code and a new password). Codes follow the phone-confirmation rules: valid 10 minutes, a
// new one at most every 30 s, 5 wrong codes lock the reset for 15 minutes. A reset ends every session;
// a change ends every other session.
import { hashPassword, verifyPassword } from "../../core/crypto/password-hash.js";
import { assertPasswordStrength, normalizePhone } from "../../core/card/credentials.js";
import { AppError } from "../../core/shared/errors.js";
import { clearLoginFailures, findCustomer, findCustomerByPhone, revokeCustomerSessions, updateCustomer } from "../../db/card/customers.js";
import { deleteCode, lockCode, putCode, setCodeAttempts } from "../../db/card/verification-codes.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import {
  afterWrongCode,
  codeHash,
  countFailure,
  type CustomerPrincipal,
  failureKeys,
  newCode,
  openSession,
  refuseEarlyResend,
  refuseIfLocked,
  retryAfter,
  sendCode,
  serialisedAttempt,
  SMS_CODE_TTL_MS,
} from "./customer-auth.js";
import { cardCustomerChanging } from "./session-cache.js";
import type { TokenObject } from "./tokens.js";

const PURPOSE = "password_reset";

/** PUT /v2/mobile/password/change. A wrong current password counts towards the sign-in lockout. */
export async function changePassword(deps: Deps, who: CustomerPrincipal, a: { currentPassword: string; newPassword: string; ip: string }): Promise<void> {
  const db = deps.database.db;
  const now = deps.clock.now();
  const c = (await findCustomer(db, who.customerId))!;
  const keys = failureKeys(c.merchant_id, c.phone, a.ip);
  const right = await serialisedAttempt(deps, keys, async (trx) => {
    await refuseIfLocked(trx, keys, now, "currentPassword");
    if (await verifyPassword(a.currentPassword, c.password_hash)) return true;
    await countFailure(trx, keys, now);
    return false;
  });
  if (!right) throw new AppError("wrong_password", { field: "currentPassword" });
  assertPasswordStrength(a.newPassword, c.phone, "newPassword");
  const passwordHash = await hashPassword(a.newPassword);
  cardCustomerChanging(deps, c.id);
  await db.transaction().execute(async (trx) => {
    await updateCustomer(trx, c.id, { password_hash: passwordHash, updated_at: now });
    await revokeCustomerSessions(trx, c.id, who.sessionId, now);
  });
}

/**
 * POST /v2/mobile/password/reset: an SMS code to a confirmed phone. An unknown or unconfirmed phone
 * answers the same as a send, so the call does not reveal who is registered.
 */
export async function requestPasswordReset(deps: Deps, a: { merchantId: string; phone: string }): Promise<void> {
  const phone = normalizePhone(a.phone);
  const now = deps.clock.now();
  const sent = await deps.database.db.transaction().execute(async (trx) => {
    const c = await findCustomerByPhone(trx, a.merchantId, phone, true);
    if (!c || !c.phone_confirmed_at) return null;
    const current = await lockCode(trx, c.id, PURPOSE);
    refuseEarlyResend(current?.sent_at, now, { code: "sms_resend_cooldown", field: "phone" });
    const code = await newCode(deps, a.merchantId, trx);
    await putCode(trx, { customerId: c.id, purpose: PURPOSE, codeHash: codeHash(deps, c.id, code), expiresAt: new Date(now.getTime() + SMS_CODE_TTL_MS), now });
    return code;
  });
  if (sent !== null) await sendCode(deps, a.merchantId, phone, sent);
}

/**
 * Checks the reset code under the code row's lock: a wrong one counts, the fifth locks the reset for
 * the cool-down. Returns the customer when the code is right.
 */
async function checkResetCode(deps: Deps, trx: Db, a: { merchantId: string; phone: string; code: string }) {
  const now = deps.clock.now();
  const c = await findCustomerByPhone(trx, a.merchantId, normalizePhone(a.phone), true);
  const row = c ? await lockCode(trx, c.id, PURPOSE) : undefined;
  if (!c || !row) return { kind: "wrong" as const };
  if (row.locked_until && row.locked_until > now) return { kind: "locked" as const, until: row.locked_until };
  if (row.expires_at > now && row.code_hash === codeHash(deps, c.id, a.code.trim())) return { kind: "ok" as const, customer: c };
  const next = afterWrongCode(row.attempts, row.locked_until, now);
  await setCodeAttempts(trx, c.id, PURPOSE, next.attempts, next.lockedUntil);
  return next.lockedUntil ? { kind: "locked" as const, until: next.lockedUntil } : { kind: "wrong" as const };
}

function refuse(outcome: { kind: "wrong" } | { kind: "locked"; until: Date }, now: Date): never {
  if (outcome.kind === "locked") throw new AppError("too_many_attempts", { field: "code", headers: retryAfter(outcome.until, now) });
  throw new AppError("invalid_sms_code", { field: "code" });
}

/** POST /v2/mobile/password/reset/confirm/code: is the code right? (It stays usable for the reset.) */
export async function checkPasswordResetCode(deps: Deps, a: { merchantId: string; phone: string; code: string }): Promise<void> {
  const now = deps.clock.now();
  const outcome = await deps.database.db.transaction().execute((trx) => checkResetCode(deps, trx, a));
  if (outcome.kind !== "ok") refuse(outcome, now);
}

/**
 * POST /v2/mobile/password/reset/confirm: the code and the new password. Sets the password, uses up
 * the code, ends every session, lifts the sign-in lockout and signs the customer in.
 */
export async function resetPassword(deps: Deps, a: { merchantId: string; phone: string; code: string; password: string }): Promise<TokenObject> {
  const phone = normalizePhone(a.phone);
  assertPasswordStrength(a.password, phone);
  const passwordHash = await hashPassword(a.password);
  const now = deps.clock.now();
  const outcome = await deps.database.db.transaction().execute(async (trx) => {
    const checked = await checkResetCode(deps, trx, a);
    if (checked.kind !== "ok") return checked;
    const c = checked.customer;
    cardCustomerChanging(deps, c.id);
    await updateCustomer(trx, c.id, { password_hash: passwordHash, updated_at: now });
    await deleteCode(trx, c.id, PURPOSE);
    await revokeCustomerSessions(trx, c.id, null, now);
    await clearLoginFailures(trx, failureKeys(c.merchant_id, c.phone, "").account);
    return { kind: "ok" as const, customerId: c.id };
  });
  if (outcome.kind !== "ok") refuse(outcome, now);
  return openSession(deps, outcome.customerId, a.merchantId);
}
