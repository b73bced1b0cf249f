// Merchants: the list (cursor paging), creating one, and each merchant's page with its stores and API
// keys and its trading settings (merchant-trading-settings.ts). Every form calls the use case of the
// operator API (http/admin/merchant-admin-routes.ts, store-admin-routes.ts and trading-admin-routes.ts):
// createMerchant, createStore, addMerchantKey, revokeMerchantKey, saveTradingSettings, and the portal
// owner's inviteMerchantUser and changeMerchantUser for the merchant's portal users. A new key is
// shown once, on the page the POST answers with (no-store), never in a redirect's URL. A store's
// payment-intent settings and IPN secret are on its own page (store-settings-page.ts).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { addMerchantKey, createMerchant, merchantDetail, merchantOr404, merchantStoresPage, merchantsPage, revokeMerchantKey } from "../../app/merchants/merchants.js";
import { createStore } from "../../app/intents/stores.js";
import { AppError } from "../../core/shared/errors.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { refused, shownOnce } from "./page-answers.js";
import { confirmAction } from "./confirm-action.js";
import type { DashboardSection, SectionContext } from "./section.js";
import { storeSettingsRoutes } from "./store-settings-page.js";
import { tradingSettingsCard, tradingSettingsRoutes } from "./merchant-trading-settings.js";
import { changeMerchantUser, inviteMerchantUser } from "../../app/merchant-users/merchant-users.js";
import { changedNotice, inviteForm, usersTable } from "../portal/users-section.js";
import { operatorOf } from "./section.js";

const BACK = "/dashboard/merchants";
const PAGE = 50;
const ID_PARAM = { type: "string", minLength: 1, maxLength: 64 } as const;
const merchantPath = (id: string) => `${BACK}/${encodeURIComponent(id)}`;

function createForm(csrf: string): SafeHtml {
  return html`<form class="card" method="post" action="${BACK}" id="create-merchant"><input type="hidden" name="csrf" value="${csrf}">
<h2>Create a merchant</h2><label for="merchant-name">Name</label><input id="merchant-name" name="name" maxlength="200" required>
<p class="muted">Its first API key is shown once on the next page.</p><p><button type="submit">Create the merchant</button></p></form>`;
}

async function merchantsList(deps: Deps, ctx: SectionContext): Promise<SafeHtml> {
  const cursor = ctx.query.cursor;
  const page = await merchantsPage(deps, { ...(cursor ? { cursor } : {}), limit: PAGE });
  const rows =
    page.items.length === 0
      ? html`<p class="muted" id="no-merchants">No merchants yet.</p>`
      : html`<div class="scroll"><table id="merchants"><thead><tr><th>Name</th><th>Merchant id</th><th>Created</th></tr></thead>
<tbody>${page.items.map((m) => html`<tr data-merchant="${m.id}"><td><a href="${merchantPath(m.id)}">${m.name}</a></td><td class="mono small-id">${m.id}</td><td>${when(m.created_at)}</td></tr>`)}</tbody></table></div>`;
  const next = page.nextCursor ? html`<p><a id="next-page" href="${BACK}?cursor=${encodeURIComponent(page.nextCursor)}">Next page</a></p>` : "";
  return html`<div class="card"><p class="muted">Newest first, ${PAGE} a page.</p>${rows}${next}</div>${ctx.can("configure") ? createForm(ctx.csrf) : ""}`;
}

function keysCard(merchantId: string, keys: Awaited<ReturnType<typeof merchantDetail>>["apiKeys"], ctx: SectionContext): SafeHtml {
  const act = ctx.can("configure");
  const base = merchantPath(merchantId);
  const table =
    keys.length === 0
      ? html`<p class="muted">No API keys.</p>`
      : html`<div class="scroll"><table id="api-keys"><thead><tr><th>Key id</th><th>Label</th><th>Created</th><th>State</th></tr></thead>
<tbody>${keys.map(
          (k) => html`<tr data-key="${k.id}"><td class="mono small-id">rmp_${k.id}…</td><td>${k.label || "—"}</td><td>${when(k.created_at)}</td><td>${
            k.revoked_at
              ? html`<span class="status bad">revoked ${when(k.revoked_at)}</span>`
              : html`<span class="status ok">active</span>${
                  act
                    ? html` ${confirmAction({
                        label: "Revoke",
                        summaryClass: "small secondary",
                        action: `${base}/api-keys/${k.id}/revoke`,
                        csrf: ctx.csrf,
                        effect: "Requests signed with this key are refused from now on (within 5 s on every process). This cannot be undone.",
                        yes: "Revoke the key",
                        danger: true,
                      })}`
                    : ""
                }`
          }</td></tr>`,
        )}</tbody></table></div>`;
  const issue = act
    ? html`<form method="post" action="${base}/api-keys" id="issue-key"><input type="hidden" name="csrf" value="${ctx.csrf}">
<label for="key-label">Label of a new key</label><input id="key-label" name="label" maxlength="100" placeholder="e.g. checkout servers">
<p><button type="submit" class="secondary">Issue a key</button> <span class="muted">Existing keys keep working.</span></p></form>`
    : "";
  return html`<section class="card"><h2>API keys</h2>${table}${issue}</section>`;
}

