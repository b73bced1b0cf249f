// The operator console at /dashboard: staff sign in with e-mail, password and a TOTP code (enrolled at
// the first sign-in), then server-rendered sections. Every page and action checks the server-side
// session, every POST its CSRF token, and each the signed-in person's role (section.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { accountCsrfToken, accountCsrfValid, readAccountSession } from "../../app/staff/account-sign-in.js";
import { AppError } from "../../core/shared/errors.js";
import { can, isOperatorRole, type Permission } from "../../core/staff/roles.js";
import { readCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { flash } from "../pages/send-page.js";
import { isBufferedMultipart, readMultipartForm } from "../plugins/multipart-form.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { requirePermission, routePermission } from "../plugins/permissions.js";
import { principalOf } from "../plugins/principal.js";
import { matchedPath, publicPaths, sendAreaPage as sendPage, sendFormExpired, type SignedInArea, signInRoutes } from "../sign-in/sign-in-routes.js";
import { pageQuery } from "./filter-fields.js";
import type { SectionPages } from "./section.js";
import { dashboardSections } from "./sections.js";

const CONSOLE: SignedInArea = {
  realm: "operator",
  cookie: "rampart_operator",
  base: "/dashboard",
  title: "Rampart operator sign-in",
  home: "/dashboard/overview",
  homeLabel: "Continue to the console",
  hint: html`The first admin is created with <code>rampart operator create --email you@example.com</code>.`,
};
const PUBLIC = publicPaths(CONSOLE);

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

export async function dashboardRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.addHook("preHandler", async (request, reply) => {
    // The path the router matched (its pattern filled with the decoded parameters), never the raw URL:
    // the router decodes before matching, so /%64ashboard/… reaches a /dashboard route while its raw
    // URL does not start with /dashboard.
    const path = matchedPath(request);
    if (!path.startsWith("/dashboard") || PUBLIC.has(path)) return;
    const token = readCookie(request.headers.cookie, CONSOLE.cookie);
    const s = await readAccountSession(deps, "operator", token);
    if (!s || s.stage !== "full" || !isOperatorRole(s.role)) return reply.redirect("/dashboard/login", 303);
    request.principal = { kind: "operator", operatorId: s.userId, role: s.role, name: s.email, session: token! };
    if (request.method === "POST") {
      // A file upload (bank statements) is a buffered multipart body: its csrf is one of its fields.
      const sent = isBufferedMultipart(request.body) ? (await readMultipartForm(request)).fields.csrf : (request.body as { csrf?: unknown } | undefined)?.csrf;
      if (!accountCsrfValid(deps, "operator", token!, sent)) return sendFormExpired(reply);
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

  signInRoutes(app, deps, CONSOLE);

  /** A page of section `id` (what `render` makes with the request's context) inside the console's navigation. */
  const sendSectionPage: SectionPages["send"] = async (request, reply, id, status, render) => {
    const { role, name, session } = principalOf(request, "operator");
    const csrf = accountCsrfToken(deps, "operator", session!);
    const query = pageQuery(request.query);
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
