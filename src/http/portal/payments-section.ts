// The merchant's payments: the operator's explorer with the merchant forced (search, filters, cursor
// paging), the CSV of the filtered set and one payment with its status changes and webhooks; the same
// use cases as GET /merchant/v1/payments, /payments.csv and /payments/{dialect}/{id}. The trader
// behind a pay-in is not the merchant's to see.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { type PaymentListItem, type PaymentQuery, searchPayments } from "../../app/payments/payment-explorer.js";
import { merchantPaymentStory } from "../../app/payments/payment-story.js";
import { AppError } from "../../core/shared/errors.js";
import { sendPaymentsCsv } from "../admin/payments-csv.js";
import { filteredPage, filterOf, input, select } from "../dashboard/filter-fields.js";
import { statusChanges, webhooks } from "../dashboard/payment-timeline.js";
import { statusPill } from "../dashboard/status-pill.js";
import { money, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import type { PortalSection } from "./portal-section.js";

const BACK = "/merchant/payments";
const FILTERS = ["q", "dialect", "status", "store", "from", "to"] as const;
const DIALECTS = ["trading", "intent", "card"] as const;
const PAGE = 50;
const FLOW_TITLES = { trading: "Trading pay-in", intent: "Payment intent", card: "Card payment" } as const;

const queryOf = (raw: Record<string, unknown>): PaymentQuery => filterOf(raw, FILTERS, 300);
const paymentPath = (p: { id: string; dialect: string }) => `${BACK}/${encodeURIComponent(p.id)}?dialect=${p.dialect}`;

function filterForm(q: PaymentQuery): SafeHtml {
  return html`<form class="card" method="get" action="${BACK}" role="search" id="payment-filters">
<label for="f-q">Search</label><input id="f-q" name="q" type="search" value="${q.q ?? ""}" placeholder="id, external id, order, offer, tx hash, bank reference, e-mail, amount">
<div class="filters">
${select("dialect", "Flow", q.dialect, [...DIALECTS])}
${input("status", "Status", q.status, "text", "e.g. closed")}
${input("store", "Store id", q.store)}
${input("from", "Created from", q.from, "date")}
${input("to", "Created before", q.to, "date")}
<div class="actions"><button type="submit">Search</button><a href="${BACK}">Clear</a></div>
</div></form>`;
}

function resultsTable(items: PaymentListItem[]): SafeHtml {
  if (items.length === 0) return html`<p class="muted" id="no-payments">No payment matches.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="payments"><table id="payments"><thead><tr><th>Created</th><th>Payment</th><th>Status</th><th>Amount</th><th>Store</th><th>External id</th><th>Payer</th></tr></thead>
<tbody>${items.map(
    (p) => html`<tr data-payment="${p.id}"><td>${when(p.createdAt)}</td><td><a class="mono small-id" href="${paymentPath(p)}">${p.id}</a> <span class="muted">${p.dialect}</span></td>
<td>${statusPill(p.status)}</td><td class="mono">${money(p.fiatMinor, p.fiatCurrency)}</td><td class="mono small-id">${p.storeId ?? "—"}</td><td class="mono small-id">${p.externalId ?? "—"}</td>
<td class="small-id">${p.payer ?? "—"}</td></tr>`,
  )}</tbody></table></div>`;
}

const row = (label: string, value: SafeHtml | string | null) => (value === null || value === "" ? "" : html`<div class="row"><span>${label}</span><span class="wrap">${value}</span></div>`);

export const paymentsSection: PortalSection = {
  id: "payments",
  title: "Payments",
  permission: "payments",
  async render(deps, ctx) {
    const query = queryOf(ctx.query);
    const results = await filteredPage(BACK, { fields: FILTERS, query, countId: "payment-count" }, () => searchPayments(deps, { ...query, merchant: ctx.merchantId, limit: PAGE }), resultsTable);
    return html`${filterForm(query)}${results}`;
  },
  async renderItem(deps, ctx, id) {
    const dialect = DIALECTS.find((d) => d === ctx.query.dialect);
    if (!dialect) throw new AppError("not_found", { message: "Payment not found" });
    const s = await merchantPaymentStory(deps, ctx.merchantId, dialect, id);
    const p = s.payment;
    // Status changes name who acted by role (support, trader, …), never a staff member's name.
    return {
      title: FLOW_TITLES[dialect],
      body: html`<p><a href="${BACK}">All payments</a></p><section class="card" id="summary" data-dialect="${p.dialect}" data-status="${p.status}">
<p class="mono wrap" id="payment-id">${p.id}</p>${row("Status", statusPill(p.status))}${row("Amount", html`<span class="mono">${money(p.fiatMinor, p.fiatCurrency)}</span>`)}
${row("Store", p.storeId)}${row("External id", p.externalId)}${row("Payer", p.payer)}${row("Created", when(p.createdAt))}</section>
${statusChanges({ events: s.events.map((e) => ({ ...e, actorName: null })) })}${webhooks(s, { csrf: ctx.csrf, can: () => false })}`,
    };
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.get<{ Querystring: Record<string, unknown> }>(`${BACK}/export.csv`, { schema: { hide: true } }, async (request, reply) =>
      // The whole filtered set of this merchant's payments, whichever page the link was on.
      sendPaymentsCsv(reply, deps, { ...queryOf(request.query ?? {}), cursor: undefined, merchant: principalOf(request, "merchant_user").merchantId }, "merchant"),
    );
  },
};
