// One payment's page in the console: what it is (flow, amounts, parties, the flow's own references),
// the actions its state allows (release or reject a risk review, decide a dispute, cancel, refund), and its story
// (payment-timeline.ts). Payer data as the console shows it elsewhere: the e-mail, and of a card only
// its BIN and last four digits.
import type { Deps } from "../../app/deps.js";
import { operatorMayCancel } from "../../app/payments/operator-cancel.js";
import type { PaymentStory } from "../../app/payments/payment-story.js";
import { ledgerAssetScale } from "../../app/ledger/ledger-totals.js";
import { formatMinor } from "../../core/money/decimal.js";
import { money, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { confirmAction } from "./confirm-action.js";
import { disputeDecisionForms } from "./disputes-section.js";
import { refundSection } from "./payment-refund-actions.js";
import { riskReviewForms } from "./risk-review-actions.js";
import { bankTransfers, kycCase, ledger, receipts, riskDecision, statusChanges, webhooks } from "./payment-timeline.js";
import type { SectionContext } from "./section.js";
import { statusPill } from "./status-pill.js";

type Ctx = Pick<SectionContext, "csrf" | "can">;

const row = (label: string, value: SafeHtml | string | null | undefined): SafeHtml =>
  value === null || value === undefined || value === "" ? html`` : html`<div class="row"><span>${label}</span><span class="wrap">${value}</span></div>`;
const mono = (v: string | null | undefined) => (v ? html`<span class="mono">${v}</span>` : null);

/** A card number as the console shows it: BIN and last four (the stored mask keeps no more). */
const binAndLast4 = (masked: string) => `${masked.slice(0, 6)} … ${masked.slice(-4)}`;

function flowRows(s: PaymentStory): SafeHtml[] {
  const d = s.details;
  if (!d) return [];
  if ("requisite_id" in d) {
    return [row("Bank · method", `${d.bank_code} · ${d.method}`), row("Requisite", mono(d.requisite_id)), row("Expires", when(d.expires_at)), row("Closed", d.closed_at ? when(d.closed_at) : null)];
  }
  if ("payment_method" in d) {
    return [
      row("Payment method", d.payment_method),
      row("Bank reference", mono(d.reference)),
      row("Payment window ends", d.window_ends_at ? when(d.window_ends_at) : null),
      row("Crypto delivery", d.payout_status ? html`${d.payout_status}${d.payout_tx_hash ? html` · ${mono(d.payout_tx_hash)}` : ""}` : null),
      row("Tx hash", mono(d.tx_hash)),
    ];
  }
  return [
    row("Card", mono(binAndLast4(d.masked_pan))),
    row("Customer's KYC level", d.kyc_level),
    row("Acquirer reference", mono(d.provider_ref)),
    row("Completed", d.completed_at ? when(d.completed_at) : null),
  ];
}

function summary(s: PaymentStory): SafeHtml {
  const p = s.payment;
  const scale = ledgerAssetScale(p.cryptoCurrency.toUpperCase()); // trading stores the asset in lower case
  const crypto = scale === null ? `${p.cryptoMinor} (minor units)` : formatMinor(BigInt(p.cryptoMinor), scale);
  return html`<section class="card" id="summary" data-dialect="${p.dialect}" data-status="${p.status}">
<p class="mono wrap" id="payment-id">${p.id}</p>
${row("Flow", p.dialect)}${row("Status", statusPill(p.status))}
${row("Amount", html`<span class="mono">${money(p.fiatMinor, p.fiatCurrency)} · ${crypto} ${p.cryptoCurrency} (${p.cryptoNetwork})</span>`)}
${row("Merchant", html`${p.merchantName} ${mono(p.merchantId)}`)}${row("Store", mono(p.storeId))}${row("Trader", mono(p.traderId))}
${row(p.dialect === "trading" ? "External id" : p.dialect === "intent" ? "Order number" : "Offer id", mono(p.externalId))}
${row("Payer", p.payer)}${row("Risk", p.risk)}${row("Created", when(p.createdAt))}
${flowRows(s)}</section>`;
}

/** The operator's cancel, in a state that allows it, behind a confirmation that says what it does. */
function cancelAction(s: PaymentStory, ctx: Ctx): SafeHtml | string {
  const p = s.payment;
  if (!ctx.can("payments.manage") || p.dialect === "card" || !operatorMayCancel(p.dialect, p.status)) return "";
  const effect =
    p.dialect === "trading"
      ? "The pay-in is cancelled by support and the trader's hold on their deposit is voided; the merchant is notified of the new status."
      : "The intent is cancelled (status 14); the merchant is notified of the new status. Nothing was paid, so nothing is refunded.";
  return html`<section class="card" id="cancel"><h2>Cancel</h2>${confirmAction({
    label: "Cancel the payment",
    summaryClass: "secondary",
    action: `/dashboard/payments/${p.id}/cancel`,
    csrf: ctx.csrf,
    effect,
    yes: "Yes, cancel it",
    danger: true,
  })}</section>`;
}

/** The dispute decisions, when the pay-in's state allows them and the role may take them. */
function disputeActions(deps: Deps, s: PaymentStory, ctx: Ctx): SafeHtml | string {
  const p = s.payment;
  const d = s.details;
  if (p.dialect === "trading" && d && "requisite_id" in d && (p.status === "dispute" || p.status === "checking") && ctx.can("disputes.decide")) {
    const decided = { id: p.id, status: p.status, fiatMinor: p.fiatMinor, fiatCurrency: p.fiatCurrency, claimedFiatMinor: d.dispute_merchant_fiat_minor };
    return html`<section class="card" id="actions"><h2>Decide the dispute</h2>${disputeDecisionForms(deps, decided, ctx.csrf, `/dashboard/payments/${p.id}`)}</section>`;
  }
  return "";
}

export function paymentPage(deps: Deps, s: PaymentStory, ctx: Ctx): SafeHtml {
  return html`<p><a href="/dashboard/payments">All payments</a></p>${summary(s)}${riskReviewForms(s, ctx)}${disputeActions(deps, s, ctx)}${cancelAction(s, ctx)}${refundSection(deps, s, ctx)}${statusChanges(s)}${webhooks(s, ctx)}${ledger(s)}${bankTransfers(s)}
${kycCase(s, ctx)}${riskDecision(s)}${receipts(s)}`;
}
