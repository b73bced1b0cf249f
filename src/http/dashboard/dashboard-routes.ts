// The operator console at /dashboard: staff sign in with e-mail, password and a TOTP code (enrolled at
// the first sign-in), then server-rendered sections. Every page and action checks the server-side
// session, every POST its CSRF token, and each the signed-in person's role (section.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { beginTotpEnrolment } from "../../app/staff/second-factor.js";
import {
  completeEnrolment,
  completeSignIn,
  readStaffSession,
  signInWithPassword,
  signOut,
  STAFF_SESSION_TTL_MS,
  staffCsrfToken,
  staffCsrfValid,
} from "../../app/staff/staff-sign-in.js";
import { AppError } from "../../core/shared/errors.js";
import { can, type Permission } from "../../core/staff/roles.js";
import { readCookie, sessionCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { flash, sendPrivatePage } from "../pages/send-page.js";
import { isBufferedMultipart, readMultipartForm } from "../plugins/multipart-form.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { requirePermission, routePermission } from "../plugins/permissions.js";
import { principalOf } from "../plugins/principal.js";
import type { SectionPages } from "./section.js";
import { dashboardSections } from "./sections.js";
import { enrolForm, passwordForm, recoveryCodesPage, secondFactorForm } from "./sign-in-pages.js";

const COOKIE = "rampart_operator";
const PENDING_COOKIE_SECONDS = 10 * 60;
/** Sign-in attempts per client address per minute (the account lock-out is separate: staff-sign-in.ts). */
const SIGN_IN_PER_MINUTE = 20;
const PUBLIC = new Set(["/dashboard/login", "/dashboard/login/second-factor", "/dashboard/login/enrol", "/dashboard/logout"]);

function sendPage(reply: FastifyReply, status: number, title: string, body: SafeHtml, script?: SafeHtml) {
  return sendPrivatePage(reply, status, title, body, { wide: true, ...(script ? { script } : {}) });
}

/** The refusal page: 403, the stable code, what the role lacks. */
function sendRefusal(reply: FastifyReply, err: AppError) {
  return sendPage(
    reply,
    err.status,
    "Not allowed",
    html`<div class="card" id="refusal" data-code="${err.code}"><h1>Not allowed</h1><p class="error" role="alert">${err.message}</p>
<p class="muted">Code <code>${err.code}</code>. Ask an admin if you need this.</p><p><a href="/dashboard">Back to the console</a></p></div>`,
  );
}

/** The route's pattern with its parameters filled in (/dashboard/:section → /dashboard/audit); the raw path when no route matched. */
function matchedPath(request: FastifyRequest): string {
  const route = request.routeOptions.url;
  if (route === undefined) return request.url.split("?")[0]!;
  const params = (request.params ?? {}) as Record<string, string>;
  return route.replace(/:(\w+)/g, (_, name: string) => params[name] ?? "").replace(/\*$/, params["*"] ?? "");
}

export async function dashboardRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const secure = deps.config.publicUrl.startsWith("https:");
  const cookie = (token: string, maxAgeSeconds: number) => sessionCookie(COOKIE, token, { path: "/dashboard", maxAgeSeconds, secure });
  const signInLimit = { rateLimit: { max: SIGN_IN_PER_MINUTE, timeWindow: 60_000 } };

  app.addHook("preHandler", async (request, reply) => {
    // The path the router matched (its pattern filled with the decoded parameters), never the raw URL:
    // the router decodes before matching, so /%64ashboard/… reaches a /dashboard route while its raw
    // URL does not start with /dashboard.
    const path = matchedPath(request);
    if (!path.startsWith("/dashboard") || PUBLIC.has(path)) return;
    const token = readCookie(request.headers.cookie, COOKIE);
    const s = await readStaffSession(deps, token);
    if (!s || s.stage !== "full") return reply.redirect("/dashboard/login", 303);
    request.principal = { kind: "operator", operatorId: s.userId, role: s.role, name: s.email, session: token! };
    if (request.method === "POST") {
      // A file upload (bank statements) is a buffered multipart body: its csrf is one of its fields.
      const sent = isBufferedMultipart(request.body) ? (await readMultipartForm(request)).fields.csrf : (request.body as { csrf?: unknown } | undefined)?.csrf;
      if (!staffCsrfValid(deps, token!, sent)) return sendPage(reply, 403, "Forbidden", html`<p class="error">The form expired. Go back and try again.</p>`);
    }
    const section = dashboardSections.find((x) => path === `/dashboard/${x.id}` || path.startsWith(`/dashboard/${x.id}/`));
    const fallback: Permission = request.method === "GET" || request.method === "HEAD" ? (section?.view ?? "read") : (section?.act ?? "configure");
    try {
      requirePermission(request, routePermission(request, fallback));
    } catch (err) {
      if (err instanceof AppError) return sendRefusal(reply, err);
      throw err;
    }
  });

  // Each console action that passed the checks above writes one audit entry with its change.
  auditOperatorActions(app, deps, "console", "/dashboard/");

  /** The half-way session between the password and the second factor. */
  const pendingToken = (request: FastifyRequest) => readCookie(request.headers.cookie, COOKIE) ?? "";
  const pendingSession = async (request: FastifyRequest) => {
    const s = await readStaffSession(deps, pendingToken(request));
    return s?.stage === "password" ? s : null;
  };
  const staffError = (err: unknown): string => {
    if (err instanceof AppError && err.status < 500) return err.message;
    throw err;
  };

  app.get("/dashboard/login", { schema: { hide: true } }, async (_req, reply) => sendPage(reply, 200, "Sign in", passwordForm()));

  app.post<{ Body: { email?: unknown; password?: unknown } }>("/dashboard/login", { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    try {
      const { token, enrolled } = await signInWithPassword(deps, { email: request.body?.email, password: request.body?.password, ip: request.ip });
      return reply.header("set-cookie", cookie(token, PENDING_COOKIE_SECONDS)).redirect(enrolled ? "/dashboard/login/second-factor" : "/dashboard/login/enrol", 303);
    } catch (err) {
      const status = err instanceof AppError ? err.status : 500;
      return sendPage(reply, status, "Sign in", passwordForm(staffError(err)));
    }
  });

  app.get("/dashboard/login/second-factor", { schema: { hide: true } }, async (request, reply) => {
    if (!(await pendingSession(request))) return reply.redirect("/dashboard/login", 303);
    return sendPage(reply, 200, "Authentication code", secondFactorForm(staffCsrfToken(deps, pendingToken(request))));
  });

  app.post<{ Body: { code?: unknown; csrf?: unknown } }>("/dashboard/login/second-factor", { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    const token = pendingToken(request);
    if (!(await pendingSession(request)) || !staffCsrfValid(deps, token, request.body?.csrf)) return reply.redirect("/dashboard/login", 303);
    try {
      const full = await completeSignIn(deps, token, request.body?.code, request.ip);
      return reply.header("set-cookie", cookie(full, STAFF_SESSION_TTL_MS / 1000)).redirect("/dashboard/overview", 303);
    } catch (err) {
      const status = err instanceof AppError ? err.status : 500;
      return sendPage(reply, status, "Authentication code", secondFactorForm(staffCsrfToken(deps, token), staffError(err)));
    }
  });

  const showEnrolment = async (request: FastifyRequest, reply: FastifyReply, status: number, error?: string) => {
    const s = await pendingSession(request);
    if (!s) return reply.redirect("/dashboard/login", 303);
    const enrolment = await beginTotpEnrolment(deps, s.userId);
    return sendPage(reply, status, "Second factor", await enrolForm(staffCsrfToken(deps, pendingToken(request)), enrolment, error));
  };

  app.get("/dashboard/login/enrol", { schema: { hide: true } }, async (request, reply) => showEnrolment(request, reply, 200));

  app.post<{ Body: { code?: unknown; csrf?: unknown } }>("/dashboard/login/enrol", { schema: { hide: true }, config: signInLimit }, async (request, reply) => {
    const token = pendingToken(request);
    if (!(await pendingSession(request)) || !staffCsrfValid(deps, token, request.body?.csrf)) return reply.redirect("/dashboard/login", 303);
    try {
      const done = await completeEnrolment(deps, token, request.body?.code, request.ip);
      reply.header("set-cookie", cookie(done.token, STAFF_SESSION_TTL_MS / 1000));
      return sendPage(reply, 200, "Recovery codes", recoveryCodesPage(done.recoveryCodes));
    } catch (err) {
      return showEnrolment(request, reply, err instanceof AppError ? err.status : 500, staffError(err));
    }
  });

  app.post<{ Body: { csrf?: unknown } }>("/dashboard/logout", { schema: { hide: true } }, async (request, reply) => {
    const token = readCookie(request.headers.cookie, COOKIE);
    if (token && (await readStaffSession(deps, token)) && !staffCsrfValid(deps, token, request.body?.csrf)) {
      return sendPage(reply, 403, "Forbidden", html`<p class="error">The form expired. Go back and try again.</p>`);
    }
    await signOut(deps, token, request.ip);
    return reply.header("set-cookie", cookie("", 0)).redirect("/dashboard/login", 303);
  });

  /** A page of section `id` (what `render` makes with the request's context) inside the console's navigation. */
  const sendSectionPage: SectionPages["send"] = async (request, reply, id, status, render) => {
    const { role, name, session } = principalOf(request, "operator");
    const csrf = staffCsrfToken(deps, session!);
    const query = (request.query ?? {}) as Record<string, string | undefined>;
    const ctx = { csrf, query, can: (permission: Permission) => can(role, permission) };
    let page: { title: string; body: SafeHtml; script?: SafeHtml | undefined };
    try {
      page = await render(ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return sendPage(reply, 404, "Not found", html`<p class="card error">${err.message}.</p>`);
      // A bad query parameter (a filter, a range): the page says which, with the stable code.
      if (err instanceof AppError && err.code === "validation_failed") {
        return sendPage(reply, 400, "Bad request", html`<div class="card" id="refusal" data-code="${err.code}"><p class="error" role="alert">${err.message}</p><p><a href="/dashboard/${id}">Back</a></p></div>`);
      }
      throw err;
    }
    const visible = dashboardSections.filter((s) => can(role, s.view ?? "read"));
    return sendPage(
      reply,
      status,
      `${page.title} · Rampart`,
      html`<nav class="card">${visible.map((s) => html`<a href="/dashboard/${s.id}">${s.id === id ? html`<strong>${s.title}</strong>` : s.title}</a>`)}
<form method="post" action="/dashboard/logout" style="display:inline;float:right"><input type="hidden" name="csrf" value="${csrf}"><span class="muted" id="signed-in-as">${name} · ${role}</span> <button class="secondary" type="submit">Sign out</button></form></nav>
<h1>${page.title}</h1>${flash(query)}${page.body}`,
      page.script,
    );
  };

  /** A section's page (with its script), or one item's page within it (`item`). */
  const renderSection = async (request: FastifyRequest, reply: FastifyReply, id: string, item?: string) => {
    const section = dashboardSections.find((s) => s.id === id);
    if (!section || (item !== undefined && !section.renderItem)) return sendPage(reply, 404, "Not found", html`<p>No such page.</p>`);
    return sendSectionPage(request, reply, id, 200, async (ctx) =>
      item === undefined ? { title: section.title, body: await section.render(deps, ctx), script: section.script } : section.renderItem!(deps, ctx, item),
    );
  };

  app.get("/dashboard", { schema: { hide: true } }, async (_request, reply) => reply.redirect("/dashboard/overview", 303));
  app.get<{ Params: { section: string }; Querystring: Record<string, string> }>(
    "/dashboard/:section",
    { schema: { hide: true } },
    async (request, reply) => renderSection(request, reply, request.params.section),
  );
  app.get<{ Params: { section: string; item: string }; Querystring: Record<string, string> }>(
    "/dashboard/:section/:item",
    { schema: { hide: true, params: { type: "object", properties: { section: { type: "string", maxLength: 40 }, item: { type: "string", maxLength: 64 } }, required: ["section", "item"] } } },
    async (request, reply) => renderSection(request, reply, request.params.section, request.params.item),
  );
  for (const s of dashboardSections) s.actions?.(app, deps, { send: sendSectionPage });
}
