// The trader cabinet's one page, in the trader's language (catalogue namespace `cabinet`): open
// pay-ins with a countdown, the payer's "I have paid" claim and a confirmation step that shows the
// amount and the payer before Confirm received; disputes with the payer's receipt previewed inline;
// requisites as cards whose switches stay on screen at 390 px; the deposit. The open and dispute
// lists (#live-lists) are re-rendered by the server when the database announces a change to one of
// the trader's pay-ins (cabinet-live.ts), and the page swaps them in without a reload.
import { TRADING_FIAT_SCALE } from "../../../app/trading/amounts.js";
import type { DepositAddressView } from "../../../app/trading/deposit-address.js";
import type { PayinWithReceipts } from "../../../app/trading/support-queries.js";
import type { TraderView } from "../../../app/trading/trader-overview.js";
import type { TradingPayinRow } from "../../../db/trading/payins.js";
import { usdt } from "../format.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import { languageSwitch, type Messages } from "../i18n.js";

export interface CabinetView {
  trader: TraderView;
  open: TradingPayinRow[];
  disputes: PayinWithReceipts[];
  csrf: string;
  /** The trader's own address for on-chain deposits; null when the platform takes none. */
  depositAddress: DepositAddressView | null;
}

const csrfField = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function requisiteLabel(v: CabinetView, requisiteId: string): string {
  const r = v.trader.requisites.find((x) => x.id === requisiteId);
  return r ? `${r.bankCode} · ${r.number ?? r.sbpPhone ?? ""}` : requisiteId;
}

function payerOf(p: TradingPayinRow, m: Messages): string {
  const userId = (p.extra as { payerInfo?: { userId?: unknown } } | null)?.payerInfo?.userId;
  return typeof userId === "string" || typeof userId === "number" ? String(userId) : m.t("payin.unknownPayer");
}

const amountOf = (m: Messages, minor: string, currency: string) => m.money(minor, currency, TRADING_FIAT_SCALE);

function row(label: string, value: SafeHtml | string, cls = ""): SafeHtml {
  return html`<div class="row"><span class="muted">${label}</span><span class="${cls}">${value}</span></div>`;
}

function openCard(v: CabinetView, m: Messages, p: TradingPayinRow): SafeHtml {
  const amount = amountOf(m, p.fiat_amount_minor, p.fiat_currency);
  const claimed = p.payer_claimed_at !== null;
  return html`<article class="card" data-payin="${p.id}" data-claimed="${claimed ? "1" : ""}"
 data-alert-new="${m.t("alerts.newPayin", { amount })}" data-alert-claim="${m.t("alerts.claim", { amount })}">
<div class="row"><span class="big">${amount}</span><span class="status ${claimed ? "ok" : "warn"}">${m.t(claimed ? "payin.claimed" : "payin.waiting")}</span></div>
${claimed ? html`<p class="claim notice">${m.t("payin.claimedAt", { time: m.dateTime(p.payer_claimed_at!) })}</p>` : ""}
${row(m.t("payin.to"), requisiteLabel(v, p.requisite_id), "mono")}
${row(m.t("payin.payer"), payerOf(p, m))}
${row(m.t("payin.expiresIn"), html`<span class="mono" data-expires="${p.expires_at.toISOString()}">--:--</span>`)}
${row(m.t("payin.id"), p.id, "mono small-id")}
<details class="confirm"><summary class="btn">${m.t("payin.confirm")}</summary>
<form method="post" action="/cabinet/pay-ins/${p.id}/confirm">${csrfField(v.csrf)}
<p>${m.t("payin.confirmCheck", { amount, payer: payerOf(p, m), requisite: requisiteLabel(v, p.requisite_id) })}</p>
<p><button type="submit">${m.t("payin.confirmYes")}</button></p></form></details></article>`;
}

function receiptPreview(m: Messages, r: PayinWithReceipts["receipts"][number]): SafeHtml {
  const url = `/cabinet/receipts/${r.invoiceKey}`;
  const image = r.contentType === "image/png" || r.contentType === "image/jpeg";
  return html`<div class="receipt">${image ? html`<img src="${url}?inline=1" alt="${m.t("receipt.preview")}" loading="lazy">` : ""}
<a href="${url}" download>${m.t("receipt.download")} (${r.contentType === "application/pdf" ? "PDF" : r.contentType === "image/png" ? "PNG" : "JPEG"})</a></div>`;
}

