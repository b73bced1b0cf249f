// The merchant portal at /merchant (issue 19): merchant users sign in with e-mail, password and a TOTP
// code (the console's sign-in, realm "merchant"), then server-rendered pages of their own merchant.
// Every page and action checks the server-side session, every POST its CSRF token, and each the
// person's role against the section's permission (core/merchant-users/roles.ts); a refused one is a
// 403 page naming role_forbidden. The API at /merchant/v1 is another scope (key auth, no cookies).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { readMerchantUserSession } from "../../app/merchant-users/merchant-users.js";
import { accountCsrfToken, accountCsrfValid } from "../../app/staff/account-sign-in.js";
import { MERCHANT_PERMISSIONS, merchantCan, type MerchantPermission } from "../../core/merchant-users/roles.js";
import { AppError } from "../../core/shared/errors.js";
import { readCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { flash } from "../pages/send-page.js";
import { auditOperatorActions } from "../plugins/audit-scope.js";
import { principalOf } from "../plugins/principal.js";
import { matchedPath, publicPaths, sendAreaPage, sendFormExpired, type SignedInArea, signInRoutes } from "../sign-in/sign-in-routes.js";
import { pageQuery } from "../dashboard/filter-fields.js";
import { invitePages } from "./invite-pages.js";
import { notFoundPage } from "./portal-answers.js";
import { actingMerchant, modeSwitchRoute, modeToggle, testModeBanner } from "./portal-mode.js";
import { openInMode, type PortalContext, type SendPortalPage } from "./portal-section.js";
import { portalSections } from "./portal-sections.js";

const PORTAL: SignedInArea = {
  realm: "merchant",
  cookie: "rampart_merchant",
  base: "/merchant",
  title: "Rampart merchant sign-in",
  home: "/merchant/overview",
  homeLabel: "Continue to the portal",
  hint: html`Your account comes from an invitation link sent by your merchant's owner or the operator.`,
};
const PUBLIC = publicPaths(PORTAL);

/**
 * A section in the mode that refuses it: the portal's equivalent of the merchant API's 403
 * live_mode_only (a test key) and test_mode_only (a live key).
 */
function sendWrongMode(reply: FastifyReply, title: string, test: boolean) {
  const [code, mode, why] = test
    ? ["live_mode_only", "live", "This page acts on live people and money: switch to live mode to use it."]
    : ["test_mode_only", "test", "This page shows test mode's data only: switch to test mode to use it."];
  return sendAreaPage(
    reply,
    403,
    `${mode === "live" ? "Live" : "Test"} mode only`,
    html`<div class="card" id="refusal" data-code="${code}"><h1>${title}: ${mode} mode only</h1>
<p class="error" role="alert">${why}</p>
<p class="muted">Code <code>${code}</code>.</p><p><a href="/merchant/overview">Back to the portal</a></p></div>`,
  );
}

function sendRefusal(reply: FastifyReply, role: string, permission: MerchantPermission) {
  return sendAreaPage(
    reply,
    403,
    "Not allowed",
    html`<div class="card" id="refusal" data-code="role_forbidden"><h1>Not allowed</h1>
<p class="error" role="alert">The ${role} role may not ${MERCHANT_PERMISSIONS[permission]}.</p>
<p class="muted">Code <code>role_forbidden</code>. Ask an owner of your merchant if you need this.</p><p><a href="/merchant/overview">Back to the portal</a></p></div>`,
  );
}

export async function portalRoutes(app: FastifyInstance, deps: Deps): Promise<void> {
  app.addHook("preHandler", async (request, reply) => {
    // The matched route's path, never the raw URL (see dashboard-routes.ts: /%6derchant/… is /merchant/…).
    const path = matchedPath(request);
    if (!path.startsWith("/merchant") || PUBLIC.has(path) || path.startsWith("/merchant/invite/")) return;
    const token = readCookie(request.headers.cookie, PORTAL.cookie);
    const s = await readMerchantUserSession(deps, token);
    if (!s || s.stage !== "full") return reply.redirect("/merchant/login", 303);
    // The one place that decides which merchant the request acts for: in test mode its test twin.
    const acting = await actingMerchant(deps, request.headers.cookie, token!, s.merchantId);
    request.principal = { kind: "merchant_user", userId: s.userId, ...acting, liveMerchantId: s.merchantId, role: s.role, name: s.email, session: token! };
    if (request.method === "POST" && !accountCsrfValid(deps, "merchant", token!, (request.body as { csrf?: unknown } | undefined)?.csrf)) return sendFormExpired(reply);
    const section = portalSections.find((x) => path === `/merchant/${x.id}` || path.startsWith(`/merchant/${x.id}/`));
    if (section && !merchantCan(s.role, section.permission)) return sendRefusal(reply, s.role, section.permission);
    if (section && !openInMode(section, acting.test)) return sendWrongMode(reply, section.title, acting.test);
  });

  // Each portal action that passed the checks above writes one audit entry (actor merchant-user:<id>).
  auditOperatorActions(app, deps, "portal", "/merchant/");
  signInRoutes(app, deps, PORTAL);
  invitePages(app, deps, PORTAL);
  modeSwitchRoute(app, deps);

  const contextOf = (request: FastifyRequest): PortalContext => {
    const p = principalOf(request, "merchant_user");
    return {
      merchantId: p.merchantId,
      test: p.test,
      userId: p.userId,
      role: p.role,
      csrf: accountCsrfToken(deps, "merchant", p.session),
      query: pageQuery(request.query),
      can: (permission) => merchantCan(p.role, permission),
    };
  };

  /** A page of section `id` inside the portal's navigation (only the sections the role may open). */
  const send: SendPortalPage = async (request, reply, id, status, render) => {
    const ctx = contextOf(request);
    let page: { title: string; body: SafeHtml; script?: SafeHtml | undefined };
    try {
      page = await render(ctx);
    } catch (err) {
      if (err instanceof AppError && err.code === "not_found") return notFoundPage(reply, err.message);
      // A bad query parameter (a filter, a range): the page says which, with the stable code.
      if (err instanceof AppError && err.status === 400) {
        return sendAreaPage(reply, 400, "Bad request", html`<div class="card" id="refusal" data-code="${err.code}"><p class="error" role="alert">${err.message}</p><p><a href="/merchant/${id}">Back</a></p></div>`);
      }
      throw err;
    }
    const p = principalOf(request, "merchant_user");
    const visible = portalSections.filter((s) => ctx.can(s.permission) && openInMode(s, ctx.test));
    const section = portalSections.find((s) => s.id === id);
    // The toggle comes back to this section unless the other mode refuses it.
    const back = section && !openInMode(section, !ctx.test) ? "overview" : id;
    return sendAreaPage(
      reply,
      status,
      `${page.title} · Rampart`,
      html`<nav class="card" aria-label="Portal">${visible.map((s) => html`<a href="/merchant/${s.id}">${s.id === id ? html`<strong>${s.title}</strong>` : s.title}</a> `)}
<form method="post" action="/merchant/logout" style="display:inline;float:right"><input type="hidden" name="csrf" value="${ctx.csrf}"><span class="muted" id="signed-in-as">${p.name} · ${p.role}</span> <button class="secondary" type="submit">Sign out</button></form>
${modeToggle(ctx, back)}</nav>${testModeBanner(ctx)}
<h1>${page.title}</h1>${flash(ctx.query)}${page.body}`,
      page.script ?? section?.script,
    );
  };

  const renderSection = async (request: FastifyRequest, reply: FastifyReply, id: string, item?: string) => {
    const section = portalSections.find((s) => s.id === id);
    if (!section || (item !== undefined && !section.renderItem)) return notFoundPage(reply);
    return send(request, reply, id, 200, async (ctx) => (item === undefined ? { title: section.title, body: await section.render(deps, ctx) } : section.renderItem!(deps, ctx, item)));
  };

  app.get("/merchant", { schema: { hide: true } }, async (_request, reply) => reply.redirect("/merchant/overview", 303));
  app.get<{ Params: { section: string } }>(
    "/merchant/:section",
    { schema: { hide: true, params: { type: "object", properties: { section: { type: "string", maxLength: 40 } }, required: ["section"] } } },
    async (request, reply) => renderSection(request, reply, request.params.section),
  );
  app.get<{ Params: { section: string; item: string } }>(
    "/merchant/:section/:item",
    { schema: { hide: true, params: { type: "object", properties: { section: { type: "string", maxLength: 40 }, item: { type: "string", maxLength: 64 } }, required: ["section", "item"] } } },
    async (request, reply) => renderSection(request, reply, request.params.section, request.params.item),
  );
  for (const s of portalSections) s.actions?.(app, deps, send);
}
