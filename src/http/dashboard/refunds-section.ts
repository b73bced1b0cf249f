// Refund orders: the fiat refunds Rampart owes payers. Orders waiting for the payer's IBAN show the
// reason and take the IBAN and name (setRefundOrderBeneficiary, as PUT /admin/v1/refund-orders/:id/beneficiary);
// the pending ones go out in a pain.001 file (exportRefunds, as POST /admin/v1/refund-exports), which
// the operator downloads and uploads to the bank; each order closes when its debit is on a statement.
// Refunds of paid trading pay-ins still owed to their payers are listed too, each linking to its page.
import type { FastifyInstance } from "fastify";
import { exportRefunds, openRefundOrders, recentRefundExports, refundExportFile, setRefundOrderBeneficiary } from "../../app/bank-statements/refund-export.js";
import type { Deps } from "../../app/deps.js";
import { owedPaymentRefunds, type PaymentRefundView } from "../../app/payments/refund-payment.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

const BACK = "/dashboard/refunds";
const EXPORT_ID = "^rfx_[0-9A-Za-z_]{1,60}$";

type Order = Awaited<ReturnType<typeof openRefundOrders>>["waiting"][number];
const OWED_SHOWN = 100;

/** Refunds of paid trading pay-ins whose fiat the trader still owes the payer: recorded on each payment's page. */
function owedTable(refunds: PaymentRefundView[]) {
  if (refunds.length === 0) return html`<p class="muted">No refunded pay-in is owed to its payer.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Refunded pay-ins owed to the payer"><table><thead><tr><th>Refund</th><th>Status</th><th>Owed</th><th>Pay-in</th><th>Made</th></tr></thead>
<tbody>${refunds.map(
    (r) => html`<tr data-payment-refund="${r.id}"><td class="mono">${r.id}</td><td>${r.status}</td><td class="mono">${r.fiatAmount} ${r.fiatCurrency}</td>
<td><a class="mono small-id" href="/dashboard/payments/${r.paymentId}">${r.paymentId}</a></td><td>${when(new Date(r.createdAt))}</td></tr>`,
  )}</tbody></table></div>`;
}

function waitingCard(o: Order, csrf: string) {
  return html`<div class="card" data-order="${o.id}"><h3><span class="mono wrap">${o.id}</span> <span class="status warn">${o.status}</span></h3>
<div class="row"><span>Amount</span><span class="mono">${o.amount} ${o.currency}</span></div>
<div class="row"><span>Payer</span><span class="wrap">${o.creditorName ?? "—"}</span></div>
<div class="row"><span>Why it waits</span><span>${o.reason ?? "—"}</span></div>
<div class="row"><span>Bank transfer</span><span class="mono wrap">${o.bankTransferId}</span></div>
<form method="post" action="${BACK}/${o.id}/beneficiary"><input type="hidden" name="csrf" value="${csrf}">
<label for="iban-${o.id}">Payer's IBAN</label><input id="iban-${o.id}" name="iban" maxlength="50" required autocomplete="off">
<label for="name-${o.id}">Payer's name</label><input id="name-${o.id}" name="name" maxlength="70" required value="${o.creditorName ?? ""}">
<p><button type="submit">Set the beneficiary</button></p></form></div>`;
}

function pendingTable(orders: Order[]) {
  if (orders.length === 0) return html`<p class="muted">No refund is pending export.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Refunds pending export"><table><thead><tr><th>Order</th><th>Amount</th><th>To</th><th>IBAN</th><th>Reason</th></tr></thead>
<tbody>${orders.map(
    (o) => html`<tr data-order="${o.id}"><td class="mono">${o.id}</td><td class="mono">${o.amount} ${o.currency}</td><td>${o.creditorName ?? "—"}</td>
<td class="mono">${o.creditorIban ?? "—"}</td><td>${o.reason ?? "—"}</td></tr>`,
  )}</tbody></table></div>`;
}

export const refundsSection: DashboardSection = {
  id: "refunds",
  title: "Refund orders",
  act: "refunds",
  async render(deps, ctx) {
    const [{ waiting, pending }, exports, owed] = await Promise.all([openRefundOrders(deps), recentRefundExports(deps), owedPaymentRefunds(deps, OWED_SHOWN)]);
    return html`<div class="card"><h2>Pending export</h2>${pendingTable(pending)}
<form method="post" action="${BACK}/export"><input type="hidden" name="csrf" value="${ctx.csrf}">
<p><button type="submit">Export pending refunds (pain.001)</button></p></form>
<p class="muted">Refunds booked since the last export (overpayments, late payments) become orders when you export. Upload the file to your bank; each order closes when its debit is on a statement.</p></div>
<h2>Waiting for the payer's IBAN</h2>${waiting.length === 0 ? html`<div class="card"><p class="muted">No refund waits for an IBAN.</p></div>` : waiting.map((o) => waitingCard(o, ctx.csrf))}
<div class="card" id="payment-refunds-owed"><h2>Refunded pay-ins owed to the payer</h2>${owedTable(owed)}
<p class="muted">The trader returns these from the requisite's account; record each payment on its pay-in's page (sent, then its bank reference).</p></div>
<div class="card"><h2>Exports</h2>${
      exports.length === 0
        ? html`<p class="muted">Nothing exported yet.</p>`
        : html`<ul class="plain">${exports.map(
            (e) => html`<li data-export="${e.id}"><a href="${BACK}/exports/${e.id}" download>${e.id}.xml</a> · ${e.orders} order(s) · ${when(e.created_at)}</li>`,
          )}</ul>`
    }</div>`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post(`${BACK}/export`, { schema: { hide: true } }, async (_request, reply) =>
      runFormAction(reply, BACK, async () => {
        const e = await exportRefunds(deps);
        if (e.exportId === null) return `Nothing to export${e.waiting.length > 0 ? `: ${e.waiting.length} order(s) wait for an IBAN` : ""}.`;
        return `Exported ${e.exported.length} refund(s) as ${e.exportId}.xml: download it below and upload it to your bank.`;
      }),
    );
    app.post<{ Params: { id: string }; Body: { iban?: unknown; name?: unknown } }>(
      `${BACK}/:id/beneficiary`,
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", pattern: "^rfo_[0-9A-Za-z_]{1,60}$" } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const { iban, name } = request.body ?? {};
          const o = await setRefundOrderBeneficiary(deps, request.params.id, { iban: typeof iban === "string" ? iban : "", name: typeof name === "string" ? name : "" });
          return `Refund order ${o.id} is ${o.status}: it goes out in the next export.`;
        }),
    );
    // The pain.001 file as exported: a download, never rendered, never cached.
    app.get<{ Params: { id: string } }>(
      `${BACK}/exports/:id`,
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", pattern: EXPORT_ID } }, required: ["id"] } } },
      async (request, reply) =>
        reply
          .header("content-type", "application/xml; charset=utf-8")
          .header("content-disposition", `attachment; filename="${request.params.id}.xml"`)
          .header("x-content-type-options", "nosniff")
          .header("cache-control", "no-store")
          .send(await refundExportFile(deps, request.params.id)),
    );
  },
};
