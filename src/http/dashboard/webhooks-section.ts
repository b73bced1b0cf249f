// Webhooks: messages that failed or are still pending, one message's event, payload and attempts on demand, redelivery
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

/** Messages are queued due at once (a due time of 1970): those read "due now", not a date. */
const nextAttempt = (at: Date, now: Date) => (at.getTime() <= now.getTime() ? "due now" : when(at));

/** Payloads shown up to this many characters (a message body is bounded when written, but a page should stay readable). */
const PAYLOAD_SHOWN = 4000;

/** What the message tells the merchant: the envelope's event type, a trading status, an IPN's status. */
function eventOf(m: { format: string; body: string | null; query: Record<string, string> | null }): string {
  if (m.format === "intent_ipn") return m.query?.paymentIntentStatus !== undefined ? `status ${m.query.paymentIntentStatus}` : "—";
  try {
    const body = JSON.parse(m.body ?? "") as { type?: unknown; status?: unknown };
    // A trading webhook is the pay-in itself (its type is always "pay-in"): its status is the news.
    if (m.format === "trading" && typeof body.status === "string") return `status ${body.status}`;
    if (typeof body.type === "string") return body.type;
  } catch {
    // not JSON (or purged): no event to name
  }
  return "—";
}

function payloadOf(m: { format: string; body: string | null; query: Record<string, string> | null }): string {
  const text = m.format === "intent_ipn" ? new URLSearchParams(m.query ?? {}).toString() : (m.body ?? "");
  if (text === "") return "(none kept: erased or purged)";
  let pretty = text;
  try {
    pretty = m.format === "intent_ipn" ? text : JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // shown as sent
  }
  return pretty.length > PAYLOAD_SHOWN ? `${pretty.slice(0, PAYLOAD_SHOWN)}…` : pretty;
}

function messagesTable(title: string, rows: MessageRow[], csrf: string, redeliverable: boolean, now: Date): SafeHtml {
  if (rows.length === 0) return html`<div class="card"><h2>${title}</h2><p class="muted">None.</p></div>`;
  const endpoints = [...new Map(rows.map((m) => [m.endpoint_id, m.url])).entries()];
  return html`<div class="card scroll"><h2>${title}</h2><table><thead><tr><th>Created</th><th>Event</th><th>URL</th><th>Attempts</th><th>Last error</th><th><span class="visually-hidden">Action</span></th></tr></thead>
<tbody>${rows.map(
    (m) => html`<tr data-event="${m.event_id}"><td>${when(m.created_at)}</td><td class="mono"><a href="${BACK}?event=${encodeURIComponent(m.event_id)}">${m.event_id}</a></td>
<td class="mono">${m.url}</td><td>${m.attempts}${m.status === "pending" ? html` · next ${nextAttempt(m.next_attempt_at, now)}` : ""}</td><td>${m.last_error ?? "—"}</td>
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
<div class="row"><span>Format</span><span class="mono">${m.format}</span></div>
<div class="row"><span>Event</span><span class="mono" id="message-event">${eventOf(m)}</span></div>
<div class="row"><span>URL</span><span class="mono wrap">${m.url}</span></div>
<details><summary>Payload</summary><pre class="mono wrap" id="message-payload">${payloadOf(m)}</pre></details>
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
${messagesTable("Failed", failed.items, ctx.csrf, true, deps.clock.now())}
${messagesTable("Pending", pending.items, ctx.csrf, false, deps.clock.now())}`;
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
