// The merchant's team (owner only): who has an account and with which role, inviting a person (the
// one-time link is shown once, on the page the POST answers with), changing a role, disabling and
// enabling. The same use cases as the console's and the admin API's invitations (app/merchant-users).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { changeMerchantUser, inviteMerchantUser, merchantUsers } from "../../app/merchant-users/merchant-users.js";
import { MERCHANT_ROLES } from "../../core/merchant-users/roles.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction, portalRefused } from "./portal-answers.js";
import { shownOnce } from "../dashboard/page-answers.js";
import type { PortalContext, PortalSection } from "./portal-section.js";

const BACK = "/merchant/users";
const ID_PARAM = { type: "string", minLength: 1, maxLength: 64 } as const;

/** The invite form; the console's merchant page uses it too (`action` differs). */
export function inviteForm(action: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${action}" id="invite-user" class="card"><input type="hidden" name="csrf" value="${csrf}">
<h2>Invite a person</h2><div class="filters"><div><label for="invite-email">E-mail</label><input id="invite-email" name="email" type="email" maxlength="254" required></div>
<div><label for="invite-role">Role</label><select id="invite-role" name="role">${MERCHANT_ROLES.map((r) => html`<option value="${r}">${r}</option>`)}</select></div></div>
<p class="muted">owner: everything; developer: keys, webhooks, settings; finance: balance, statements, withdrawals; support: payments only.
The invitation link is shown once, valid for 7 days.</p><p><button type="submit">Create the invitation</button></p></form>`;
}

/** Where a table's change forms post (`${base}/<userId>/role|disable|enable`), and who is looking (no forms on their own row). */
interface UserForms {
  base: string;
  csrf: string;
  selfId: string | null;
}

/** The merchant's users as a table, with change forms unless `forms` is null (the console's read-only view). */
export async function usersTable(deps: Deps, merchantId: string, forms: UserForms | null): Promise<SafeHtml> {
  const users = await merchantUsers(deps, merchantId);
  if (users.length === 0) return html`<p class="muted" id="no-users">No users yet.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="merchant users"><table id="merchant-users"><thead><tr><th>E-mail</th><th>Role</th><th>State</th><th>Since</th>${forms ? html`<th>Change</th>` : ""}</tr></thead>
<tbody>${users.map(
    (u) => html`<tr data-user="${u.userId}"><td>${u.email}</td><td>${u.role}</td><td><span class="status ${u.state === "active" ? "ok" : u.state === "disabled" ? "bad" : "warn"}">${u.state}</span>${
      u.state === "invited" ? html` <span class="muted">until ${when(u.inviteExpiresAt)}</span>` : ""
    }</td><td>${when(u.createdAt)}</td>${forms ? html`<td>${forms.selfId === u.userId ? html`<span class="muted">you</span>` : changeForms(forms, u)}</td>` : ""}</tr>`,
  )}</tbody></table></div>`;
}

function changeForms(forms: UserForms, u: { userId: string; email: string; role: string; state: string }): SafeHtml {
  const path = `${forms.base}/${u.userId}`;
  return html`<form method="post" action="${path}/role" class="inline"><input type="hidden" name="csrf" value="${forms.csrf}">
<label for="role-${u.userId}" class="visually-hidden">Role of ${u.email}</label><select id="role-${u.userId}" name="role">${MERCHANT_ROLES.map((r) => html`<option value="${r}"${r === u.role ? html` selected` : ""}>${r}</option>`)}</select>
<button type="submit" class="secondary small">Set role</button></form>
<form method="post" action="${path}/${u.state === "disabled" ? "enable" : "disable"}" class="inline"><input type="hidden" name="csrf" value="${forms.csrf}">
<button type="submit" class="secondary small">${u.state === "disabled" ? "Enable" : "Disable"}</button></form>`;
}

/** The notice after a change of `kind` (the portal's and the console's). */
export const changedNotice = (kind: "role" | "disable" | "enable", r: { email: string; role: string }) => (kind === "role" ? `${r.email} is now ${r.role}.` : `${r.email} ${kind}d.`);

const body = (request: { body?: unknown }) => (request.body ?? {}) as Record<string, unknown>;

async function usersPage(deps: Deps, ctx: PortalContext, invited?: SafeHtml) {
  return html`${invited ?? ""}<section class="card"><h2>People</h2>${await usersTable(deps, ctx.merchantId, { base: BACK, csrf: ctx.csrf, selfId: ctx.userId })}</section>${inviteForm(BACK, ctx.csrf)}`;
}

export const usersSection: PortalSection = {
  id: "users",
  title: "Users",
  permission: "users",
  mode: "live",
  render: (deps, ctx) => usersPage(deps, ctx),
  actions(app: FastifyInstance, deps: Deps, send) {
    app.post(BACK, { schema: { hide: true } }, async (request, reply) => {
      const p = principalOf(request, "merchant_user");
      let invite: Awaited<ReturnType<typeof inviteMerchantUser>>;
      try {
        invite = await inviteMerchantUser(deps, { merchantId: p.merchantId, email: body(request).email, role: body(request).role, invitedBy: `merchant-user:${p.userId}` });
      } catch (err) {
        return portalRefused(reply, BACK, err);
      }
      return send(request, reply, "users", 201, async (ctx) => ({
        title: "Users",
        body: await usersPage(deps, ctx, shownOnce(`Invitation link for ${invite.email} (${invite.role})`, invite.inviteUrl)),
      }));
    });

    const schema = { hide: true, params: { type: "object", properties: { userId: ID_PARAM }, required: ["userId"] } };
    for (const kind of ["role", "disable", "enable"] as const) {
      app.post<{ Params: { userId: string } }>(`${BACK}/:userId/${kind}`, { schema }, async (request, reply) =>
        portalAction(reply, BACK, async () => {
          const p = principalOf(request, "merchant_user");
          const change = kind === "role" ? { kind, role: body(request).role } : { kind };
          const r = await changeMerchantUser(deps, { merchantId: p.merchantId, actorUserId: p.userId, userId: request.params.userId, change });
          return changedNotice(kind, r);
        }),
      );
    }
  },
};
