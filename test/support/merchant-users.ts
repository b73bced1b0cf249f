// Merchant portal users for tests: an invited person who followed the link, set a password and
// enrolled an authenticator (codes computed with otplib at the harness clock, as staff.ts does), a
// signed-in portal session for inject() calls, and the sign-in in a real browser page.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import type { Page } from "playwright-core";
import type { Deps } from "../../src/app/deps.js";
import { inviteMerchantUser } from "../../src/app/merchant-users/merchant-users.js";
import type { MerchantRole } from "../../src/core/merchant-users/roles.js";
import type { TestClock } from "./clock.js";
import { freshTotp, postForm } from "./staff.js";

export interface MerchantUser {
  userId: string;
  merchantId: string;
  email: string;
  role: MerchantRole;
  password: string;
  secret: string;
}

type PortalHarness = { deps: Deps; clock: TestClock; app: FastifyInstance };

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const cookieOf = (setCookie: unknown) => String(setCookie).split(";")[0]!;
const csrfIn = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1];
let seq = 0;

/** The invitation's path (/merchant/invite/<token>) from its absolute link. */
export const invitePathOf = (inviteUrl: string) => new URL(inviteUrl).pathname;

/**
 * Follows an invitation link through inject(): sets the password, enrols TOTP; returns the full
 * session's cookie and the TOTP secret.
 */
export async function acceptInvitation(h: PortalHarness, inviteUrl: string, password: string): Promise<{ cookie: string; secret: string; recoveryCodes: string[] }> {
  const set = await h.app.inject({ method: "POST", url: invitePathOf(inviteUrl), headers: FORM, payload: new URLSearchParams({ password }).toString() });
  assert.equal(set.statusCode, 303, set.body);
  assert.equal(set.headers.location, "/merchant/login/enrol");
  const pending = cookieOf(set.headers["set-cookie"]);
  const enrol = await h.app.inject({ method: "GET", url: "/merchant/login/enrol", headers: { cookie: pending } });
  const secret = /id="totp-secret" class="mono">([A-Z2-7]+)</.exec(enrol.body)?.[1];
  assert.ok(secret, enrol.body);
  const done = await h.app.inject({
    method: "POST",
    url: "/merchant/login/enrol",
    headers: { ...FORM, cookie: pending },
    payload: new URLSearchParams({ code: freshTotp(h, secret), csrf: csrfIn(enrol.body)! }).toString(),
  });
  assert.equal(done.statusCode, 200, done.body);
  const recoveryCodes = [...done.body.matchAll(/<li>([0-9a-f-]+)<\/li>/g)].map((m) => m[1]!);
  return { cookie: cookieOf(done.headers["set-cookie"]), secret, recoveryCodes };
}

/** A merchant user with the role, invited by the operator and enrolled. */
export async function createMerchantUser(h: PortalHarness, merchantId: string, role: MerchantRole): Promise<MerchantUser> {
  const email = `${role}-${++seq}@merchant.example`;
  const invite = await inviteMerchantUser(h.deps, { merchantId, email, role, invitedBy: "operator:test" });
  const password = `correct horse ${seq} battery`;
  const { secret } = await acceptInvitation(h, invite.inviteUrl, password);
  return { userId: invite.userId, merchantId, email, role, password, secret };
}

/** Presses the portal's Live/Test toggle; the session with the mode cookie the answer set (or cleared). */
export async function switchPortalMode(h: PortalHarness, s: { cookie: string; csrf: string }, mode: "test" | "live"): Promise<{ cookie: string; csrf: string }> {
  const r = await postForm(h, s, "/merchant/mode", { mode, back: "/merchant/payments" });
  assert.equal(r.statusCode, 303, r.body);
  assert.equal(r.headers.location, "/merchant/payments");
  const modeCookie = String(r.headers["set-cookie"]).split(";")[0]!;
  return { cookie: `${s.cookie.split("; rampart_merchant_mode=")[0]}; ${modeCookie}`, csrf: s.csrf };
}

/** A signed-in portal session through inject(): password, then a fresh TOTP code; the cookie and CSRF token. */
export async function portalSession(h: PortalHarness, user: MerchantUser): Promise<{ cookie: string; csrf: string }> {
  const login = await h.app.inject({ method: "POST", url: "/merchant/login", headers: FORM, payload: new URLSearchParams({ email: user.email, password: user.password }).toString() });
  assert.equal(login.statusCode, 303, login.body);
  assert.equal(login.headers.location, "/merchant/login/second-factor");
  const pending = cookieOf(login.headers["set-cookie"]);
  const form = await h.app.inject({ method: "GET", url: "/merchant/login/second-factor", headers: { cookie: pending } });
  const done = await h.app.inject({
    method: "POST",
    url: "/merchant/login/second-factor",
    headers: { ...FORM, cookie: pending },
    payload: new URLSearchParams({ code: freshTotp(h, user.secret), csrf: csrfIn(form.body)! }).toString(),
  });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal(done.headers.location, "/merchant/overview");
  const cookie = cookieOf(done.headers["set-cookie"]);
  const page = await h.app.inject({ method: "GET", url: "/merchant/overview", headers: { cookie } });
  const csrf = csrfIn(page.body);
  assert.ok(csrf, "the overview carries the session's CSRF token (sign-out form)");
  return { cookie, csrf };
}

/** Signs a browser page in as `user` (password, then a fresh TOTP code) and waits for the overview. */
export async function signInMerchantUser(page: Page, base: string, h: { clock: TestClock }, user: MerchantUser): Promise<void> {
  await page.goto(`${base}/merchant/login`);
  await page.fill("#email", user.email);
  await page.fill("#password", user.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/merchant\/login\/second-factor$/);
  await page.fill("#code", freshTotp(h, user.secret));
  await page.click("button[type=submit]");
  await page.waitForURL(/\/merchant\/overview$/);
}
