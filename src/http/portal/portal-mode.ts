// The portal's Live/Test toggle (issue 19, test mode). The mode is a cookie bound to the portal session
// (its value is a MAC of the session token: worthless after sign-out or in another session); without a
// valid one the session is live. In test mode the portal's hook makes the request act for the merchant's
// test twin, so every page and action is scoped to it the way a test API key is.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { enterTestMode, testTwinIdOf } from "../../app/merchants/test-mode.js";
import { accountTestModeMark, accountTestModeValid, SESSION_TTL_MS } from "../../app/staff/account-sign-in.js";
import { readCookie, sessionCookie } from "../pages/cookies.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { formText } from "./portal-section.js";

const MODE_COOKIE = "rampart_merchant_mode";
const SWITCH = "/merchant/mode";

/** The merchant a portal request acts for: the twin when the session's test-mode cookie is valid and the twin exists. */
export async function actingMerchant(deps: Deps, cookieHeader: string | undefined, session: string, liveId: string): Promise<{ merchantId: string; test: boolean }> {
  if (!accountTestModeValid(deps, "merchant", session, readCookie(cookieHeader, MODE_COOKIE))) return { merchantId: liveId, test: false };
  const twin = await testTwinIdOf(deps, liveId);
  return twin ? { merchantId: twin, test: true } : { merchantId: liveId, test: false };
}

/** Back to the section the switch was pressed on (its list, as an item of one mode is not found in the other). */
function backOf(body: unknown): string {
  const back = formText(body, "back");
  return /^\/merchant\/[a-z]{1,32}$/.test(back) ? back : "/merchant/overview";
}

/** POST /merchant/mode (mode=test|live): any role may switch; the hook has checked the session and CSRF. */
export function modeSwitchRoute(app: FastifyInstance, deps: Deps): void {
  app.post(SWITCH, { schema: { hide: true } }, async (request, reply) => {
    const p = principalOf(request, "merchant_user");
    const secure = deps.config.publicUrl.startsWith("https:");
    if (formText(request.body, "mode") === "test") {
      await enterTestMode(deps, await merchantOr404(deps, p.liveMerchantId));
      reply.header("set-cookie", sessionCookie(MODE_COOKIE, accountTestModeMark(deps, "merchant", p.session), { path: "/merchant", maxAgeSeconds: SESSION_TTL_MS / 1000, secure }));
    } else {
      reply.header("set-cookie", sessionCookie(MODE_COOKIE, "", { path: "/merchant", maxAgeSeconds: 0, secure }));
    }
    return reply.redirect(backOf(request.body), 303);
  });
}

/** The header's toggle: the mode it is in and a button to the other. */
export function modeToggle(ctx: { test: boolean; csrf: string }, sectionId: string): SafeHtml {
  return html`<form method="post" action="${SWITCH}" id="mode-toggle" class="inline"><input type="hidden" name="csrf" value="${ctx.csrf}">
<input type="hidden" name="back" value="/merchant/${sectionId}"><input type="hidden" name="mode" value="${ctx.test ? "live" : "test"}">
<span class="muted">Mode: <strong id="mode">${ctx.test ? "Test" : "Live"}</strong></span> <button type="submit" class="secondary small">Switch to ${ctx.test ? "live" : "test"} mode</button></form>`;
}

/** Above every page in test mode. */
export function testModeBanner(ctx: { test: boolean }): SafeHtml {
  if (!ctx.test) return html``;
  return html`<div class="card" id="test-mode-banner" role="status"><span class="status warn">Test mode</span>
You are looking at test data: payments made with test keys (<code>rmp_test_…</code>) on the sandbox adapters, apart from live money. People and withdrawals are live only.</div>`;
}