async function storesCard(deps: Deps, merchantId: string, ctx: SectionContext): Promise<SafeHtml> {
  const cursor = ctx.query.stores;
  const page = await merchantStoresPage(deps, merchantId, { ...(cursor ? { cursor } : {}), limit: PAGE });
  const table =
    page.items.length === 0
      ? html`<p class="muted">No stores.</p>`
      : html`<div class="scroll"><table id="stores"><thead><tr><th>Store</th><th>Store id</th><th>Created</th><th>Payment-intent settings</th></tr></thead>
<tbody>${page.items.map(
          (s) => html`<tr data-store="${s.id}"><td><a href="${BACK}/stores/${encodeURIComponent(s.id)}">${s.name}</a></td><td class="mono small-id">${s.id}</td><td>${when(s.created_at)}</td>
<td>${s.has_intent_settings ? "set" : "none"}</td></tr>`,
        )}</tbody></table></div>`;
  const next = page.nextCursor ? html`<p><a href="${merchantPath(merchantId)}?stores=${encodeURIComponent(page.nextCursor)}">More stores</a></p>` : "";
  const create = ctx.can("configure")
    ? html`<form method="post" action="${merchantPath(merchantId)}/stores" id="create-store"><input type="hidden" name="csrf" value="${ctx.csrf}">
<div class="filters"><div><label for="store-name">Name of a new store</label><input id="store-name" name="name" maxlength="200" required></div>
<div><label for="store-id">Store id (optional)</label><input id="store-id" name="id" pattern="[A-Za-z0-9_-]{3,64}" maxlength="64"></div></div>
<p><button type="submit" class="secondary">Create the store</button></p></form>`
    : "";
  return html`<section class="card"><h2>Stores</h2>${table}${next}${create}</section>`;
}

async function merchantPage(deps: Deps, ctx: SectionContext, merchantId: string, issued?: SafeHtml) {
  const d = await merchantDetail(deps, merchantId);
  const m = d.merchant;
  return {
    title: m.name,
    body: html`${issued ?? ""}<div class="card" id="merchant" data-merchant="${m.id}"><div class="row"><span>Merchant id</span><span class="mono wrap">${m.id}</span></div>
<div class="row"><span>Created</span><span>${when(m.created_at)}</span></div>
<div class="row"><span>Payments</span><span><a href="/dashboard/payments?merchant=${encodeURIComponent(m.id)}">This merchant's payments</a></span></div></div>
${keysCard(m.id, d.apiKeys, ctx)}${await tradingSettingsCard(deps, m.id, ctx)}${await storesCard(deps, m.id, ctx)}
<section class="card"><h2>Portal users</h2>${await usersTable(deps, m.id, ctx.can("configure") ? { base: `${merchantPath(m.id)}/users`, csrf: ctx.csrf, selfId: null } : null)}</section>${ctx.can("configure") ? inviteForm(`${merchantPath(m.id)}/users`, ctx.csrf) : ""}`,
  };
}

const body = (request: { body?: unknown }) => (request.body ?? {}) as Record<string, unknown>;
const text = (v: unknown) => (typeof v === "string" ? v : "");

