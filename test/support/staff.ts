// Staff accounts for tests: a person with a role and an enrolled authenticator (the test computes TOTP
// codes with otplib at the harness clock), a signed-in console session for inject() calls, and the
// sign-in in a real browser page.
import assert from "node:assert/strict";
import type { FastifyInstance } from "fastify";
import { generateSync } from "otplib";
import type { Page } from "playwright-core";
import type { Deps } from "../../src/app/deps.js";
import { beginTotpEnrolment, confirmTotpEnrolment } from "../../src/app/staff/second-factor.js";
import { createStaffUser } from "../../src/app/staff/staff-accounts.js";
import type { OperatorRole } from "../../src/core/staff/roles.js";
import type { TestClock } from "./clock.js";

export interface StaffMember {
  id: string;
  email: string;
  role: OperatorRole;
  password: string;
  secret: string;
  recoveryCodes: string[];
}

type StaffHarness = { deps: Deps; clock: TestClock; app: FastifyInstance };

let seq = 0;

/** The TOTP code for the harness clock's current 30-second step. */
export const totpNow = (h: { clock: TestClock }, secret: string) => generateSync({ secret, epoch: Math.floor(h.clock.now().getTime() / 1000) });

/**
 * A code not used before: each code is accepted once per account, so this moves the test clock to the
 * next 30-second step first.
 */
export function freshTotp(h: { clock: TestClock }, secret: string): string {
  h.clock.advance(30_000);
  return totpNow(h, secret);
}

/** A staff account with the role and an enrolled authenticator. */
export async function createStaff(h: StaffHarness, role: OperatorRole, email = `${role}-${++seq}@staff.example`): Promise<StaffMember> {
  const user = await createStaffUser(h.deps, { email, role });
  const { secret } = await beginTotpEnrolment(h.deps, "operator", user.id);
  const recoveryCodes = await confirmTotpEnrolment(h.deps, "operator", user.id, freshTotp(h, secret));
  return { ...user, secret, recoveryCodes };
}

const FORM = { "content-type": "application/x-www-form-urlencoded" };
const cookieOf = (setCookie: unknown) => String(setCookie).split(";")[0]!;

/** A signed-in console session through inject(): the cookie and the CSRF token its forms carry. */
export async function staffSession(h: StaffHarness, who: StaffMember | OperatorRole): Promise<{ cookie: string; csrf: string; staff: StaffMember }> {
  const staff = typeof who === "string" ? await createStaff(h, who) : who;
  const login = await h.app.inject({ method: "POST", url: "/dashboard/login", headers: FORM, payload: new URLSearchParams({ email: staff.email, password: staff.password }).toString() });
  assert.equal(login.statusCode, 303, login.body);
  const pending = cookieOf(login.headers["set-cookie"]);
  const form = await h.app.inject({ method: "GET", url: "/dashboard/login/second-factor", headers: { cookie: pending } });
  const pendingCsrf = /name="csrf" value="([^"]+)"/.exec(form.body)?.[1];
  assert.ok(pendingCsrf, form.body);
  const done = await h.app.inject({
    method: "POST",
    url: "/dashboard/login/second-factor",
    headers: { ...FORM, cookie: pending },
    payload: new URLSearchParams({ code: freshTotp(h, staff.secret), csrf: pendingCsrf }).toString(),
  });
  assert.equal(done.statusCode, 303, done.body);
  const cookie = cookieOf(done.headers["set-cookie"]);
  const page = await h.app.inject({ method: "GET", url: "/dashboard/overview", headers: { cookie } });
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1];
  assert.ok(csrf, "the overview carries the session's CSRF token (sign-out form)");
  return { cookie, csrf, staff };
}

/** Signs a browser page in as `staff` (password, then a fresh TOTP code) and waits for the overview. */
export async function signInStaff(page: Page, base: string, h: { clock: TestClock }, staff: StaffMember): Promise<void> {
  await page.goto(`${base}/dashboard/login`);
  await page.fill("#email", staff.email);
  await page.fill("#password", staff.password);
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/login\/second-factor$/);
  await page.fill("#code", freshTotp(h, staff.secret));
  await page.click("button[type=submit]");
  await page.waitForURL(/\/dashboard\/overview$/);
}

/** A console form posted as the signed-in person: the session's cookie, and its CSRF token with the fields (a list: the field sent once per value). */
export const postForm = (h: StaffHarness, s: { cookie: string; csrf: string }, url: string, form: Record<string, string | string[]> = {}) =>
  h.app.inject({
    method: "POST",
    url,
    headers: { cookie: s.cookie, "content-type": "application/x-www-form-urlencoded" },
    payload: new URLSearchParams(Object.entries({ csrf: s.csrf, ...form }).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x): [string, string] => [k, String(x)]))).toString(),
  });

/** A console page read as the signed-in person. */
export const getPage = (h: StaffHarness, s: { cookie: string }, url: string) => h.app.inject({ method: "GET", url, headers: { cookie: s.cookie } });

/** The notice a console redirect carries (?ok=… or ?error=…&code=…), as an object. */
export const noticeOf = (location: unknown) => Object.fromEntries(new URL(String(location), "http://x").searchParams);
