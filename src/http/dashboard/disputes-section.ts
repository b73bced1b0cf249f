// Disputes: trading pay-ins in dispute or under review, with the claimed amounts and the receipts, and
// support's three decisions. The forms call resolveDispute, the same use case as
// POST /admin/v1/trading/pay-ins/:id/resolve.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { resolveDispute, type DisputeResolution } from "../../app/trading/disputes.js";
import { disputesForSupport, readReceiptForSupport, type PayinWithReceipts } from "../../app/trading/support-queries.js";
import { AppError } from "../../core/shared/errors.js";
import { parseFiatAmount } from "../../core/trading/fiat-amount.js";
import { runFormAction } from "../pages/form-action.js";
import { fiat, usdt, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { sendDownload } from "../pages/send-page.js";
import { operatorOf, returnPath, type DashboardSection } from "./section.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const BACK = "/dashboard/disputes";

function disputeCard({ payin: p, receipts }: PayinWithReceipts, csrf: string) {
  const claimed = p.dispute_merchant_fiat_minor;
  const answered = p.dispute_trader_fiat_minor;
  return html`<div class="card" data-payin="${p.id}"><h2>Pay-in <span class="mono">${p.id}</span> <span class="status warn">${p.status}</span></h2>
<div class="row"><span>Amount asked</span><span class="mono">${fiat(p.fiat_amount_minor, p.fiat_currency)} · ${usdt(p.crypto_amount_minor)}</span></div>
<div class="row"><span>Merchant / payer claims</span><span class="mono">${claimed !== null && p.dispute_merchant_invoice_key ? fiat(claimed, p.fiat_currency) : "—"}</span></div>
<div class="row"><span>Trader answered</span><span class="mono">${p.dispute_trader_invoice_key || p.status === "checking" ? fiat(answered, p.fiat_currency) : "—"}</span></div>
<div class="row"><span>Bank / method / trader</span><span>${p.bank_code} · ${p.method} · <span class="mono">${p.trader_id}</span></span></div>
<div class="row"><span>Opened</span><span>${when(p.dispute_opened_at)}</span></div>
${p.dispute_comment ? html`<div class="row"><span>Comment</span><span>${p.dispute_comment}</span></div>` : ""}
<div class="row"><span>Receipts</span><span>${
    receipts.length === 0
      ? "none"
      : receipts.map(
          (r) => html`<a href="/dashboard/disputes/receipts/${r.invoiceKey}" download>${r.uploadedBy} · ${r.contentType} · ${Math.ceil(r.sizeBytes / 1024)} KiB</a> `,
        )
  }</span></div>
${disputeDecisionForms(p.id, p.status, csrf)}
</div>`;
}

/** Support's three decisions on a pay-in in dispute or checking (also on the payment's own page, which passes itself as `back`). */
export function disputeDecisionForms(id: string, status: string, csrf: string, back?: string): SafeHtml {
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}">${back ? html`<input type="hidden" name="back" value="${back}">` : ""}`;
  return html`<form class="inline" method="post" action="/dashboard/disputes/${id}/resolve">
${hidden}
<button type="submit" name="outcome" value="paid">Paid as claimed</button>
<button type="submit" name="outcome" value="not_paid" class="danger">Not paid</button>
</form>
<form class="inline" method="post" action="/dashboard/disputes/${id}/resolve">
${hidden}<input type="hidden" name="outcome" value="paid_different">
<label for="amt-${id}" style="margin:0">Amount that arrived</label>
<input id="amt-${id}" name="actualFiatAmount" inputmode="decimal" placeholder="0.00" required>
<button type="submit" class="secondary">Paid a different amount</button>
</form>
${status === "dispute" ? html`<p class="muted">A different amount can be decided once the trader has opened review (status checking).</p>` : ""}`;
}

function resolution(body: { outcome?: unknown; actualFiatAmount?: unknown }): DisputeResolution {
  switch (body.outcome) {
    case "paid":
      return { outcome: "paid" };
    case "not_paid":
      return { outcome: "not_paid" };
    case "paid_different": {
      const actualFiatMinor = parseFiatAmount(body.actualFiatAmount);
      if (actualFiatMinor === null) throw new AppError("validation_failed", { field: "actualFiatAmount", message: "Enter the amount that arrived, e.g. 5000.00" });
      return { outcome: "paid_different", actualFiatMinor };
    }
    default:
      throw new AppError("validation_failed", { field: "outcome", message: "Choose an outcome" });
  }
}

export const disputesSection: DashboardSection = {
  id: "disputes",
  title: "Disputes",
  act: "disputes.decide",
  async render(deps, ctx) {
    const items = await disputesForSupport(deps);
    if (items.length === 0) return html`<div class="card"><p class="muted">No disputes waiting.</p></div>`;
    return html`<p class="muted">${items.length} waiting, longest first.</p>${items.map((i) => disputeCard(i, ctx.csrf))}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post<{ Params: { id: string }; Body: { outcome?: unknown; actualFiatAmount?: unknown } }>(
      "/dashboard/disputes/:id/resolve",
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, returnPath(request.body, BACK), async () => {
          const p = await resolveDispute(deps, operatorOf(request), request.params.id, resolution(request.body ?? {}));
          return `Pay-in ${p.id} is now ${p.status}.`;
        }),
    );
    app.get<{ Params: { invoiceKey: string } }>(
      "/dashboard/disputes/receipts/:invoiceKey",
      { schema: { hide: true, params: { type: "object", properties: { invoiceKey: { type: "string", maxLength: 64 } }, required: ["invoiceKey"] } } },
      async (request, reply) => {
        return sendDownload(reply, await readReceiptForSupport(deps, request.params.invoiceKey), request.params.invoiceKey);
      },
    );
  },
};
