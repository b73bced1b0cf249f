// Merchant users (issue 19): people of a merchant who sign in to the portal at /merchant with e-mail,
// password and TOTP (the console's sign-in, realm "merchant": app/staff/account-sign-in.ts). The
// operator (console, admin API) or a merchant owner (portal) invites one: the invitation is a one-time
// link valid for 7 days (inviting the same e-mail again while it is unused replaces it); following it sets the password, then the TOTP enrolment of the first sign-in
// completes the account. Only the token's SHA-256 is stored.
import { randomBytes } from "node:crypto";
import { hashKey } from "../../core/crypto/api-keys.js";
import { hashPassword } from "../../core/crypto/password-hash.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid } from "../../core/shared/uuid.js";
import { isMerchantRole, type MerchantRole } from "../../core/merchant-users/roles.js";
import { revokeUserSessions } from "../../db/staff/account-sessions.js";
import { acceptInvite, findMerchantUser, findOpenInvite, insertMerchantUser, listMerchantUsers, lockActiveOwners, merchantOfUser, reissueInvite, setMerchantUser } from "../../db/staff/merchant-users.js";
import { normalizeEmail } from "../card/customer-email.js";
import type { Deps } from "../deps.js";
import { merchantOr404 } from "../merchants/merchants.js";
import { readAccountSession, signInWithPassword } from "../staff/account-sign-in.js";

const INVITE_TTL_MS = 7 * 24 * 3600_000;
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 1024;
/** A merchant's team is small; the list shows them all up to this. */
const MAX_USERS = 200;

const INVALID_LINK = "This invitation link is not valid: it was used already, or it expired. Ask for a new one.";

function roleOf(role: unknown): MerchantRole {
  if (!isMerchantRole(role)) throw new AppError("validation_failed", { field: "role", message: "The role must be owner, developer, finance or support." });
  return role;
}

/** The invitation link's path; the token is shown only in the answer that creates it. */
const invitePath = (token: string) => `/merchant/invite/${token}`;

/** Invites a person to `merchantId` with a role; `invitedBy` is the actor (operator:<id>, staff:<id>, merchant-user:<id>). */
export async function inviteMerchantUser(deps: Deps, a: { merchantId: string; email: unknown; role: unknown; invitedBy: string }) {
  const merchant = await merchantOr404(deps, a.merchantId);
  const email = normalizeEmail(typeof a.email === "string" ? a.email : "");
  const role = roleOf(a.role);
  const token = randomBytes(32).toString("base64url");
  const id = deps.ids.uuid();
  const expiresAt = new Date(deps.clock.now().getTime() + INVITE_TTL_MS);
  const row = { id, merchantId: merchant.id, email, role, inviteTokenHash: hashKey(token), inviteExpiresAt: expiresAt, invitedBy: a.invitedBy };
  // In a transaction, as every audited write: the action's audit entry commits with it. An e-mail
  // already invited to this merchant, link lost or expired, gets a new link (the old one stops working);
  // an account that set its password, is disabled, or belongs to another merchant stays a conflict.
  const userId = await deps.database.db.transaction().execute(async (trx) => ((await insertMerchantUser(trx, row)) ? id : reissueInvite(trx, row)));
  if (userId === undefined) throw new AppError("conflict", { field: "email", message: `An account for ${email} already exists.` });
  return { userId, merchantId: merchant.id, email, role, expiresAt, inviteUrl: `${deps.config.publicUrl}${invitePath(token)}` };
}

const tokenHashOf = (token: string) => (token.length > 0 && token.length <= 64 ? hashKey(token) : null);

/** Who an open invitation is for (the page asking for the password shows it); not_found when spent or expired. */
export async function openInvite(deps: Deps, token: string) {
  const hash = tokenHashOf(token);
  const invite = hash ? await findOpenInvite(deps.database.db, hash, deps.clock.now()) : undefined;
  if (!invite) throw new AppError("not_found", { message: INVALID_LINK });
  return { email: invite.email, role: invite.role, merchantName: invite.merchant_name };
}

/**
 * Spends the invitation and sets the password (once: the link stops working), then signs in with it:
 * the half-way session whose next step is the TOTP enrolment.
 */
