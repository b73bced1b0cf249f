// The merchant's API keys: the list (never a key), a new one shown once on the page the POST answers
// with (no-store, never in a URL), optionally read-only, and revoking one behind a confirmation. The
// same use cases as GET/POST /merchant/v1/keys and DELETE /merchant/v1/keys/{id}. In test mode the page
// lists and makes the test twin's keys (rmp_test_…, mode test), in live mode the live ones only.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { addMerchantKey, KEY_LABEL_MAX, merchantDetail, revokeMerchantKey } from "../../app/merchants/merchants.js";
import { shownOnce } from "../dashboard/page-answers.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction, portalRefused } from "./portal-answers.js";
import { formText, type PortalContext, type PortalSection } from "./portal-section.js";

const BACK = "/merchant/keys";
const ID_PARAM = { type: "string", minLength: 1, maxLength: 64 } as const;

async function keysPage(deps: Deps, ctx: PortalContext, issued?: SafeHtml): Promise<SafeHtml> {
  // A live merchant's listing includes its twin's keys (the API shows both, with their mode): not here.
  const keys = (await merchantDetail(deps, ctx.merchantId, true)).apiKeys.filter((k) => k.test === ctx.test);
  const prefix = ctx.test ? "rmp_test_" : "rmp_";
  const table =
    keys.length === 0
      ? html`<p class="muted">No API keys.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="api keys"><table id="api-keys"><thead><tr><th>Key</th><th>Label</th><th>Access</th><th>Created</th><th>State</th></tr></thead>
<tbody>${keys.map(
          (k) => html`<tr data-key="${k.id}"><td class="mono small-id">${prefix}${k.id}…</td><td>${k.label || "—"}</td><td>${k.read_only ? "read-only" : "full"}</td><td>${when(k.created_at)}</td><td>${
            k.revoked_at
              ? html`<span class="status bad">revoked ${when(k.revoked_at)}</span>`
              : html`<span class="status ok">active</span> <details class="confirm"><summary class="btn small secondary">Revoke…</summary>
<form method="post" action="${BACK}/${k.id}/revoke"><input type="hidden" name="csrf" value="${ctx.csrf}">
<p>Requests with this key are refused from now on (within 5 s on every process). This cannot be undone.</p>
<p><button type="submit" class="danger">Revoke the key</button></p></form></details>`
          }</td></tr>`,
        )}</tbody></table></div>`;
  return html`${issued ?? ""}<section class="card"><h2>API keys</h2>${table}</section>
<form method="post" action="${BACK}" id="create-key" class="card"><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Create a ${ctx.test ? "test" : "live"} key</h2>
<label for="key-label">Label</label><input id="key-label" name="label" maxlength="${KEY_LABEL_MAX}" required placeholder="e.g. checkout servers">
<p><input type="checkbox" id="key-read-only" name="readOnly" value="true"> <label for="key-read-only" style="display:inline">Read-only (refused on every request that changes something)</label></p>
<p><button type="submit">Create the key</button> <span class="muted">Existing keys keep working.</span></p></form>`;
}


export const keysSection: PortalSection = {
  id: "keys",
  title: "API keys",
  permission: "keys",
  render: (deps, ctx) => keysPage(deps, ctx),
  actions(app: FastifyInstance, deps: Deps, send) {
    app.post(BACK, { schema: { hide: true } }, async (request, reply) => {
      let key: Awaited<ReturnType<typeof addMerchantKey>>;
      try {
        // A test key is asked of the live merchant (addMerchantKey makes the twin's), as POST /merchant/v1/keys does.
        const p = principalOf(request, "merchant_user");
        key = await addMerchantKey(deps, p.liveMerchantId, formText(request.body, "label").slice(0, KEY_LABEL_MAX), formText(request.body, "readOnly") === "true", p.test ? "test" : "live");
      } catch (err) {
        return portalRefused(reply, BACK, err);
      }
      const what = `New ${key.readOnly ? "read-only " : ""}${key.mode} API key ${key.mode === "test" ? "rmp_test_" : "rmp_"}${key.apiKeyId}…`;
      return send(request, reply, "keys", 201, async (ctx) => ({ title: "API keys", body: await keysPage(deps, ctx, shownOnce(what, key.apiKey)) }));
    });
    app.post<{ Params: { keyId: string } }>(
      `${BACK}/:keyId/revoke`,
      { schema: { hide: true, params: { type: "object", properties: { keyId: ID_PARAM }, required: ["keyId"] } } },
      async (request, reply) =>
        portalAction(reply, BACK, async () => {
          const p = principalOf(request, "merchant_user");
          const r = await revokeMerchantKey(deps, p.merchantId, request.params.keyId, true);
          return `API key ${p.test ? "rmp_test_" : "rmp_"}${r.apiKeyId}… revoked.`;
        }),
    );
  },
};
