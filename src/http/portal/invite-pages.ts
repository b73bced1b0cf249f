// The invitation link's page (/merchant/invite/<token>): who it is for, and the form that sets the
// password; after it the first sign-in's TOTP enrolment (sign-in-routes.ts) completes the account.
import type { FastifyInstance } from "fastify";
import { acceptMerchantInvite, openInvite } from "../../app/merchant-users/merchant-users.js";
import type { Deps } from "../../app/deps.js";
import { AppError } from "../../core/shared/errors.js";
import { html, type SafeHtml } from "../pages/html.js";
import { areaCookie, sendAreaPage, type SignedInArea } from "../sign-in/sign-in-routes.js";

const PENDING_COOKIE_SECONDS = 10 * 60;
const TOKEN = { type: "string", minLength: 1, maxLength: 64 } as const;

function passwordForm(token: string, invite: { email: string; role: string; merchantName: string }, error?: string): SafeHtml {
  return html`<div class="card"><h1>Join ${invite.merchantName} on Rampart</h1>
<p>You are invited as <strong>${invite.role}</strong> with the e-mail <span class="mono">${invite.email}</span>.
Choose a password; next you set up an authenticator app.</p>
<form method="post" action="/merchant/invite/${token}" id="accept-invite">
<input type="hidden" name="email" value="${invite.email}" autocomplete="username">
<label for="password">New password (at least 12 characters)</label><input id="password" name="password" type="password" autocomplete="new-password" required minlength="12" maxlength="1024">
${error ? html`<p class="error" role="alert">${error}</p>` : ""}
<p><button type="submit">Set the password</button></p></form></div>`;
}

const invalidLink = (message: string) => html`<div class="card" id="refusal" data-code="not_found"><h1>Invitation</h1><p class="error" role="alert">${message}</p></div>`;

/**
 * The link's token is the credential here (256 random bits, one use), so the form needs no CSRF token:
 * a page elsewhere cannot know it. Sign-in's rate limit applies.
 */
export function invitePages(app: FastifyInstance, deps: Deps, area: SignedInArea): void {
  const config = { rateLimit: { max: 20, timeWindow: 60_000 } };
  const schema = { hide: true, params: { type: "object", properties: { token: TOKEN }, required: ["token"] } };

  app.get<{ Params: { token: string } }>("/merchant/invite/:token", { schema, config }, async (request, reply) => {
    try {
      return sendAreaPage(reply, 200, "Invitation", passwordForm(request.params.token, await openInvite(deps, request.params.token)));
    } catch (err) {
      if (err instanceof AppError && err.status < 500) return sendAreaPage(reply, err.status, "Invitation", invalidLink(err.message));
      throw err;
    }
  });

  app.post<{ Params: { token: string }; Body: { password?: unknown } }>("/merchant/invite/:token", { schema, config }, async (request, reply) => {
    const token = request.params.token;
    try {
      const pending = await acceptMerchantInvite(deps, { token, password: request.body?.password, ip: request.ip });
      return reply.header("set-cookie", areaCookie(deps, area, pending.token, PENDING_COOKIE_SECONDS)).redirect("/merchant/login/enrol", 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      if (err.code !== "validation_failed") return sendAreaPage(reply, err.status, "Invitation", invalidLink(err.message));
      // A short password on a link that is spent or expired: the link's answer, not the form again.
      const invite = await openInvite(deps, token).catch((e: unknown) => (e instanceof AppError ? e : Promise.reject(e)));
      if (invite instanceof AppError) return sendAreaPage(reply, invite.status, "Invitation", invalidLink(invite.message));
      return sendAreaPage(reply, 400, "Invitation", passwordForm(token, invite, err.message));
    }
  });
}
