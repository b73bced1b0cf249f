// The merchant's webhook endpoints: the list and a new one (its signing secret shown once on the page
// the POST answers with); each endpoint's page with enable/disable, secret rotation (the old secret
// keeps signing for the overlap), a test event, the delivery log and one message's body and attempts
// (status code, the receiver's answer), with redeliver. The same use cases as
// /merchant/v1/webhook-endpoints (app/outbox/merchant-webhook-endpoints.ts).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  DEFAULT_OVERLAP_MINUTES,
  endpointMessageDetail,
  endpointMessagesPage,
  listWebhookEndpoints,
  redeliverEndpointMessage,
  rotateWebhookEndpointSecret,
  sendTestEvent,
  updateWebhookEndpoint,
  webhookEndpoint,
} from "../../app/outbox/merchant-webhook-endpoints.js";
import { shownOnce } from "../dashboard/page-answers.js";
import { statusPill } from "../dashboard/status-pill.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction, portalRefused } from "./portal-answers.js";
import { formText, type PortalContext, type PortalSection } from "./portal-section.js";

const BACK = "/merchant/webhooks";
const ID = { type: "string", minLength: 1, maxLength: 64 } as const;
const EVENT = { type: "string", minLength: 1, maxLength: 300 } as const;
const endpointPath = (id: string) => `${BACK}/${encodeURIComponent(id)}`;
/** Event types typed as a comma- or space-separated list. */
const typesOf = (v: string) => v.split(/[\s,]+/).filter((t) => t !== "");
const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

async function listPage(deps: Deps, ctx: PortalContext, created?: SafeHtml): Promise<SafeHtml> {
  const endpoints = await listWebhookEndpoints(deps, ctx.merchantId);
  const table =
    endpoints.length === 0
      ? html`<p class="muted" id="no-endpoints">No webhook endpoint yet.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="webhook endpoints"><table id="endpoints"><thead><tr><th>URL</th><th>Events</th><th>State</th><th>Created</th></tr></thead>
<tbody>${endpoints.map(
          (e) => html`<tr data-endpoint="${e.endpointId}"><td class="wrap"><a href="${endpointPath(e.endpointId)}">${e.url}</a>${e.description ? html`<br><span class="muted">${e.description}</span>` : ""}</td>
<td class="small-id">${e.eventTypes.join(", ")}</td><td>${e.enabled ? (e.stoppedAt ? html`<span class="status warn">stopped (410)</span>` : html`<span class="status ok">enabled</span>`) : html`<span class="status bad">disabled</span>`}</td><td>${when(e.createdAt)}</td></tr>`,
        )}</tbody></table></div>`;
  return html`${created ?? ""}<section class="card"><h2>Endpoints</h2>${table}</section>
<form method="post" action="${BACK}" id="create-endpoint" class="card">${hidden(ctx.csrf)}<h2>Add an endpoint</h2>
<label for="e-url">URL</label><input id="e-url" name="url" type="url" maxlength="2048" required placeholder="https://shop.example/rampart/events">
<label for="e-types">Event types</label><input id="e-types" name="eventTypes" maxlength="2000" required value="*">
<p class="muted">Separated by commas: exact types (trading.payin.closed), families (trading.payin.*, payment_intent.*, card.payment.*, withdrawal.*) or * for all.</p>
<label for="e-description">Description</label><input id="e-description" name="description" maxlength="200">
<p><button type="submit">Add the endpoint</button> <span class="muted">Its signing secret is shown once.</span></p></form>`;
}