export const merchantsSection: DashboardSection = {
  id: "merchants",
  title: "Merchants",
  act: "configure",
  render: merchantsList,
  renderItem: (deps, ctx, id) => merchantPage(deps, ctx, id),
  actions(app: FastifyInstance, deps: Deps, pages) {
    app.post("/dashboard/merchants", { schema: { hide: true } }, async (request, reply) => {
      let created: Awaited<ReturnType<typeof createMerchant>>;
      try {
        created = await createMerchant(deps, { name: text(body(request).name) });
      } catch (err) {
        return refused(reply, BACK, err);
      }
      return pages.send(request, reply, "merchants", 201, (ctx) => merchantPage(deps, ctx, created.merchantId, shownOnce("The merchant's first API key", created.apiKey)));
    });

    app.post<{ Params: { merchantId: string } }>(
      "/dashboard/merchants/:merchantId/api-keys",
      { schema: { hide: true, params: { type: "object", properties: { merchantId: ID_PARAM }, required: ["merchantId"] } } },
      async (request, reply) => {
        let key: Awaited<ReturnType<typeof addMerchantKey>>;
        try {
          key = await addMerchantKey(deps, request.params.merchantId, text(body(request).label).trim().slice(0, 100));
        } catch (err) {
          return refused(reply, merchantPath(request.params.merchantId), err);
        }
        return pages.send(request, reply, "merchants", 201, (ctx) => merchantPage(deps, ctx, key.merchantId, shownOnce(`New API key rmp_${key.apiKeyId}…`, key.apiKey)));
      },
    );

    app.post<{ Params: { merchantId: string; keyId: string } }>(
      "/dashboard/merchants/:merchantId/api-keys/:keyId/revoke",
      { schema: { hide: true, params: { type: "object", properties: { merchantId: ID_PARAM, keyId: ID_PARAM }, required: ["merchantId", "keyId"] } } },
      async (request, reply) =>
        runFormAction(reply, merchantPath(request.params.merchantId), async () => {
          const r = await revokeMerchantKey(deps, request.params.merchantId, request.params.keyId);
          return `API key rmp_${r.apiKeyId}… revoked.`;
        }),
    );

    app.post<{ Params: { merchantId: string } }>(
      "/dashboard/merchants/:merchantId/stores",
      { schema: { hide: true, params: { type: "object", properties: { merchantId: ID_PARAM }, required: ["merchantId"] } } },
      async (request, reply) =>
        runFormAction(reply, merchantPath(request.params.merchantId), async () => {
          const id = text(body(request).id).trim();
          if (id !== "" && !/^[A-Za-z0-9_-]{3,64}$/.test(id)) {
            throw new AppError("validation_failed", { field: "id", message: "A store id is 3 to 64 letters, digits, _ or -." });
          }
          const m = await merchantOr404(deps, request.params.merchantId);
          const s = await createStore(deps, m.id, { name: text(body(request).name), ...(id ? { id } : {}) });
          return `Store ${s.storeId} created.`;
        }),
    );

    // A merchant portal user: the invitation link is shown once on the page this answers with.
    app.post<{ Params: { merchantId: string } }>(
      "/dashboard/merchants/:merchantId/users",
      { schema: { hide: true, params: { type: "object", properties: { merchantId: ID_PARAM }, required: ["merchantId"] } } },
      async (request, reply) => {
        let invite: Awaited<ReturnType<typeof inviteMerchantUser>>;
        try {
          invite = await inviteMerchantUser(deps, { merchantId: request.params.merchantId, email: body(request).email, role: body(request).role, invitedBy: `staff:${operatorOf(request)}` });
        } catch (err) {
          return refused(reply, merchantPath(request.params.merchantId), err);
        }
        return pages.send(request, reply, "merchants", 201, (ctx) =>
          merchantPage(deps, ctx, invite.merchantId, shownOnce(`Invitation link for ${invite.email} (${invite.role})`, invite.inviteUrl)),
        );
      },
    );

    // A portal user's role, disabling, enabling: the portal owner's use case (same rules, sessions end).
    for (const kind of ["role", "disable", "enable"] as const) {
      app.post<{ Params: { merchantId: string; userId: string } }>(
        `/dashboard/merchants/:merchantId/users/:userId/${kind}`,
        { schema: { hide: true, params: { type: "object", properties: { merchantId: ID_PARAM, userId: ID_PARAM }, required: ["merchantId", "userId"] } } },
        async (request, reply) =>
          runFormAction(reply, merchantPath(request.params.merchantId), async () => {
            const change = kind === "role" ? { kind, role: body(request).role } : { kind };
            return changedNotice(kind, await changeMerchantUser(deps, { merchantId: request.params.merchantId, actorUserId: null, userId: request.params.userId, change }));
          }),
      );
    }

    storeSettingsRoutes(app, deps, pages);
    tradingSettingsRoutes(app, deps);
  },
};
