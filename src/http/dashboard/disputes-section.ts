// Disputes: trading pay-ins in dispute or under review, with the claimed amounts and the receipts, and
// support's three decisions. The forms call resolveDispute, the same use case as
// POST /admin/v1/trading/pay-ins/:id/resolve.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { refuseResolution, resolveDispute, type DisputeResolution } from "../../app/trading/disputes.js";
import { disputesForSupport, payinForSupport, readReceiptForSupport, type PayinWithReceipts } from "../../app/trading/support-queries.js";
import { AppError } from "../../core/shared/errors.js";
import { parseTypedFiatAmount } from "../../core/trading/fiat-amount.js";
import { runFormAction } from "../pages/form-action.js";
import { fiat, usdt, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { sendDownload } from "../pages/send-page.js";
import { confirmAction } from "./confirm-action.js";
import { operatorOf, returnPath, type DashboardSection } from "./section.js";
import { requireStepUp, stepUpField, tradingFiatMoved } from "./step-up.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const BACK = "/dashboard/disputes";

function disputeCard(deps: Deps, { payin: p, receipts }: PayinWithReceipts, csrf: string) {
  const claimed = p.dispute_merchant_fiat_minor;
  const answered = p.dispute_trader_fiat_minor;
  return html`<div class="card" data-payin="${p.id}"><h2>Pay-in <span class="mono">${p.id}</span> <span class="status warn">${p.status}</span></h2>
<div class="row"><span>Amount asked</span><span class="mono">${fiat(p.fiat_amount_minor, p.fiat_currency)} · ${usdt(p.crypto_amount_minor)}</span></div>
<div class="row"><span>Merchant / payer claims</span><span class="mono">${claimed !== null && p.dispute_merchant_invoice_key ? fiat(claimed, p.fiat_currency) : "—"}</span></div>
<div class="row"><span>Trader answered</span><span class="mono">${p.dispute_trader_invoice_key || p.status === "checking" ? fiat(answered, p.fiat_currency) : "—"}</span></div>
<div class="row"><span>Bank / method / trader</span><span class="wrap">${p.bank_code} · ${p.method} · <span class="mono wrap">${p.trader_id}</span></span></div>
<div class="row"><span>Opened</span><span>${when(p.dispute_opened_at)}</span></div>
${p.dispute_comment ? html`<div class="row"><span>Comment</span><span>${p.dispute_comment}</span></div>` : ""}
<div class="row"><span>Receipts</span><span>${
    receipts.length === 0
      ? "none"
      : receipts.map(
          (r) => html`<a href="/dashboard/disputes/receipts/${r.invoiceKey}" download>${r.uploadedBy} · ${r.contentType} · ${Math.ceil(r.sizeBytes / 1024)} KiB</a> `,
        )
  }</span></div>
${disputeDecisionForms(deps, { id: p.id, status: p.status, fiatMinor: p.fiat_amount_minor, fiatCurrency: p.fiat_currency, claimedFiatMinor: p.dispute_merchant_fiat_minor }, csrf)}
</div>`;
}


/** What each decision does, said in its confirmation before it is taken (resolveDispute). */
const DECISION_EFFECT = {
  paid: (claimed: string) =>
    `The pay-in closes as paid at the amount claimed, ${claimed}: the trader's hold on their deposit settles, the merchant's balance is credited and the merchant is notified.`,
  not_paid: "The pay-in closes as not paid: the trader's hold on their deposit is voided, nothing is credited and the merchant is notified. It counts against the payer's later pay-ins.",
  paid_different:
    "The pay-in is priced again at the amount entered above: the trader's hold settles and the merchant is credited at that amount, then the pay-in closes and the merchant is notified.",
} as const;

/**
 * Support's three decisions on a pay-in in dispute or checking (also on the payment's own page, which
 * passes itself as `back`), each behind a confirmation that says what it does. Above the step-up
 * amount each asks for a fresh TOTP code; the different amount's shows the field whenever a step-up
 * amount applies, since its amount is typed.
 */
export function disputeDecisionForms(
  deps: Deps,
  p: { id: string; status: string; fiatMinor: bigint | string; fiatCurrency: string; claimedFiatMinor: bigint | string },
  csrf: string,
  back?: string,
): SafeHtml {
  const id = p.id;
  const action = `/dashboard/disputes/${id}/resolve`;
  const hidden = back ? html`<input type="hidden" name="back" value="${back}">` : "";
  const claimedMinor = BigInt(p.claimedFiatMinor);
  const claimed = fiat(claimedMinor, p.fiatCurrency);
  // What the decisions move as the route's step-up compares it: the larger of asked and claimed.
  const asked = BigInt(p.fiatMinor);
  const moves = tradingFiatMoved(claimedMinor > asked ? claimedMinor : asked, p.fiatCurrency);
  const paid = confirmAction({
    label: "Paid as claimed",
    action,
    csrf,
    effect: DECISION_EFFECT.paid(claimed),
    fields: html`${hidden}${stepUpField(deps, moves, `${id}-decide`)}`,
    yes: html`Yes, paid: ${claimed}`,
    value: { name: "outcome", value: "paid" },
  });
  const notPaid = confirmAction({
    label: "Not paid",
    action,
    csrf,
    effect: DECISION_EFFECT.not_paid,
    fields: html`${hidden}${stepUpField(deps, moves, `${id}-not-paid`)}`,
    yes: "Yes, not paid",
    value: { name: "outcome", value: "not_paid" },
    danger: true,
  });
  const different = confirmAction({
    label: "Paid a different amount",
    summaryClass: "secondary",
    action,
    csrf,
    effect: DECISION_EFFECT.paid_different,
    fields: html`${hidden}<input type="hidden" name="outcome" value="paid_different">
<label for="amt-${id}">Amount that arrived (${p.fiatCurrency})</label>
<input id="amt-${id}" name="actualFiatAmount" inputmode="decimal" placeholder="0.00" required>
${stepUpField(deps, moves, `${id}-different`, true)}`,
    yes: "Yes, settle at this amount",
  });
  return html`${paid}${notPaid}${different}
${p.status === "dispute" ? html`<p class="muted">A different amount can be decided once the trader has opened review (status checking).</p>` : ""}`;
}

function resolution(body: { outcome?: unknown; actualFiatAmount?: unknown }): DisputeResolution {
  switch (body.outcome) {
    case "paid":
      return { outcome: "paid" };
    case "not_paid":
      return { outcome: "not_paid" };
    case "paid_different": {
      // Typed by a person, in their own notation ("5 000,50"), as on the trader's cabinet.
      const actualFiatMinor = parseTypedFiatAmount(body.actualFiatAmount);
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
    return html`<p class="muted">${items.length} waiting, longest first.</p>${items.map((i) => disputeCard(deps, i, ctx.csrf))}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post<{ Params: { id: string }; Body: { outcome?: unknown; actualFiatAmount?: unknown } }>(
      "/dashboard/disputes/:id/resolve",
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, returnPath(request.body, BACK), async () => {
          const decision = resolution(request.body ?? {});
          // The largest of what was asked, what is claimed and what is said to have arrived is what the decision moves.
          const payin = await payinForSupport(deps, request.params.id);
          refuseResolution(payin, decision);
          const actual = decision.outcome === "paid_different" ? decision.actualFiatMinor : 0n;
          const largest = [BigInt(payin.fiat_amount_minor), BigInt(payin.dispute_merchant_fiat_minor), actual].reduce((a, b) => (b > a ? b : a));
          await requireStepUp(deps, request, tradingFiatMoved(largest, payin.fiat_currency));
          const p = await resolveDispute(deps, operatorOf(request), request.params.id, decision);
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
