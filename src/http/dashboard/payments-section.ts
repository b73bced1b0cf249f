// Payments: the explorer over the three flows (search, filters, cursor paging) and a CSV download of
// the filtered set. The list is searchPayments and the download sendPaymentsCsv, exactly what
// GET /admin/v1/payments and /admin/v1/payments.csv run; each payment's page is payment-page.ts.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { type PaymentListItem, type PaymentQuery, searchPayments } from "../../app/payments/payment-explorer.js";
import { cancelPaymentAsOperator } from "../../app/payments/operator-cancel.js";
import { paymentStory } from "../../app/payments/payment-story.js";
import { runFormAction } from "../pages/form-action.js";
import { sendPaymentsCsv } from "../admin/payments-csv.js";
import { money, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { filteredPage, filterOf, input, select } from "./filter-fields.js";
import { paymentPage } from "./payment-page.js";
import { paymentRefundRoutes } from "./payment-refund-actions.js";
import { riskReviewRoutes } from "./risk-review-actions.js";
import { operatorOf, type DashboardSection } from "./section.js";
import { statusPill } from "./status-pill.js";

const BACK = "/dashboard/payments";
const FILTERS = ["q", "dialect", "status", "merchant", "store", "trader", "from", "to", "risk"] as const;
const PAGE = 50;
const FLOW_TITLES = { trading: "Trading pay-in", intent: "Payment intent", card: "Card payment" } as const;

/** The filter from the page's query string, each field at most 300 characters. */
const queryOf = (raw: Record<string, unknown>): PaymentQuery => filterOf(raw, FILTERS, 300);

function filterForm(q: PaymentQuery): SafeHtml {
  return html`<form class="card" method="get" action="${BACK}" role="search" id="payment-filters">
<label for="f-q">Search</label><input id="f-q" name="q" type="search" value="${q.q ?? ""}" placeholder="id, external id, order, offer, tx hash, bank reference, e-mail, amount">
<div class="filters">
${select("dialect", "Flow", q.dialect, ["trading", "intent", "card"])}
${input("status", "Status", q.status, "text", "e.g. closed")}
${input("merchant", "Merchant id", q.merchant)}
${input("store", "Store id", q.store)}
${input("trader", "Trader id", q.trader)}
${input("from", "Created from", q.from, "date")}
${input("to", "Created before", q.to, "date")}
${select("risk", "Risk decision", q.risk, ["allow", "review", "block", "none"])}
<div class="actions"><button type="submit">Search</button><a href="${BACK}">Clear</a></div>
</div></form>`;
}

function resultsTable(items: PaymentListItem[]): SafeHtml {
  if (items.length === 0) return html`<p class="muted" id="no-payments">No payment matches.</p>`;
  return html`<div class="scroll"><table id="payments"><thead><tr><th>Created</th><th>Payment</th><th>Status</th><th>Amount</th><th>Merchant</th><th>External id</th><th>Payer</th><th>Risk</th></tr></thead>
<tbody>${items.map(
    (p) => html`<tr data-payment="${p.id}"><td>${when(p.createdAt)}</td><td><a class="mono small-id" href="${BACK}/${encodeURIComponent(p.id)}">${p.id}</a> <span class="muted">${p.dialect}</span></td>
<td>${statusPill(p.status)}</td><td class="mono">${money(p.fiatMinor, p.fiatCurrency)}</td><td>${p.merchantName}</td><td class="mono small-id">${p.externalId ?? "—"}</td>
<td class="small-id">${p.payer ?? "—"}</td><td>${p.risk ?? "—"}</td></tr>`,
  )}</tbody></table></div>`;
}

export const paymentsSection: DashboardSection = {
  id: "payments",
  title: "Payments",
  async render(deps, ctx) {
    const query = queryOf(ctx.query);
    const results = await filteredPage(BACK, { fields: FILTERS, query, countId: "payment-count" }, () => searchPayments(deps, { ...query, limit: PAGE }), resultsTable);
    return html`${filterForm(query)}${results}`;
  },
  async renderItem(deps, ctx, id) {
    const story = await paymentStory(deps, id);
    return { title: FLOW_TITLES[story.payment.dialect], body: paymentPage(deps, story, ctx) };
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.get<{ Querystring: Record<string, unknown> }>(`${BACK}/export.csv`, { schema: { hide: true } }, async (request, reply) => {
      // The whole filtered set, whichever page the link was on.
      return sendPaymentsCsv(reply, deps, { ...queryOf(request.query ?? {}), cursor: undefined });
    });
    riskReviewRoutes(app, deps);
    paymentRefundRoutes(app, deps);
    // The same use case as POST /admin/v1/payments/:paymentId/cancel.
    app.post<{ Params: { id: string } }>(
      `${BACK}/:id/cancel`,
      {
        schema: { hide: true, params: { type: "object", properties: { id: { type: "string", minLength: 1, maxLength: 64, pattern: "^[A-Za-z0-9_-]+$" } }, required: ["id"] } },
        config: { permission: "payments.manage" },
      },
      async (request, reply) =>
        runFormAction(reply, `${BACK}/${request.params.id}`, async () => {
          const r = await cancelPaymentAsOperator(deps, request.params.id, operatorOf(request));
          return `Payment ${r.paymentId} is now ${r.status}.`;
        }),
    );
  },
};
