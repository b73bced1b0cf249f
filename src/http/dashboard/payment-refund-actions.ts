// A paid trading pay-in's refund on its page in the console (permission refunds): Refund the payment…
// says what the ledger does and what is then owed to the payer, takes a reason and, above
// RAMPART_STEP_UP_AMOUNT, a fresh TOTP code; a refund made shows its state and the next record of its
// bank payment (sent, then completed with the bank reference). The forms call refundPaymentAsOperator
// and advancePaymentRefund, the use cases of POST /admin/v1/payments/:paymentId/refund and
// /admin/v1/payment-refunds/:refundId/sent|completed.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { advancePaymentRefund, type PaymentRefundView, refundPaymentAsOperator } from "../../app/payments/refund-payment.js";
import type { PaymentStory } from "../../app/payments/payment-story.js";
import { payinForSupport } from "../../app/trading/support-queries.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";
import { runFormAction } from "../pages/form-action.js";
import { fiat, usdt } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { confirmAction } from "./confirm-action.js";
import { operatorOf, type SectionContext } from "./section.js";
import { statusPill } from "./status-pill.js";
import { requireStepUp, stepUpField, tradingFiatMoved } from "./step-up.js";

const pagePath = (id: string) => `/dashboard/payments/${id}`;
const row = (label: string, value: SafeHtml | string) => html`<div class="row"><span>${label}</span><span class="wrap">${value}</span></div>`;

/** A refund made: what is owed to the payer and where its bank payment stands, with the next record. */
function refundMade(r: PaymentRefundView, ctx: Pick<SectionContext, "csrf" | "can">): SafeHtml {
  const owed = `${r.fiatAmount} ${r.fiatCurrency}`;
  const base = `${pagePath(r.paymentId)}/refund/${r.id}`;
  let next: SafeHtml | string = "";
  if (ctx.can("refunds") && r.status === "pending") {
    next = confirmAction({
      label: "Mark the payment to the payer as sent",
      action: `${base}/sent`,
      csrf: ctx.csrf,
      effect: `Records that ${owed} went out to the payer from the trader's account; the merchant is notified. The ledger does not change: it was reversed when the refund was made.`,
      yes: "Yes, it was sent",
    });
  } else if (ctx.can("refunds") && r.status === "sent") {
    next = confirmAction({
      label: "Record the bank reference",
      action: `${base}/completed`,
      csrf: ctx.csrf,
      effect: `Completes the refund with the bank reference of the payment of ${owed} to the payer; the merchant is notified.`,
      fields: html`<label for="bank-reference">Bank reference</label><input id="bank-reference" name="bankReference" maxlength="140" required autocomplete="off">`,
      yes: "Complete the refund",
    });
  }
  return html`<section class="card" id="refund" data-refund="${r.id}" data-status="${r.status}"><h2>Refund</h2>
${row("Refund", html`<span class="mono">${r.id}</span> ${statusPill(r.status)}`)}${row("Owed to the payer", html`<span class="mono">${owed}</span>`)}
${row("Taken back from the merchant", html`<span class="mono">${usdt(r.cryptoAmount)} (fee ${usdt(r.merchantFee)} included)</span>`)}${row("Reason", r.reason)}
${r.bankReference ? row("Bank reference", html`<span class="mono">${r.bankReference}</span>`) : ""}${next}</section>`;
}

/** The Refund section of a trading pay-in's page: the refund made, or the action on a closed one. */
export function refundSection(deps: Deps, s: PaymentStory, ctx: Pick<SectionContext, "csrf" | "can">): SafeHtml | string {
  const p = s.payment;
  if (s.refund) return refundMade(s.refund, ctx);
  if (p.dialect !== "trading" || p.status !== "closed" || !ctx.can("refunds")) return "";
  const amount = fiat(p.fiatMinor, p.fiatCurrency);
  return html`<section class="card" id="refund"><h2>Refund</h2>${confirmAction({
    label: "Refund the payment",
    summaryClass: "secondary",
    action: `${pagePath(p.id)}/refund`,
    csrf: ctx.csrf,
    effect: html`The pay-in's credit is reversed on the ledger: what it credited the merchant (fee included) leaves the merchant's balance and
returns to the trader's deposit, and the merchant is notified. The payer's ${amount} is in the trader's bank account: the refund is kept as
owed to the payer (pending) until you record its bank payment here. A pay-in is refunded once, in full.`,
    fields: html`<label for="refund-reason">Reason (kept with the refund)</label><input id="refund-reason" name="reason" minlength="3" maxlength="140" required>
${stepUpField(deps, tradingFiatMoved(p.fiatMinor, p.fiatCurrency), `${p.id}-refund`)}`,
    yes: html`Yes, refund ${amount}`,
    danger: true,
  })}</section>`;
}

export function paymentRefundRoutes(app: FastifyInstance, deps: Deps): void {
  const config = { permission: "refunds" as const };
  const id = { type: "string", pattern: UUID_PATTERN };
  app.post<{ Params: { id: string }; Body: { reason?: unknown } }>(
    "/dashboard/payments/:id/refund",
    { schema: { hide: true, params: { type: "object", properties: { id }, required: ["id"] } }, config },
    async (request, reply) =>
      runFormAction(reply, pagePath(request.params.id), async () => {
        const payin = await payinForSupport(deps, request.params.id);
        await requireStepUp(deps, request, tradingFiatMoved(payin.fiat_amount_minor, payin.fiat_currency));
        const r = await refundPaymentAsOperator(deps, payin.id, operatorOf(request), request.body?.reason);
        return `Refund ${r.id} made: ${r.fiatAmount} ${r.fiatCurrency} is owed to the payer (${r.status}).`;
      }),
  );
  const params = { type: "object", properties: { id, refundId: { type: "string", pattern: "^prf_[0-9A-Za-z]{1,60}$" } }, required: ["id", "refundId"] } as const;
  for (const step of ["sent", "completed"] as const) {
    app.post<{ Params: { id: string; refundId: string }; Body: { bankReference?: unknown } }>(
      `/dashboard/payments/:id/refund/:refundId/${step}`,
      { schema: { hide: true, params }, config },
      async (request, reply) =>
        runFormAction(reply, pagePath(request.params.id), async () => {
          const r = await advancePaymentRefund(deps, request.params.refundId, step === "sent" ? "send" : "complete", request.body?.bankReference);
          return `Refund ${r.id} is now ${r.status}.`;
        }),
    );
  }
}
