// Webhooks: messages that failed or are still pending, one message's attempts on demand, redelivery
// of one message or of every failed message of an endpoint (the same use cases as
// /admin/v1/webhooks/...), and what the operator must act on (endpoints disabled by a 410).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { redeliverEndpointFailures, redeliverMessage, webhookAttempts, webhookAttention, webhookMessagesPage } from "../../app/outbox/webhook-admin.js";
import { AppError } from "../../core/shared/errors.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { returnPath, type DashboardSection } from "./section.js";

const BACK = "/dashboard/webhooks";
type MessageRow = Awaited<ReturnType<typeof webhookMessagesPage>>["items"][number];

function messagesTable(title: string, rows: MessageRow[], csrf: string, redeliverable: boolean): SafeHtml {
  if (rows.length === 0) return html`<div class="card"><h2>${title}</h2><p class="muted">None.</p></div>`;
  const endpoints = [...new Map(rows.map((m) => [m.endpoint_id, m.url])).entries()];
  return html`<div class="card scroll"><h2>${title}</h2><table><thead><tr><th>Created</th><th>Event</th><th>URL</th><th>Attempts</th><th>Last error</th><th></th></tr></thead>
<tbody>${rows.map(
    (m) => html`<tr data-event="${m.event_id}"><td>${when(m.created_at)}</td><td class="mono"><a href="${BACK}?event=${encodeURIComponent(m.event_id)}">${m.event_id}</a></td>
<td class="mono">${m.url}</td><td>${m.attempts}${m.status === "pending" ? html` · next ${when(m.next_attempt_at)}` : ""}</td><td>${m.last_error ?? "—"}</td>
<td>${
      redeliverable
        ? html`<form class="inline" method="post" action="${BACK}/messages/${encodeURIComponent(m.event_id)}/redeliver"><input type="hidden" name="csrf" value="${csrf}"><button class="small" type="submit">Redeliver</button></form>`
        : ""
    }</td></tr>`,
  )}</tbody></table>
${
    redeliverable
      ? endpoints.map(
          ([id, url]) => html`<form class="inline" method="post" action="${BACK}/endpoints/${id}/redeliver-failed"><input type="hidden" name="csrf" value="${csrf}">
<button class="small secondary" type="submit">Redeliver all failed to ${url}</button></form>`,
        )
      : ""
  }</div>`;
}

async function attemptsCard(deps: Deps, eventId: string): Promise<SafeHtml> {
  try {
    const { message: m, attempts } = await webhookAttempts(deps, eventId);
    return html`<div class="card scroll" id="attempts"><h2>Attempts of <span class="mono">${m.event_id}</span> <span class="status">${m.status}</span></h2>
${attempts.length === 0 ? html`<p class="muted">No attempts yet.</p>` : ""}
<table><thead><tr><th>#</th><th>At</th><th>Status</th><th>Latency</th><th>Error / response</th></tr></thead>
<tbody>${attempts.map(
      (a) => html`<tr><td>${a.attempt}</td><td>${when(a.at)}</td><td>${a.status_code ?? "—"}</td><td>${a.latency_ms} ms</td><td class="mono">${a.error ?? a.response_body ?? ""}</td></tr>`,
    )}</tbody></table></div>`;
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return html`<p class="card error">No such webhook message.</p>`;
    throw err;
  }
}

export const webhooksSection: DashboardSection = {
  id: "webhooks",
  title: "Webhooks",
  act: "webhooks.redeliver",
  async render(deps, ctx) {
    const [failed, pending, attention] = await Promise.all([
      webhookMessagesPage(deps, { status: "failed", limit: 50 }),
      webhookMessagesPage(deps, { status: "pending", limit: 50 }),
      webhookAttention(deps, 20),
    ]);
    const eventId = ctx.query.event;
    return html`${eventId ? await attemptsCard(deps, eventId.slice(0, 200)) : ""}
<div class="card"><h2>Needs attention</h2>
${attention.disabledEndpoints.length === 0 && attention.notifications.length === 0 ? html`<p class="muted">Nothing.</p>` : ""}
${attention.disabledEndpoints.map(
  (e) => html`<div class="row"><span><span class="status bad">disabled</span> <span class="mono">${e.url}</span> since ${when(e.disabled_at)}: ${e.disabled_reason ?? ""}</span>
<form class="inline" method="post" action="${BACK}/endpoints/${e.id}/redeliver-failed"><input type="hidden" name="csrf" value="${ctx.csrf}"><button class="small" type="submit">Re-enable and redeliver failed</button></form></div>`,
)}
${attention.notifications.map((n) => html`<div class="row"><span><strong>${n.subject}</strong> ${n.message}</span><span class="muted">${when(n.created_at)}</span></div>`)}
</div>
${messagesTable("Failed", failed.items, ctx.csrf, true)}
${messagesTable("Pending", pending.items, ctx.csrf, false)}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post<{ Params: { eventId: string } }>(
      `${BACK}/messages/:eventId/redeliver`,
      { schema: { hide: true, params: { type: "object", properties: { eventId: { type: "string", maxLength: 200 } }, required: ["eventId"] } } },
      async (request, reply) =>
        runFormAction(reply, returnPath(request.body, BACK), async () => {
          await redeliverMessage(deps, request.params.eventId);
          return `Message ${request.params.eventId} queued again.`;
        }),
    );
    app.post<{ Params: { endpointId: string } }>(
      `${BACK}/endpoints/:endpointId/redeliver-failed`,
      { schema: { hide: true, params: { type: "object", properties: { endpointId: { type: "string", maxLength: 64 } }, required: ["endpointId"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => `${await redeliverEndpointFailures(deps, request.params.endpointId)} failed message(s) queued again; endpoint enabled.`),
    );
  },
};
