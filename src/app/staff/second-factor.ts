// The second factor of the operator console and the merchant portal (a realm each, db/staff/account-realm.ts): TOTP (RFC 6238, 30-second steps, 6 digits, via otplib) with a secret
// encrypted under the server secret, each code accepted once; and ten single-use recovery codes shown
// once at enrolment, stored as SHA-256 (80 random bits each, so a fast hash is enough).
import { createHash, randomBytes } from "node:crypto";
import { generateSecret, generateURI, verifySync } from "otplib";
import { AppError } from "../../core/shared/errors.js";
import type { Db } from "../../db/schema.js";
import type { AccountRealm } from "../../db/staff/account-realm.js";
import { findAccount, replaceRecoveryCodes, updateAccount, useRecoveryCode } from "../../db/staff/account-users.js";
import type { Deps } from "../deps.js";
import { secretBox } from "../secret/secret-boxes.js";
import { clearFailures, countFailure, refuseIfLocked } from "../card/customer-auth.js";

const RECOVERY_CODES = 10;
/** One step either side, for a phone clock a little off. */
const TOLERANCE_SECONDS = 30;

export const totpBox = (deps: Pick<Deps, "config">) => secretBox(deps.config, "totp-secret");

const epochOf = (deps: Deps) => Math.floor(deps.clock.now().getTime() / 1000);
const recoveryHash = (code: string) => createHash("sha256").update(code.replace(/[\s-]/g, "").toLowerCase()).digest();

/** Starts (or shows again) an enrolment: the secret and its otpauth:// URI for the QR code. */
export async function beginTotpEnrolment(deps: Deps, realm: AccountRealm, userId: string): Promise<{ secret: string; uri: string }> {
  return deps.database.db.transaction().execute(async (trx) => {
    const u = await findAccount(trx, realm, userId, true);
    if (!u) throw new AppError("not_found");
    if (u.totp_enabled_at) throw new AppError("conflict", { message: "The second factor is already set up." });
    let secret = u.totp_secret_enc ? totpBox(deps).decrypt(u.totp_secret_enc) : null;
    if (!secret) {
      secret = generateSecret();
      await updateAccount(trx, realm, userId, { totp_secret_enc: totpBox(deps).encrypt(secret) });
    }
    return { secret, uri: generateURI({ issuer: "Rampart", label: u.email, secret }) };
  });
}

/** Checks a TOTP code under the user's row lock and records its step, so the same code never passes twice. */
async function acceptTotp(deps: Deps, trx: Db, realm: AccountRealm, u: { id: string; totp_secret_enc: string | null; totp_last_step: string | null }, code: string): Promise<boolean> {
  if (!u.totp_secret_enc || !/^\d{6}$/.test(code)) return false;
  const r = verifySync({
    secret: totpBox(deps).decrypt(u.totp_secret_enc),
    token: code,
    epoch: epochOf(deps),
    epochTolerance: TOLERANCE_SECONDS,
    ...(u.totp_last_step !== null ? { afterTimeStep: Number(u.totp_last_step) } : {}),
  });
  // otplib's result type is shared with HOTP; a TOTP match always carries its time step.
  const step = r.valid && "timeStep" in r ? r.timeStep : undefined;
  if (typeof step !== "number") return false;
  await updateAccount(trx, realm, u.id, { totp_last_step: String(step) });
  return true;
}

/** Confirms the enrolment with a first code; returns the recovery codes, shown only now. */
export async function confirmTotpEnrolment(deps: Deps, realm: AccountRealm, userId: string, code: string): Promise<string[]> {
  return deps.database.db.transaction().execute(async (trx) => {
    const u = await findAccount(trx, realm, userId, true);
    if (!u || u.totp_enabled_at) throw new AppError("conflict", { message: "The second factor is already set up." });
    if (!(await acceptTotp(deps, trx, realm, u, code.trim()))) throw new AppError("invalid_second_factor", { field: "code" });
    const codes = Array.from({ length: RECOVERY_CODES }, () => {
      const hex = randomBytes(10).toString("hex");
      return `${hex.slice(0, 5)}-${hex.slice(5, 10)}-${hex.slice(10, 15)}-${hex.slice(15)}`;
    });
    await replaceRecoveryCodes(trx, realm, userId, codes.map(recoveryHash));
    await updateAccount(trx, realm, userId, { totp_enabled_at: deps.clock.now() });
    return codes;
  });
}

/**
 * A TOTP code, or (when `allowRecovery`) one of the recovery codes; false when neither passes, the
 * failure counted against the lock-out `keys`, and too_many_attempts while they are locked. The lock
 * check, the code and the count (cleared by a code that passes) all run under the person's row lock:
 * concurrent guesses queue on it, each seeing the failures counted before it (found by fuzzing:
 * checked before the lock, thirty guesses sent at once were all tried, past a lock that starts at five).
 */
export async function verifySecondFactor(deps: Deps, realm: AccountRealm, userId: string, code: string, allowRecovery: boolean, keys: { account: string; accountIp: string }): Promise<boolean> {
  const c = code.trim();
  return deps.database.db.transaction().execute(async (trx) => {
    const u = await findAccount(trx, realm, userId, true);
    await refuseIfLocked(trx, keys, deps.clock.now());
    const passed = async () => {
      if (!u?.totp_enabled_at || c.length === 0 || c.length > 64) return false;
      if (/^\d{6}$/.test(c)) return acceptTotp(deps, trx, realm, u, c);
      return allowRecovery && useRecoveryCode(trx, realm, userId, recoveryHash(c), deps.clock.now());
    };
    if (await passed()) {
      // The person is proven: their earlier slips (a password, a code) no longer count toward a lock.
      await clearFailures(trx, keys);
      return true;
    }
    await countFailure(trx, keys, deps.clock.now());
    return false;
  });
}
