// The cards of a payment's page that tell its story: status changes, webhooks with their attempts,
// ledger transfers with their entries, bank transfers, the KYC case, the risk decision and receipts.
// Forms appear only for an existing console action the signed-in role may take.
import type { PaymentStory } from "../../app/payments/payment-story.js";
import { formatMinor } from "../../core/money/decimal.js";
import { money, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import type { SectionContext } from "./section.js";
import { statusPill } from "./status-pill.js";

type Ctx = Pick<SectionContext, "csrf" | "can">;

const card = (id: string, title: string, body: SafeHtml | SafeHtml[] | string) => html`<section class="card" id="${id}"><h2>${title}</h2>${body}</section>`;
const none = (what: string) => html`<p class="muted">No ${what}.</p>`;

/** An event's details: its reason, then its other data as key = value (ids and amounts; never a body). */
function details(e: PaymentStory["events"][number]): string {
  const data = Object.entries(e.data ?? {}).filter(([k]) => k !== "reason" && k !== "action");
  const reason = e.reason ?? (typeof e.data?.reason === "string" ? e.data.reason : null);
  return [reason, ...data.map(([k, v]) => `${k} = ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)].filter(Boolean).join(" · ");
}

/** The status changes (the merchant portal shows them too: only the story's events are read). */
export function statusChanges(s: Pick<PaymentStory, "events">): SafeHtml {
  if (s.events.length === 0) return card("timeline", "Status changes", none("status change recorded (card payments made before their history was kept show only their current status)"));
  return card(
    "timeline",
    "Status changes",
    html`<ol class="plain">${s.events.map(
      (e) => html`<li data-to="${e.to_status}"><span class="muted">${when(e.at)}</span> ${e.from_status ? html`${statusPill(e.from_status)} → ` : "created as "}${statusPill(e.to_status)}
by <strong>${e.actor}</strong>${e.actorName ? html` <span class="actor">${e.actorName}</span>` : e.actor_id ? html` <span class="mono small-id">${e.actor_id}</span>` : ""}${typeof e.data?.action === "string" ? html` (${e.data.action})` : ""}
${details(e) ? html`<br><span class="wrap">${details(e)}</span>` : ""}</li>`,
    )}</ol>`,
  );
}

/** The webhooks and their attempts (the merchant portal shows them too, without the Resend forms its `ctx` refuses). */
export function webhooks(s: Pick<PaymentStory, "webhooks" | "payment">, ctx: Ctx): SafeHtml {
  if (s.webhooks.length === 0) return card("webhooks", "Webhooks and IPNs", none("webhook or IPN queued"));
  return card(
    "webhooks",
    "Webhooks and IPNs",
    s.webhooks.map(
      (m) => html`<div data-event="${m.event_id}"><h3><span class="mono small-id">${m.event_id}</span> ${statusPill(m.status)}</h3>
<p class="meta wrap">${m.format} to <span class="mono">${m.url}</span> · ${m.attempts} attempt(s)${m.status === "pending" ? html` · next ${when(m.next_attempt_at)}` : ""}${
        m.delivered_at ? html` · delivered ${when(m.delivered_at)}` : ""
      }</p>
${
  m.tries.length === 0
    ? ""
    : html`<div class="scroll"><table><caption class="visually-hidden">Attempts of ${m.event_id}</caption><thead><tr><th>#</th><th>At</th><th>HTTP</th><th>Latency</th><th>Error</th></tr></thead><tbody>${m.tries.map(
        (a) => html`<tr class="attempt"><td>${a.attempt}</td><td>${when(a.at)}</td><td>${a.status_code ?? "—"}</td><td>${a.latency_ms} ms</td><td class="wrap">${a.error ?? ""}</td></tr>`,
      )}</tbody></table></div>`
}
${
  m.status !== "pending" && ctx.can("webhooks.redeliver")
    ? html`<form class="inline" method="post" action="/dashboard/webhooks/messages/${encodeURIComponent(m.event_id)}/redeliver"><input type="hidden" name="csrf" value="${ctx.csrf}"><input type="hidden" name="back" value="/dashboard/payments/${s.payment.id}"><button class="small" type="submit">Resend</button></form>`
    : ""
}</div>`,
    ),
  );
}

const amount = (minor: bigint, scale: number | null, asset: string) => `${scale === null ? `${minor} (minor units)` : formatMinor(minor, scale)} ${asset}`;

export function ledger(s: PaymentStory): SafeHtml {
  if (s.ledger.length === 0) return card("ledger", "Ledger transfers", none("ledger transfer booked for this payment"));
  return card(
    "ledger",
    "Ledger transfers",
    s.ledger.map(
      (t) => html`<div data-transfer="${t.id}"><h3><span class="mono small-id">${t.code}</span> ${t.pending ? statusPill(t.resolution ?? "pending") : ""}</h3>
<p class="meta muted wrap"><span class="mono">${t.id}</span> · ${when(t.created_at)}${t.resolved_at ? ` · ${t.resolution} ${when(t.resolved_at)}` : ""}${t.reversal_of ? ` · reverses ${t.reversal_of}` : ""}</p>
<div class="scroll"><table><caption class="visually-hidden">Entries of ${t.id}</caption><thead><tr><th>Account</th><th>Purpose</th><th>Amount</th></tr></thead><tbody>${t.entries.map(
        (e) => html`<tr><td class="mono small-id">${e.owner}</td><td>${e.purpose}</td><td class="mono">${amount(e.amountMinor, e.scale, e.asset)}</td></tr>`,
      )}</tbody></table></div></div>`,
    ),
  );
}

export function bankTransfers(s: PaymentStory): SafeHtml {
  if (s.payment.dialect === "card") return html``;
  if (s.bankTransfers.length === 0) return card("bank-transfers", "Bank transfers", none("bank transfer matched"));
  return card(
    "bank-transfers",
    "Bank transfers",
    html`<div class="scroll"><table><thead><tr><th>Received</th><th>Bank id</th><th>Amount</th><th>Outcome</th><th>Feed</th></tr></thead><tbody>${s.bankTransfers.map(
      (t) => html`<tr><td>${when(t.received_at)}</td><td class="mono small-id">${t.external_id}</td><td class="mono">${money(t.amount_minor, t.currency)}</td>
<td>${t.outcome}${t.reason ? html`<br><span class="muted">${t.reason}</span>` : ""}</td><td>${t.feed}</td></tr>`,
    )}</tbody></table></div>`,
  );
}

export function kycCase(s: PaymentStory, ctx: Ctx): SafeHtml {
  if (s.payment.dialect === "trading") return html``; // pay-ins have no KYC; intents and card customers do
  const c = s.kycCase;
  if (!c) return card("kyc", "KYC case", none("KYC case"));
  return card(
    "kyc",
    "KYC case",
    html`<p class="meta"><span class="mono small-id">${c.id}</span> · level ${c.level} ${statusPill(c.status)}${c.decidedAt ? ` · decided ${when(c.decidedAt)}` : ""}${c.reason ? ` · ${c.reason}` : ""}</p>
<ol class="plain">${c.events.map((e) => html`<li><span class="muted">${when(e.at)}</span> ${e.from_status ?? "created"} → ${e.to_status} by ${e.actor}${e.reason ? ` · ${e.reason}` : ""}</li>`)}</ol>
${c.status === "review" && ctx.can("kyc.review") ? html`<p><a href="/dashboard/kyc">Review it in the KYC queue</a></p>` : ""}`,
  );
}

export function riskDecision(s: PaymentStory): SafeHtml {
  const r = s.risk;
  if (!r) return card("risk", "Risk decision", none("risk rule met this payment"));
  const reasons = Array.isArray(r.reasons) ? (r.reasons as { name?: unknown; outcome?: unknown; weight?: unknown }[]) : [];
  return card(
    "risk",
    "Risk decision",
    html`<p class="meta">${statusPill(r.decision)} score ${r.score} · ${when(r.created_at)}${r.review_status ? html` · review ${statusPill(r.review_status)}` : ""}${
      r.reviewed_at ? ` by ${s.reviewedByName ?? r.reviewed_by ?? "?"} ${when(r.reviewed_at)}` : ""
    }</p>
<ul class="plain">${reasons.map((x) => html`<li>${String(x.name ?? "")}: ${String(x.outcome ?? "")} (weight ${String(x.weight ?? 0)})</li>`)}</ul>`,
  );
}

export function receipts(s: PaymentStory): SafeHtml {
  if (s.payment.dialect !== "trading") return html``;
  if (s.receipts.length === 0) return card("receipts", "Receipts", none("receipt uploaded"));
  return card(
    "receipts",
    "Receipts",
    html`<ul class="plain">${s.receipts.map(
      (r) => html`<li><a href="/dashboard/disputes/receipts/${encodeURIComponent(r.invoiceKey)}" download>${r.uploadedBy} · ${r.contentType} · ${Math.ceil(r.sizeBytes / 1024)} KiB</a> <span class="muted">${when(r.createdAt)}</span></li>`,
    )}</ul>`,
  );
}