async function endpointPage(deps: Deps, ctx: PortalContext, id: string, shown?: SafeHtml) {
  const e = await webhookEndpoint(deps, ctx.merchantId, id);
  const path = endpointPath(e.endpointId);
  const page = await endpointMessagesPage(deps, ctx.merchantId, e.endpointId, { limit: 50 });
  const eventId = ctx.query.event;
  const detail = eventId ? await endpointMessageDetail(deps, ctx.merchantId, e.endpointId, eventId) : null;
  const log =
    page.items.length === 0
      ? html`<p class="muted" id="no-messages">Nothing sent yet.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="delivery log"><table id="messages"><thead><tr><th>Event</th><th>Status</th><th>Attempts</th><th>Created</th><th><span class="visually-hidden">Redeliver</span></th></tr></thead>
<tbody>${page.items.map(
          (m) => html`<tr data-event="${m.event_id}"><td class="mono small-id"><a href="${path}?event=${encodeURIComponent(m.event_id)}">${m.event_id}</a></td><td>${statusPill(m.status)}</td><td class="mono">${m.attempts}</td><td>${when(m.created_at)}</td>
<td>${m.status === "pending" ? "" : html`<form method="post" action="${path}/messages/${encodeURIComponent(m.event_id)}/redeliver" class="inline">${hidden(ctx.csrf)}<button type="submit" class="secondary small">Redeliver</button></form>`}</td></tr>`,
        )}</tbody></table></div>`;
  const attempts = detail
    ? html`<section class="card" id="message-detail"><h2>Event ${detail.message.event_id}</h2><pre class="mono wrap" style="white-space:pre-wrap;overflow-wrap:anywhere" tabindex="0" aria-label="body">${JSON.stringify(detail.message.body, null, 2)}</pre>
<ol class="plain">${detail.attempts.map(
        (a) => html`<li data-attempt="${a.attempt}"><span class="muted">${when(a.at)}</span> attempt ${a.attempt}: <strong>${a.status_code ?? "no answer"}</strong> in ${a.latency_ms} ms${a.error ? html` · ${a.error}` : ""}
${a.response_body ? html`<br><span class="mono wrap small-id">${a.response_body}</span>` : ""}</li>`,
      )}</ol></section>`
    : "";
  return {
    title: "Webhook endpoint",
    body: html`<p><a href="${BACK}">All endpoints</a></p>${shown ?? ""}<section class="card" id="endpoint" data-endpoint="${e.endpointId}" data-enabled="${String(e.enabled)}">
<div class="row"><span>URL</span><span class="wrap">${e.url}</span></div><div class="row"><span>Events</span><span class="wrap">${e.eventTypes.join(", ")}</span></div>
${e.previousSecretExpiresAt ? html`<div class="row"><span>Previous secret signs until</span><span>${when(e.previousSecretExpiresAt)}</span></div>` : ""}
${e.stoppedAt ? html`<p class="error">Stopped ${when(e.stoppedAt)}: ${e.stoppedReason ?? "410 Gone"}. A redelivery lifts it.</p>` : ""}
<form method="post" action="${path}/${e.enabled ? "disable" : "enable"}" class="inline">${hidden(ctx.csrf)}<button type="submit" class="secondary">${e.enabled ? "Disable" : "Enable"}</button></form>
<form method="post" action="${path}/test" class="inline" id="send-test">${hidden(ctx.csrf)}<button type="submit" class="secondary">Send a test event</button></form>
<details class="confirm"><summary class="btn secondary">Rotate the secret…</summary><form method="post" action="${path}/rotate-secret">${hidden(ctx.csrf)}
<p>A new secret signs from now on; the current one keeps signing too for ${DEFAULT_OVERLAP_MINUTES / 60} hours, so your receiver can switch.</p><p><button type="submit">Rotate</button></p></form></details>
<details class="confirm" id="delete-endpoint"><summary class="btn secondary">Delete the endpoint…</summary><form method="post" action="${path}/delete">${hidden(ctx.csrf)}
<p>Nothing more is sent to this URL: events waiting for it are dropped (they end as failed). What was already sent stays on record with the operator. This cannot be undone.</p>
<p><button type="submit" class="danger">Delete the endpoint</button></p></form></details></section>
<section class="card"><h2>Delivery log</h2>${log}</section>${attempts}`,
  };
}

export const webhooksSection: PortalSection = {
  id: "webhooks",
  title: "Webhooks",
  permission: "webhooks",
  render: (deps, ctx) => listPage(deps, ctx),
  renderItem: (deps, ctx, id) => endpointPage(deps, ctx, id),
  actions(app: FastifyInstance, deps: Deps, send) {
    const merchantOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request, "merchant_user").merchantId;
    app.post(BACK, { schema: { hide: true } }, async (request, reply) => {
      let e: Awaited<ReturnType<typeof createWebhookEndpoint>>;
      try {
        const description = formText(request.body, "description");
        e = await createWebhookEndpoint(deps, merchantOf(request), { url: formText(request.body, "url"), eventTypes: typesOf(formText(request.body, "eventTypes")), description: description || null });
      } catch (err) {
        return portalRefused(reply, BACK, err);
      }
      return send(request, reply, "webhooks", 201, async (ctx) => ({ title: "Webhooks", body: await listPage(deps, ctx, shownOnce(`Signing secret of ${e.url}`, e.secret)) }));
    });
    const params = { type: "object", properties: { id: ID }, required: ["id"] };
    for (const kind of ["enable", "disable"] as const) {
      app.post<{ Params: { id: string } }>(`${BACK}/:id/${kind}`, { schema: { hide: true, params } }, async (request, reply) =>
        portalAction(reply, endpointPath(request.params.id), async () => {
          await updateWebhookEndpoint(deps, merchantOf(request), request.params.id, { enabled: kind === "enable" });
          return `Endpoint ${kind}d.`;
        }),
      );
    }
    app.post<{ Params: { id: string } }>(`${BACK}/:id/delete`, { schema: { hide: true, params } }, async (request, reply) =>
      portalAction(reply, BACK, async () => {
        const r = await deleteWebhookEndpoint(deps, merchantOf(request), request.params.id);
        return `Endpoint deleted; ${r.pendingStopped} waiting event(s) will not be sent.`;
      }),
    );
    app.post<{ Params: { id: string } }>(`${BACK}/:id/test`, { schema: { hide: true, params } }, async (request, reply) =>
      portalAction(reply, endpointPath(request.params.id), async () => `Test event ${(await sendTestEvent(deps, merchantOf(request), request.params.id)).eventId} queued.`),
    );
    app.post<{ Params: { id: string } }>(`${BACK}/:id/rotate-secret`, { schema: { hide: true, params } }, async (request, reply) => {
      let r: Awaited<ReturnType<typeof rotateWebhookEndpointSecret>>;
      try {
        r = await rotateWebhookEndpointSecret(deps, merchantOf(request), request.params.id);
      } catch (err) {
        return portalRefused(reply, endpointPath(request.params.id), err);
      }
      return send(request, reply, "webhooks", 200, async (ctx) => endpointPage(deps, ctx, r.endpointId, shownOnce("New signing secret", r.secret)));
    });
    app.post<{ Params: { id: string; eventId: string } }>(
      `${BACK}/:id/messages/:eventId/redeliver`,
      { schema: { hide: true, params: { type: "object", properties: { id: ID, eventId: EVENT }, required: ["id", "eventId"] } } },
      async (request, reply) =>
        portalAction(reply, endpointPath(request.params.id), async () => {
          await redeliverEndpointMessage(deps, merchantOf(request), request.params.id, request.params.eventId);
          return `Event ${request.params.eventId} queued again.`;
        }),
    );
  },
};
