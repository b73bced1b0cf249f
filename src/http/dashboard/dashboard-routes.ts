// The operator dashboard at /dashboard: sign in with an operator key, then server-rendered sections.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { authenticateOperator } from "../../app/auth/authenticate.js";
import {
  OPERATOR_SESSION_TTL_MS,
  csrfToken,
  issueOperatorSession,
  operatorCsrfValid,
  verifyOperatorSession,
} from "../../app/auth/operator-session.js";
import type { Deps } from "../../app/deps.js";
import { AppError } from "../../core/shared/errors.js";
import { readCookie, sessionCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { flash, sendPrivatePage } from "../pages/send-page.js";
import { isBufferedMultipart, readMultipartForm } from "../plugins/multipart-form.js";
import { dashboardSections } from "./sections.js";

const COOKIE = "rampart_operator";

function sendPage(reply: FastifyReply, status: number, title: string, body: SafeHtml) {
  return sendPrivatePage(reply, status, title, body, { wide: true });
}

function loginForm(error?: string): SafeHtml {
  return html`<div class="card"><h1>Rampart operator sign-in</h1>
<form method="post" action="/dashboard/login">
<label for="key">Operator key</label><input id="key" name="key" type="password" autocomplete="off" required>
${error ? html`<p class="error">${error}</p>` : ""}
<p><button type="submit">Sign in</button></p></form>
<p class="muted">Create one with the CLI, or use the sandbox operator key printed by <code>rampart start</code>.</p></div>`;
}

export async function dashboardRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  const secure = deps.config.publicUrl.startsWith("https:");

  async function session(request: FastifyRequest): Promise<{ token: string; operatorKeyId: string } | null> {
    const token = readCookie(request.headers.cookie, COOKIE);
    const operatorKeyId = await verifyOperatorSession(deps, token);
    return operatorKeyId ? { token: token!, operatorKeyId } : null;
  }

  // Every other dashboard page and action needs a session; actions also need the CSRF token.
  app.addHook("preHandler", async (request, reply) => {
    if (request.url.startsWith("/dashboard/login") || request.url === "/dashboard/logout") return;
    if (!request.url.startsWith("/dashboard")) return;
    const s = await session(request);
    if (!s) return reply.redirect("/dashboard/login", 303);
    request.principal = { kind: "operator", operatorKeyId: s.operatorKeyId };
    if (request.method === "POST") {
      // A file upload (bank statements) is a buffered multipart body: its csrf is one of its fields.
      const sent = isBufferedMultipart(request.body) ? (await readMultipartForm(request)).fields.csrf : (request.body as { csrf?: unknown } | undefined)?.csrf;
      if (!operatorCsrfValid(deps, s.token, sent)) return sendPage(reply, 403, "Forbidden", html`<p class="error">The form expired. Go back and try again.</p>`);
    }
  });

  app.get("/dashboard/login", { schema: { hide: true } }, async (_req, reply) => sendPage(reply, 200, "Sign in", loginForm()));

  app.post<{ Body: { key?: string } }>("/dashboard/login", { schema: { hide: true } }, async (request, reply) => {
    try {
      const { operatorKeyId } = await authenticateOperator(deps, request.body?.key);
      const token = issueOperatorSession(deps, operatorKeyId);
      return reply
        .header("set-cookie", sessionCookie(COOKIE, token, { path: "/dashboard", maxAgeSeconds: OPERATOR_SESSION_TTL_MS / 1000, secure }))
        .redirect("/dashboard", 303);
    } catch (err) {
      if (err instanceof AppError && err.code === "unauthorized") return sendPage(reply, 401, "Sign in", loginForm("That operator key is not valid."));
      throw err;
    }
  });

  app.post("/dashboard/logout", { schema: { hide: true } }, async (_req, reply) =>
    reply.header("set-cookie", sessionCookie(COOKIE, "", { path: "/dashboard", maxAgeSeconds: 0, secure })).redirect("/dashboard/login", 303),
  );

  const renderSection = async (request: FastifyRequest<{ Querystring: Record<string, string> }>, reply: FastifyReply, id: string) => {
    const section = dashboardSections.find((s) => s.id === id);
    if (!section) return sendPage(reply, 404, "Not found", html`<p>No such page.</p>`);
    const { token } = (await session(request))!;
    const body = await section.render(deps, { csrf: csrfToken(deps, token), query: request.query ?? {} });
    return sendPage(
      reply,
      200,
      `${section.title} · Rampart`,
      html`<nav class="card">${dashboardSections.map((s) => html`<a href="/dashboard/${s.id}">${s.id === id ? html`<strong>${s.title}</strong>` : s.title}</a>`)}
<form method="post" action="/dashboard/logout" style="display:inline;float:right"><button class="secondary" type="submit">Sign out</button></form></nav>
<h1>${section.title}</h1>${flash(request.query ?? {})}${body}`,
    );
  };

  app.get("/dashboard", { schema: { hide: true } }, async (request, reply) => reply.redirect("/dashboard/overview", 303));
  app.get<{ Params: { section: string }; Querystring: Record<string, string> }>(
    "/dashboard/:section",
    { schema: { hide: true } },
    async (request, reply) => renderSection(request, reply, request.params.section),
  );
  for (const s of dashboardSections) s.actions?.(app, deps);
}
