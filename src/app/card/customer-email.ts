// The customer's e-mail: add it (bearer), which sends a confirmation link through the e-mail port;
// resend the link (at most one every 30 s); confirm it from the link (no bearer: the link is opened
// from the mailbox). The link's token is 256 random bits, stored only as an HMAC and valid 24 hours,
// so it cannot be guessed and needs no attempt counter. A confirmed e-mail cannot change (vault.ist:
// only support changes it) and belongs to one customer of the merchant.
import { createHmac, randomBytes } from "node:crypto";
import { derivedKey } from "../../core/crypto/derived-key.js";
import { AppError } from "../../core/shared/errors.js";
import { findCustomer, findCustomerByConfirmedEmail, updateCustomer } from "../../db/card/customers.js";
import { deleteCode, lockCode, findEmailCodeByHash, putCode } from "../../db/card/verification-codes.js";
import type { Db } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { sendCustomerEmail } from "../merchants/test-messages.js";
import { type CustomerPrincipal, refuseEarlyResend } from "./customer-auth.js";

const PURPOSE = "email";
const TOKEN_TTL_MS = 24 * 3600_000;
const EMAIL = /^[^\s@<>()",;:\\[\]]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
const MAX_EMAIL = 254;

function tokenHash(deps: Deps, token: string): string {
  return createHmac("sha256", derivedKey(deps.config.secretKey, "card-email-token")).update(token).digest("hex");
}

export function normalizeEmail(v: string): string {
  const e = v.trim().toLowerCase();
  if (e.length > MAX_EMAIL || !EMAIL.test(e)) throw new AppError("validation_failed", { field: "email", message: "Please enter a valid e-mail address." });
  return e;
}

/** A new link for the customer's e-mail, in the caller's transaction; the customer row is locked. */
async function newLink(deps: Deps, trx: Db, customerId: string, email: string): Promise<string> {
  const now = deps.clock.now();
  const current = await lockCode(trx, customerId, PURPOSE);
  refuseEarlyResend(current?.sent_at, now, { code: "email_resend_cooldown", field: "email" });
  const token = randomBytes(32).toString("base64url");
  await putCode(trx, { customerId, purpose: PURPOSE, codeHash: tokenHash(deps, token), expiresAt: new Date(now.getTime() + TOKEN_TTL_MS), now });
  const q = new URLSearchParams({ email, event: "EMAIL_CONFIRMATION", token });
  return `${deps.config.publicUrl}/v2/mobile/email/confirm?${q.toString()}`;
}

/** Through the merchant's e-mail port: a test twin's links go to the sandbox sender (and its test inbox), never a live vendor. */
async function sendLink(deps: Deps, merchantId: string, email: string, link: string): Promise<void> {
  await sendCustomerEmail(deps, merchantId, email, "Confirm your e-mail", `Open this link to confirm your e-mail address: ${link}`);
}

/** PUT /v2/mobile/email/add: sets the (unconfirmed) e-mail and sends its link. */
export async function addEmail(deps: Deps, who: CustomerPrincipal, rawEmail: string): Promise<void> {
  const email = normalizeEmail(rawEmail);
  const link = await deps.database.db.transaction().execute(async (trx) => {
    const c = (await findCustomer(trx, who.customerId, true))!;
    if (c.email_confirmed_at) throw new AppError("email_already_confirmed", { field: "email" });
    const owner = await findCustomerByConfirmedEmail(trx, c.merchant_id, email);
    if (owner) throw new AppError("email_already_registered", { field: "email" });
    const l = await newLink(deps, trx, c.id, email);
    await updateCustomer(trx, c.id, { email, updated_at: deps.clock.now() });
    return l;
  });
  await sendLink(deps, who.merchantId, email, link);
}

/** POST /v2/mobile/email/verify/resend: a new link for the e-mail added. */
export async function resendEmail(deps: Deps, who: CustomerPrincipal): Promise<void> {
  const sent = await deps.database.db.transaction().execute(async (trx) => {
    const c = (await findCustomer(trx, who.customerId, true))!;
    if (c.email_confirmed_at) throw new AppError("email_already_confirmed", { field: "email" });
    if (!c.email) throw new AppError("validation_failed", { field: "email", message: "Add an e-mail first (PUT /v2/mobile/email/add)." });
    return { email: c.email, link: await newLink(deps, trx, c.id, c.email) };
  });
  await sendLink(deps, who.merchantId, sent.email, sent.link);
}

/** GET /v2/mobile/email/confirm?email=&token=: the link from the e-mail. The token is used up. */
export async function confirmEmail(deps: Deps, a: { email: string; token: string }): Promise<void> {
  const now = deps.clock.now();
  const email = a.email.trim().toLowerCase();
  await deps.database.db.transaction().execute(async (trx) => {
    const row = await findEmailCodeByHash(trx, tokenHash(deps, a.token.trim()), true);
    if (!row || row.expires_at <= now || row.email !== email || row.email_confirmed_at) throw new AppError("invalid_email_token", { field: "token" });
    const owner = await findCustomerByConfirmedEmail(trx, row.merchant_id, email);
    if (owner) throw new AppError("email_already_registered", { field: "email" });
    await updateCustomer(trx, row.customer_id, { email_confirmed_at: now, updated_at: now });
    await deleteCode(trx, row.customer_id, PURPOSE);
  });
}

/** The merchant whose customer an e-mail link's token was sent to; undefined for an unknown token. */
export async function emailLinkMerchant(deps: Deps, token: string): Promise<string | undefined> {
  return (await findEmailCodeByHash(deps.database.db, tokenHash(deps, token.trim())))?.merchant_id;
}