function disputeCard(v: CabinetView, m: Messages, { payin: p, receipts }: PayinWithReceipts): SafeHtml {
  const theirs = receipts.filter((r) => r.uploadedBy !== "trader");
  const amount = amountOf(m, p.fiat_amount_minor, p.fiat_currency);
  const action =
    p.status === "dispute"
      ? html`<form method="post" action="/cabinet/pay-ins/${p.id}/review">${csrfField(v.csrf)}<p><button type="submit">${m.t("dispute.openReview")}</button></p></form>`
      : html`<form method="post" action="/cabinet/pay-ins/${p.id}/answer" enctype="multipart/form-data">${csrfField(v.csrf)}
<label for="amount-${p.id}">${m.t("dispute.amount")}</label><input id="amount-${p.id}" name="fiatAmount" inputmode="decimal" autocomplete="off" required>
<label for="file-${p.id}">${m.t("dispute.yourReceipt")} <span class="muted">(${m.t("common:fileTypes")})</span></label><input id="file-${p.id}" name="file" type="file" accept="application/pdf,image/png,image/jpeg" required>
<p><button type="submit">${m.t("dispute.send")}</button></p></form>
${p.dispute_trader_invoice_key ? html`<p class="muted">${m.t("dispute.answered", { amount: amountOf(m, p.dispute_trader_fiat_minor, p.fiat_currency) })}</p>` : ""}`;
  return html`<article class="card" data-payin="${p.id}" data-claimed="" data-alert-new="${m.t("alerts.claim", { amount })}" data-alert-claim="">
<div class="row"><span class="big">${amount}</span><span class="status bad">${m.t(p.status === "dispute" ? "dispute.disputed" : "dispute.review")}</span></div>
${row(m.t("dispute.claimed"), amountOf(m, p.dispute_merchant_fiat_minor, p.fiat_currency), "mono")}
${row(m.t("payin.to"), requisiteLabel(v, p.requisite_id), "mono")}
${row(m.t("payin.payer"), payerOf(p, m))}
${row(m.t("dispute.opened"), p.dispute_opened_at ? m.dateTime(p.dispute_opened_at) : "—")}
${theirs.length > 0 ? html`<h3>${m.t("payin.receipt")}</h3>${theirs.map((r) => receiptPreview(m, r))}` : ""}
${action}</article>`;
}

/** The part that changes live: open pay-ins and disputes. */
export function cabinetLists(v: CabinetView, m: Messages): SafeHtml {
  return html`<section aria-labelledby="open"><h2 id="open">${m.t("open.heading")} <span class="muted">(${v.open.length})</span></h2>
${v.open.length === 0 ? html`<div class="card"><p class="muted">${m.t("open.none")}</p></div>` : v.open.map((p) => openCard(v, m, p))}</section>
<section aria-labelledby="disputes"><h2 id="disputes">${m.t("disputes.heading")} <span class="muted">(${v.disputes.length})</span></h2>
${v.disputes.length === 0 ? html`<div class="card"><p class="muted">${m.t("disputes.none")}</p></div>` : v.disputes.map((d) => disputeCard(v, m, d))}</section>`;
}

function requisites(v: CabinetView, m: Messages): SafeHtml {
  const t = v.trader;
  if (t.requisites.length === 0) return html`<div class="card"><p class="muted">${m.t("requisites.none")}</p></div>`;
  return html`${t.requisites.map(
    (r) => html`<article class="card" data-requisite="${r.id}">
<div class="row"><strong>${r.bankCode} · ${r.method}</strong><span class="status ${r.enabled ? "ok" : "bad"}">${m.t(r.enabled ? "requisites.enabled" : "requisites.disabled")}</span></div>
<div class="row"><span class="mono wrap">${r.number ?? r.sbpPhone ?? ""}</span><span>${r.ownerName}</span></div>
<div class="row"><span class="muted">${m.t("requisites.open", { open: r.openPayins, max: r.maxOpenPayins })}</span>
<form class="inline" method="post" action="/cabinet/requisites/${r.id}/switch">${csrfField(v.csrf)}
<input type="hidden" name="enabled" value="${r.enabled ? "false" : "true"}"><button class="small secondary" type="submit">${m.t(r.enabled ? "requisites.disable" : "requisites.enable")}</button></form></div></article>`,
  )}`;
}

function depositAddress(a: DepositAddressView, m: Messages): SafeHtml {
  return html`<h3>${m.t("deposit.address")}</h3>
<p class="mono wrap" id="deposit-address">${a.address}</p>
<p class="muted">${m.t("deposit.addressHint", { asset: a.asset, chainId: a.chainId, confirmations: a.confirmations })}</p>`;
}

