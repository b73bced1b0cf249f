// The sign-in routes of the operator console (/dashboard, staff) and the merchant portal (/merchant,
// merchant users): <base>/login (e-mail and password), <base>/login/second-factor, <base>/login/enrol
// (the first TOTP enrolment) and <base>/logout. The session cookie is scoped to the area's path.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import {
  accountCsrfToken,
  accountCsrfValid,
  completeEnrolment,
  completeSignIn,
  readAccountSession,
  SESSION_TTL_MS,
  signInWithPassword,
  signOut,
} from "../../app/staff/account-sign-in.js";
import { beginTotpEnrolment } from "../../app/staff/second-factor.js";
import type { Deps } from "../../app/deps.js";
import { AppError } from "../../core/shared/errors.js";
import type { AccountRealm } from "../../db/staff/account-realm.js";
import { readCookie, sessionCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { sendPrivatePage } from "../pages/send-page.js";
import { enrolForm, passwordForm, recoveryCodesPage, secondFactorForm, type SignInArea } from "./sign-in-pages.js";

const PENDING_COOKIE_SECONDS = 10 * 60;
/** Sign-in attempts per client address per minute (the account lock-out is separate: account-sign-in.ts). */
const SIGN_IN_PER_MINUTE = 20;

export interface SignedInArea extends SignInArea {
  realm: AccountRealm;
  cookie: string;
}

/** The area's pages: wide, private (no-store), self-contained. */
export function sendAreaPage(reply: FastifyReply, status: number, title: string, body: SafeHtml, script?: SafeHtml) {
  return sendPrivatePage(reply, status, title, body, { wide: true, ...(script ? { script } : {}) });
}

/** The answer to a POST whose CSRF token does not match its session. */
export const sendFormExpired = (reply: FastifyReply) => sendAreaPage(reply, 403, "Forbidden", html`<p class="error">The form expired. Go back and try again.</p>`);

/** The paths that need no session (the sign-in steps and sign-out). */
export const publicPaths = (area: SignedInArea) => new Set([`${area.base}/login`, `${area.base}/login/second-factor`, `${area.base}/login/enrol`, `${area.base}/logout`]);

/** The area's session cookie carrying `token` (empty with max-age 0 to clear it). */
export function areaCookie(deps: Deps, area: SignedInArea, token: string, maxAgeSeconds: number): string {
  return sessionCookie(area.cookie, token, { path: area.base, maxAgeSeconds, secure: deps.config.publicUrl.startsWith("https:") });
}

/** The route's pattern with its parameters filled in (/dashboard/:section → /dashboard/audit); the raw path when no route matched. */
export function matchedPath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return request.url.split("?")[0]!;
  const params = (request.params ?? {}) as Record<string, string>;
  return route.replace(/:(\w+)/g, (_, name: string) => params[name] ?? "").replace(/\*$/, params["*"] ?? "");
}

/** Registers the sign-in steps and sign-out of `area`. */
export function signInRoutes(app: FastifyInstance, deps: Deps, area: SignedInArea): void {
  const { realm, base } = area;
  const cookie = (token: string, maxAgeSeconds: number) => areaCookie(deps, area, token, maxAgeSeconds);
  const signInLimit = { rateLimit: { max: SIGN_IN_PER_MINUTE, timeWindow: 60_000 } };

  /** The half-way session between the password and the second factor. */
  const pendingToken = (request: FastifyRequest) => readCookie(request.headers.cookie, area.cookie) ?? "";
  const pendingSession = async (request: FastifyRequest) => {
    const s = await readAccountSession(deps, realm, pendingToken(request));
    return s?.stage === "password" ? s : null;
  };
  const refusal = (err: unknown): string => {
    if (err instanceof AppError && err.status < 500) return err.message;
    throw err;
  };
  const csrfOf = (request: FastifyRequest) => accountCsrfToken(deps, realm, pendingToken(request));

  app.get(`${base}/login`, { schema: { hide: true } }, async (_req, reply) => sendAreaPage(reply, 200, "Sign in", passwordForm(area)));

  app.post<{ Body: { email?: unknown; password?: unknown } }>(`${base}/login`, { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    try {
      const { token, enrolled } = await signInWithPassword(deps, realm, { email: request.body?.email, password: request.body?.password, ip: request.ip });
      return reply.header("set-cookie", cookie(token, PENDING_COOKIE_SECONDS)).redirect(enrolled ? `${base}/login/second-factor` : `${base}/login/enrol`, 303);
    } catch (err) {
      const status = err instanceof AppError ? err.status : 500;
      return sendAreaPage(reply, status, "Sign in", passwordForm(area, refusal(err)));
    }
  });

  app.get(`${base}/login/second-factor`, { schema: { hide: true } }, async (request, reply) => {
    if (!(await pendingSession(request))) return reply.redirect(`${base}/login`, 303);
    return sendAreaPage(reply, 200, "Authentication code", secondFactorForm(area, csrfOf(request)));
  });

  app.post<{ Body: { code?: unknown; csrf?: unknown } }>(`${base}/login/second-factor`, { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    const token = pendingToken(request);
    if (!(await pendingSession(request)) || !accountCsrfValid(deps, realm, token, request.body?.csrf)) return reply.redirect(`${base}/login`, 303);
    try {
      const full = await completeSignIn(deps, realm, token, request.body?.code, request.ip);
      return reply.header("set-cookie", cookie(full, SESSION_TTL_MS / 1000)).redirect(area.home, 303);
    } catch (err) {
      const status = err instanceof AppError ? err.status : 500;
      return sendAreaPage(reply, status, "Authentication code", secondFactorForm(area, csrfOf(request), refusal(err)));
    }
  });

  const showEnrolment = async (request: FastifyRequest, reply: FastifyReply, status: number, error?: string) => {
    const s = await pendingSession(request);
    if (!s) return reply.redirect(`${base}/login`, 303);
    const enrolment = await beginTotpEnrolment(deps, realm, s.userId);
    return sendAreaPage(reply, status, "Second factor", await enrolForm(area, csrfOf(request), enrolment, error));
  };

  app.get(`${base}/login/enrol`, { schema: { hide: true } }, async (request, reply) => showEnrolment(request, reply, 200));

  app.post<{ Body: { code?: unknown; csrf?: unknown } }>(`${base}/login/enrol`, { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    const token = pendingToken(request);
    if (!(await pendingSession(request)) || !accountCsrfValid(deps, realm, token, request.body?.csrf)) return reply.redirect(`${base}/login`, 303);
    try {
      const done = await completeEnrolment(deps, realm, token, request.body?.code, request.ip);
      reply.header("set-cookie", cookie(done.token, SESSION_TTL_MS / 1000));
      return sendAreaPage(reply, 200, "Recovery codes", recoveryCodesPage(area, done.recoveryCodes));
    } catch (err) {
      return showEnrolment(request, reply, err instanceof AppError ? err.status : 500, refusal(err));
    }
  });

  app.post<{ Body: { csrf?: unknown } }>(`${base}/logout`, { schema: { hide: true } }, async (request, reply) => {
    const token = readCookie(request.headers.cookie, area.cookie);
    if (token && (await readAccountSession(deps, realm, token)) && !accountCsrfValid(deps, realm, token, request.body?.csrf)) return sendFormExpired(reply);
    await signOut(deps, realm, token, request.ip);
    return reply.header("set-cookie", cookie("", 0)).redirect(`${base}/login`, 303);
  });
}
