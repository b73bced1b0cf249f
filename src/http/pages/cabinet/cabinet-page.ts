// The trader cabinet's one page: open pay-ins to confirm, disputes waiting for the trader, requisites
// and the deposit. Cards rather than wide tables, so it reads on a phone.
import type { PayinWithReceipts } from "../../../app/trading/support-queries.js";
import type { TraderView } from "../../../app/trading/trader-overview.js";
import type { TradingPayinRow } from "../../../db/trading/payins.js";
import { fiat, usdt, when } from "../format.js";
import { html, type SafeHtml } from "../html.js";
import { requisitesTable } from "../requisites-table.js";

interface CabinetView {
  trader: TraderView;
  open: TradingPayinRow[];
  disputes: PayinWithReceipts[];
  csrf: string;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function requisiteLabel(v: CabinetView, requisiteId: string): string {
  const r = v.trader.requisites.find((x) => x.id === requisiteId);
  return r ? `${r.bankCode} · ${r.method} · ${r.number ?? r.sbpPhone ?? ""}` : requisiteId;
}

function openCard(v: CabinetView, p: TradingPayinRow): SafeHtml {
  return html`<div class="card" data-payin="${p.id}">
<div class="row"><span class="big">${fiat(p.fiat_amount_minor, p.fiat_currency)}</span><span class="status warn">waiting</span></div>
<div class="row"><span>To</span><span class="mono">${requisiteLabel(v, p.requisite_id)}</span></div>
<div class="row"><span>Expires</span><span>${when(p.expires_at)}</span></div>
<div class="row"><span>Pay-in</span><span class="mono">${p.id}</span></div>
<form method="post" action="/cabinet/pay-ins/${p.id}/confirm">${csrfField(v.csrf)}
<p><button type="submit">Confirm received</button></p></form></div>`;
}

function disputeCard(v: CabinetView, { payin: p, receipts }: PayinWithReceipts): SafeHtml {
  const theirs = receipts.filter((r) => r.uploadedBy !== "trader");
  const action =
    p.status === "dispute"
      ? html`<form method="post" action="/cabinet/pay-ins/${p.id}/review">${csrfField(v.csrf)}<p><button type="submit">Open review</button></p></form>`
      : html`<form method="post" action="/cabinet/pay-ins/${p.id}/answer" enctype="multipart/form-data">${csrfField(v.csrf)}
<label for="amount-${p.id}">Amount that arrived</label><input id="amount-${p.id}" name="fiatAmount" inputmode="decimal" placeholder="0.00" required>
<label for="file-${p.id}">Your receipt (PDF, PNG or JPEG, up to 10 MB)</label><input id="file-${p.id}" name="file" type="file" accept="application/pdf,image/png,image/jpeg" required>
<p><button type="submit">Send answer</button></p></form>
${p.dispute_trader_invoice_key ? html`<p class="muted">You answered ${fiat(p.dispute_trader_fiat_minor, p.fiat_currency)}; you may answer again until support decides.</p>` : ""}`;
  return html`<div class="card" data-payin="${p.id}">
<div class="row"><span class="big">${fiat(p.fiat_amount_minor, p.fiat_currency)}</span><span class="status bad">${p.status === "dispute" ? "disputed" : "under review"}</span></div>
<div class="row"><span>Claimed as paid</span><span class="mono">${fiat(p.dispute_merchant_fiat_minor, p.fiat_currency)}</span></div>
<div class="row"><span>To</span><span class="mono">${requisiteLabel(v, p.requisite_id)}</span></div>
<div class="row"><span>Opened</span><span>${when(p.dispute_opened_at)}</span></div>
<div class="row"><span>Their receipt</span><span>${
    theirs.length === 0 ? "—" : theirs.map((r) => html`<a href="/cabinet/receipts/${r.invoiceKey}" download>${r.contentType}</a> `)
  }</span></div>
${action}</div>`;
}

export function cabinetBody(v: CabinetView): SafeHtml {
  const t = v.trader;
  return html`<nav class="card"><strong>${t.name}</strong>
<a href="#open">Open (${v.open.length})</a><a href="#disputes">Disputes (${v.disputes.length})</a><a href="#requisites">Requisites</a>
<form method="post" action="/cabinet/logout" style="display:inline;float:right">${csrfField(v.csrf)}<button class="secondary small" type="submit">Sign out</button></form></nav>
<div class="card"><h2>Deposit</h2>
<div class="row"><span>Free</span><span class="mono" id="deposit-free">${usdt(t.depositAvailable)}</span></div>
<div class="row"><span>Held by open pay-ins</span><span class="mono">${usdt(t.depositHeld)}</span></div></div>
<h2 id="open">Open pay-ins</h2>
${v.open.length === 0 ? html`<div class="card"><p class="muted">Nothing waiting.</p></div>` : v.open.map((p) => openCard(v, p))}
<h2 id="disputes">Disputes waiting for you</h2>
${v.disputes.length === 0 ? html`<div class="card"><p class="muted">No disputes.</p></div>` : v.disputes.map((d) => disputeCard(v, d))}
<h2 id="requisites">My requisites</h2>
<div class="card">${requisitesTable(t, v.csrf, (id) => `/cabinet/requisites/${id}/switch`)}</div>`;
}

export function cabinetLoginForm(error?: string): SafeHtml {
  return html`<div class="card"><h1>Trader sign-in</h1>
<form method="post" action="/cabinet/login">
<label for="key">Trader key</label><input id="key" name="key" type="password" autocomplete="off" required placeholder="rtr_...">
${error ? html`<p class="error">${error}</p>` : ""}
<p><button type="submit">Sign in</button></p></form></div>`;
}