export function cabinetBody(v: CabinetView, m: Messages, url: string, notice: SafeHtml | string): SafeHtml {
  const t = v.trader;
  return html`${languageSwitch(m, url)}
<header class="card"><h1>${m.t("title")} · ${t.name}</h1>
<nav aria-label="${m.t("nav.label")}" class="sections"><a href="#open">${m.t("nav.open")}</a><a href="#disputes">${m.t("nav.disputes")}</a><a href="#requisites">${m.t("nav.requisites")}</a></nav>
<div class="actions"><button type="button" class="secondary small" id="alerts-btn" data-on="${m.t("alerts.on")}">${m.t("alerts.enable")}</button>
<form method="post" action="/cabinet/logout" class="inline">${csrfField(v.csrf)}<button class="secondary small" type="submit">${m.t("signOut")}</button></form></div></header>
${notice}
<div id="live" role="status" aria-live="polite" class="visually-hidden"></div>
<div id="live-lists">${cabinetLists(v, m)}</div>
<section aria-labelledby="deposit-h" class="card"><h2 id="deposit-h">${m.t("deposit.heading")}</h2>
<div class="row"><span class="muted">${m.t("deposit.free")}</span><span class="mono" id="deposit-free">${usdt(t.depositAvailable)}</span></div>
<div class="row"><span class="muted">${m.t("deposit.held")}</span><span class="mono">${usdt(t.depositHeld)}</span></div>
${v.depositAddress ? depositAddress(v.depositAddress, m) : ""}</section>
<section aria-labelledby="requisites"><h2 id="requisites">${m.t("requisites.heading")}</h2>${requisites(v, m)}</section>`;
}

export function cabinetLoginForm(m: Messages, url: string, error?: string): SafeHtml {
  return html`${languageSwitch(m, url)}<div class="card"><h1>${m.t("login.title")}</h1>
<form method="post" action="/cabinet/login">
<label for="key">${m.t("login.key")}</label><input id="key" name="key" type="password" autocomplete="off" required placeholder="rtr_..." ${error ? raw('aria-invalid="true" aria-describedby="key-error"') : ""}>
${error ? html`<p class="error" id="key-error">${error}</p>` : ""}
<p><button type="submit">${m.t("login.submit")}</button></p></form></div>`;
}

/** The page script: countdowns, live lists over server-sent events, and opt-in alerts. */
export function cabinetScript(serverNow: Date, lang: string): SafeHtml {
  return html`const S=${jsonForScript({ serverNow: serverNow.toISOString(), lang })};${raw(SCRIPT)}`;
}

// Plain ES2017. The event stream only says "something of yours changed"; the lists are fetched again
// (server-rendered in the trader's language) and swapped in. A new pay-in or a new claim rings a short
// tone and shows a browser notification once the trader turned alerts on (a click is needed for both).
const SCRIPT = `
(function(){
var $=function(id){return document.getElementById(id)};
var offset=Date.parse(S.serverNow)-Date.now(),audio=null,alerts=false;
function pad(n){return n<10?"0"+n:""+n}
function tick(){
  var els=document.querySelectorAll("[data-expires]");
  for(var i=0;i<els.length;i++){var left=Math.max(0,Math.floor((Date.parse(els[i].getAttribute("data-expires"))-(Date.now()+offset))/1000));
    els[i].textContent=pad(Math.floor(left/60))+":"+pad(left%60);els[i].className="mono"+(left<120?" error":"");}
}
function known(){var m={},els=document.querySelectorAll("#live-lists [data-payin]");
  for(var i=0;i<els.length;i++)m[els[i].getAttribute("data-payin")]=els[i];return m}
function ring(text){
  $("live").textContent=text;
  if(!alerts)return;
  try{var o=audio.createOscillator(),g=audio.createGain();o.frequency.value=880;g.gain.value=0.15;o.connect(g);g.connect(audio.destination);o.start();o.stop(audio.currentTime+0.25);}catch(_){}
  if(window.Notification&&Notification.permission==="granted"){try{new Notification(text)}catch(_){}}
}
function refresh(){
  var before=known();
  fetch("/cabinet/live?lang="+S.lang,{cache:"no-store",credentials:"same-origin"}).then(function(r){return r.ok?r.text():null}).then(function(t){
    if(t===null)return;
    var open=document.activeElement&&document.activeElement.closest&&document.activeElement.closest("#live-lists form");
    if(open)return; // never swap a form away under the trader's hands; the next change refreshes
    $("live-lists").innerHTML=t;tick();
    var after=known();
    for(var id in after){var el=after[id];
      if(!before[id])ring(el.getAttribute("data-alert-new"));
      else if(el.getAttribute("data-claimed")&&!before[id].getAttribute("data-claimed"))ring(el.getAttribute("data-alert-claim"));}
  }).catch(function(){});
}
$("alerts-btn").addEventListener("click",function(){
  var b=this;alerts=true;
  try{audio=new (window.AudioContext||window.webkitAudioContext)()}catch(_){}
  var done=function(){b.textContent=b.getAttribute("data-on");b.setAttribute("aria-pressed","true")};
  if(window.Notification&&Notification.permission==="default")Notification.requestPermission().then(done,done);else done();
});
// On (re)connecting, refresh too: a change made while the stream was down was not announced.
if(window.EventSource){var es=new EventSource("/cabinet/events");es.onmessage=refresh;es.onopen=refresh;}
tick();setInterval(tick,1000);
})();`;
