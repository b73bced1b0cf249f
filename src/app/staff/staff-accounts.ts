// Staff accounts: created by `rampart operator create --email` (the first admin) or by an admin in the
// console; each gets a generated password shown once and enrols TOTP at the first sign-in.
import { randomBytes } from "node:crypto";
import { hashPassword } from "../../core/crypto/password-hash.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { AppError } from "../../core/shared/errors.js";
import { isOperatorRole, type OperatorRole } from "../../core/staff/roles.js";
import { revokeUserSessions } from "../../db/staff/account-sessions.js";
import { findAccount, insertOperatorUser, replaceRecoveryCodes, updateAccount } from "../../db/staff/account-users.js";
import { normalizeEmail } from "../card/customer-email.js";
import type { Deps } from "../deps.js";

interface NewStaffUser {
  id: string;
  email: string;
  role: OperatorRole;
  /** Shown once; only its scrypt hash is stored. */
  password: string;
}

function roleOf(role: unknown): OperatorRole {
  if (!isOperatorRole(role)) throw new AppError("validation_failed", { field: "role", message: "The role must be admin, support, finance or viewer." });
  return role;
}

/** `password` is generated unless given (the sandbox admin's is derived from the secret, to be printed at every start). */
export async function createStaffUser(deps: Deps, a: { email: unknown; role: unknown; password?: string }): Promise<NewStaffUser> {
  const email = normalizeEmail(typeof a.email === "string" ? a.email : "");
  const role = roleOf(a.role);
  const password = a.password ?? randomBytes(18).toString("base64url");
  const id = deps.ids.uuid();
  const passwordHash = await hashPassword(password);
  // In a transaction, as every operator write: an audited CLI command's entry commits with it.
  if (!(await deps.database.db.transaction().execute((trx) => insertOperatorUser(trx, { id, email, passwordHash, role })))) {
    throw new AppError("conflict", { field: "email", message: `A staff account for ${email} already exists.` });
  }
  return { id, email, role, password };
}

/** What an admin can change about a person; every change ends the person's sessions. */
type StaffChange = { kind: "role"; role: unknown } | { kind: "disable" } | { kind: "enable" } | { kind: "reset_second_factor" };

/** Applies the change; returns the row before and after (for the audit log). */
export async function changeStaffUser(deps: Deps, userId: string, change: StaffChange) {
  const now = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    const before = await findAccount(trx, "operator", userId, true);
    if (!before) throw new AppError("not_found", { message: "No such staff account." });
    switch (change.kind) {
      case "role":
        await updateAccount(trx, "operator", userId, { role: roleOf(change.role) });
        break;
      case "disable":
        await updateAccount(trx, "operator", userId, { disabled_at: before.disabled_at ?? now });
        break;
      case "enable":
        await updateAccount(trx, "operator", userId, { disabled_at: null });
        break;
      case "reset_second_factor":
        await updateAccount(trx, "operator", userId, { totp_secret_enc: null, totp_enabled_at: null, totp_last_step: null });
        await replaceRecoveryCodes(trx, "operator", userId, []);
        break;
      default:
        assertNever(change, "staff change");
    }
    await revokeUserSessions(trx, "operator", userId, now);
    const after = (await findAccount(trx, "operator", userId))!;
    const view = (u: typeof before) => ({ email: u.email, role: u.role, secondFactor: u.totp_enabled_at !== null, disabled: u.disabled_at !== null });
    return { before: view(before), after: view(after) };
  });
}