export async function acceptMerchantInvite(deps: Deps, a: { token: string; password: unknown; ip: string }): Promise<{ token: string }> {
  const password = typeof a.password === "string" ? a.password : "";
  if (password.length < MIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw new AppError("validation_failed", { field: "password", message: `The password must be ${MIN_PASSWORD} to ${MAX_PASSWORD} characters long.` });
  }
  const hash = tokenHashOf(a.token);
  const passwordHash = await hashPassword(password);
  const user = hash ? await deps.database.db.transaction().execute((trx) => acceptInvite(trx, hash, passwordHash, deps.clock.now())) : undefined;
  if (!user) throw new AppError("not_found", { message: INVALID_LINK });
  const { token } = await signInWithPassword(deps, "merchant", { email: user.email, password, ip: a.ip });
  return { token };
}

/** A portal session with its merchant, or null (unknown, revoked, expired, the person disabled). */
export async function readMerchantUserSession(deps: Deps, token: string | undefined) {
  const s = await readAccountSession(deps, "merchant", token);
  if (!s || !isMerchantRole(s.role)) return null;
  const merchantId = await merchantOfUser(deps.database.db, s.userId);
  if (!merchantId) return null;
  return { userId: s.userId, email: s.email, role: s.role, stage: s.stage, merchantId };
}

/** The merchant's users with where each stands (invited, active, disabled). */
export async function merchantUsers(deps: Deps, merchantId: string) {
  const rows = await listMerchantUsers(deps.database.db, merchantId, MAX_USERS);
  return rows.map((u) => ({
    userId: u.id,
    email: u.email,
    role: u.role,
    state: u.disabled_at ? ("disabled" as const) : u.password_hash === null ? ("invited" as const) : u.totp_enabled_at ? ("active" as const) : ("enrolling" as const),
    inviteExpiresAt: u.invite_expires_at,
    createdAt: u.created_at,
  }));
}

type MerchantUserChange = { kind: "role"; role: unknown } | { kind: "disable" } | { kind: "enable" };

/**
 * Changes a user of `merchantId` (another merchant's user is not found): a merchant owner in the portal
 * (`actorUserId`) or the operator (console, admin API: null). Nobody changes their own account here,
 * and no change leaves the merchant without an active owner (409 last_owner), whoever asks. Ends the
 * user's sessions, so a new role or a disabling applies at once.
 */
export async function changeMerchantUser(deps: Deps, a: { merchantId: string; actorUserId: string | null; userId: string; change: MerchantUserChange }) {
  if (a.actorUserId === a.userId) throw new AppError("conflict", { message: "You cannot change your own account; ask another owner." });
  const merchant = await merchantOr404(deps, a.merchantId);
  const role = a.change.kind === "role" ? roleOf(a.change.role) : undefined;
  const now = deps.clock.now();
  return deps.database.db.transaction().execute(async (trx) => {
    // The owners first, always in the same order (see lockActiveOwners), then the user.
    const owners = await lockActiveOwners(trx, merchant.id);
    const before = isUuid(a.userId) ? await findMerchantUser(trx, merchant.id, a.userId.toLowerCase(), true) : undefined;
    if (!before) throw new AppError("not_found", { message: "No such user." });
    const change = a.change;
    const removesOwner = owners.includes(before.id) && (change.kind === "disable" || (change.kind === "role" && role !== "owner"));
    if (removesOwner && owners.length === 1) throw new AppError("last_owner", { message: `${before.email} is the merchant's last active owner: make another person owner first.` });
    switch (change.kind) {
      case "role":
        await setMerchantUser(trx, before.id, { role: role! });
        break;
      case "disable":
        await setMerchantUser(trx, before.id, { disabled_at: before.disabled_at ?? now });
        break;
      case "enable":
        await setMerchantUser(trx, before.id, { disabled_at: null });
        break;
      default:
        assertNever(change, "merchant user change");
    }
    await revokeUserSessions(trx, "merchant", before.id, now);
    return { userId: before.id, email: before.email, role: role ?? before.role, disabled: change.kind === "disable" || (change.kind !== "enable" && before.disabled_at !== null) };
  });
}
