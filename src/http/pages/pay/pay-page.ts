// The hosted payer page of a trading pay-in (`externalPaymentPageUrl`), in the payer's language
// (catalogue namespace `pay`): who is paid and for which order, the amount, the bank by name, the
// requisite with copy buttons and the steps for its method, a live countdown, "I have paid" (a claim
// the trader and the merchant see), a receipt upload at any time the pay-in can be disputed, and
// support's decisions with their reasons. The dynamic part (#panel) is re-rendered by the server
// whenever the pay-in changes (/pay/{id}/panel), so every word stays in the catalogue.
import { TRADING_FIAT_SCALE } from "../../../app/trading/amounts.js";
import type { PayerStage, PayerView } from "../../../app/trading/payer-view.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import { languageSwitch, type Messages } from "../i18n.js";
import { page } from "../layout.js";
import { COPY_BUTTONS_SCRIPT } from "../page-scripts.js";

/** Which label and steps a method's requisite gets: the method catalogue's codes, by how one pays. */
function requisiteKind(method: string): { label: string; steps: string } {
  switch (method) {
    case "sbp":
    case "cross_sbp":
      return { label: "details.phone", steps: "steps.phone" };
    case "card":
    case "transgran":
      return { label: "details.card", steps: "steps.card" };
    case "iban":
      return { label: "details.iban", steps: "steps.account" };
    case "qr":
      return { label: "details.qr", steps: "steps.qr" };
    default:
      return { label: "details.account", steps: "steps.account" };
  }
}

const STATUS_CLASS: Record<PayerStage, string> = {
  waiting: "",
  claimed: "warn",
  in_review: "warn",
  paid: "ok",
  recalculating: "ok",
  expired: "bad",
  merchant_canceled: "bad",
  not_paid: "bad",
};

const isActive = (v: PayerView) => v.stage === "waiting" || v.stage === "claimed";

function copyRow(m: Messages, label: string, shown: string, value: string, id: string): SafeHtml {
  return html`<div class="row copy-row"><div><div class="muted">${label}</div><div class="mono big" id="${id}">${shown}</div></div>
<button type="button" class="secondary" data-copy="${value}" data-copied="${m.t("common:copied")}" aria-label="${m.t("common:copy")}: ${label}">${m.t("common:copy")}</button></div>`;
}

function plainRow(label: string, value: string, id: string): SafeHtml {
  return html`<div class="row"><div><div class="muted">${label}</div><div id="${id}">${value}</div></div></div>`;
}

function details(v: PayerView, m: Messages, amount: string): SafeHtml {
  const r = v.payin.requisite;
  const kind = requisiteKind(r.method);
  const value = r.sbpNumber ?? r.requisites ?? "";
  return html`<section class="card" id="details" aria-labelledby="details-h">
<h2 id="details-h">${m.t("details.heading")}</h2>
${copyRow(m, m.t("details.amount"), amount, v.payin.fiatAmount, "req-amount")}
${copyRow(m, m.t(kind.label), value, value, "req-number")}
${plainRow(m.t("details.bank"), v.bankName, "req-bank")}
${plainRow(m.t("details.recipient"), r.ownerName, "req-owner")}
<h3>${m.t("steps.heading")}</h3>
<ol id="steps">
<li>${m.t(kind.steps, { bank: v.bankName })}</li>
<li>${m.t("steps.check", { owner: r.ownerName, amount })}</li>
${v.stage === "waiting" ? html`<li>${m.t("steps.claim")}</li>` : ""}
</ol>
${
  v.stage === "waiting"
    ? html`<form method="post" action="/pay/${v.payin.id}/claim" id="claim-form"><p><button type="submit" id="paid-btn">${m.t("claim.button")}</button></p></form>`
    : ""
}
</section>`;
}

function decisions(v: PayerView, m: Messages): SafeHtml | string {
  if (v.decisions.length === 0) return "";
  return html`<section class="card" id="decisions" aria-labelledby="decisions-h"><h2 id="decisions-h">${m.t("decisions.heading")}</h2><ul class="plain">
${v.decisions.map(
  (d) => html`<li data-outcome="${d.outcome}"><strong>${m.t(`decisions.${d.outcome}`, {
    amount: d.fiatMinor ? m.money(d.fiatMinor, v.payin.fiatCurrency, TRADING_FIAT_SCALE) : "",
  })}</strong> <span class="muted">· ${m.dateTime(d.at)}</span>${d.reason ? html`<br><span class="reason">${m.t("decisions.reason", { reason: d.reason })}</span>` : ""}</li>`,
)}</ul></section>`;
}

function receiptForm(v: PayerView, m: Messages, amountExample: string): SafeHtml | string {
  if (!v.dispute.allowed) {
    return v.stage === "not_paid" ? html`<section class="card" id="receipt"><p id="no-more">${m.t("receipt.noMore", { merchant: v.merchantName })}</p></section>` : "";
  }
  const intro = isActive(v)
    ? m.t("receipt.whileActive")
    : v.dispute.needsNewReceipt
      ? m.t("receipt.again", { count: v.dispute.reopensLeft })
      : m.t("receipt.afterClose");
  return html`<section class="card" id="receipt" aria-labelledby="receipt-h">
<h2 id="receipt-h">${m.t("receipt.heading")}</h2>
<p class="muted" id="receipt-intro">${intro}</p>
<form id="receipt-form" method="post" action="/pay/${v.payin.id}/receipt" enctype="multipart/form-data" novalidate>
<label for="receipt-file">${m.t("receipt.file")} <span class="muted">(${m.t("common:fileTypes")})</span></label>
<input id="receipt-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg" required aria-describedby="receipt-error">
<label for="receipt-amount">${m.t("receipt.amount")}</label>
<input id="receipt-amount" name="fiatAmount" inputmode="decimal" autocomplete="off" value="${amountExample}" required aria-describedby="receipt-error">
<p><button type="submit">${m.t("receipt.submit")}</button></p>
<p id="receipt-error" class="error" role="alert"></p>
</form></section>`;
}

/** The part of the page that changes with the pay-in; its data-* attributes drive the script. */
export function renderPayPanel(v: PayerView, m: Messages): SafeHtml {
  const p = v.payin;
  const amount = m.money(v.fiatMinor, p.fiatCurrency, TRADING_FIAT_SCALE);
  const stageText = m.t(`text.${v.stage}`, { merchant: v.merchantName, amount });
  return html`<div id="panel-state" data-version="${v.version}" data-status="${p.status}" data-stage="${v.stage}" data-expires="${p.expiresAt}" data-active="${isActive(v) ? "1" : ""}" hidden></div>
<section class="card" aria-labelledby="title">
<h1 id="title">${m.t("title", { amount })}</h1>
${v.merchantName ? html`<p class="meta"><span class="muted">${m.t("payTo")}:</span> <strong id="merchant">${v.merchantName}</strong></p>` : ""}
${v.orderReference ? html`<p class="meta"><span class="muted">${m.t("order")}:</span> <span class="mono" id="order-ref">${v.orderReference}</span></p>` : ""}
<p><span id="status" class="status ${STATUS_CLASS[v.stage]}" data-status="${p.status}" data-stage="${v.stage}">${m.t(`status.${v.stage}`)}</span></p>
<p id="stage-text">${stageText}</p>
${v.claimedAt && isActive(v) ? html`<p class="muted" id="claimed-at">${m.t("claim.at", { time: m.dateTime(v.claimedAt) })}</p>` : ""}
${isActive(v) ? html`<p id="countdown-line" class="muted">${m.t("common:timeLeft")}: <strong id="countdown" class="mono">--:--</strong></p>` : ""}
</section>
${decisions(v, m)}
${isActive(v) ? details(v, m, amount) : ""}
${receiptForm(v, m, m.number(p.fiatAmount))}
${v.returnUrl ? html`<p class="back"><a id="back-to-shop" href="${v.returnUrl}" rel="noreferrer">${m.t("backToShop", { merchant: v.merchantName || v.returnUrl })}</a></p>` : ""}`;
}

export function renderPayPage(v: PayerView, m: Messages, url: string, serverNow: Date): string {
  const body = html`${languageSwitch(m, url)}
<div id="live" role="status" aria-live="polite" class="visually-hidden"></div>
<div id="panel">${renderPayPanel(v, m)}</div>`;
  const state = jsonForScript({
    id: v.payin.id,
    serverNow: serverNow.toISOString(),
    lang: m.lang,
    msg: {
      failed: m.t("receipt.failed"),
      needFile: m.t("receipt.needFile"),
      needAmount: m.t("receipt.needAmount", { example: m.number(v.payin.fiatAmount) }),
      badFile: m.t("receipt.badFile"),
      usedBefore: m.t("receipt.usedBefore"),
      network: m.t("common:networkError"),
    },
  });
  const amount = m.money(v.fiatMinor, v.payin.fiatCurrency, TRADING_FIAT_SCALE);
  return page(m.t("title", { amount }), body, { script: html`const S=${state};${raw(COPY_BUTTONS_SCRIPT)}${raw(SCRIPT)}`, lang: m.lang });
}

// Plain ES2017, no dependencies. The clock offset makes the countdown follow the server's time; the
// countdown is its own here (not COUNTDOWN_SCRIPT) because #countdown is replaced with the panel. The
// status poll is cheap; when the pay-in changed (version or status), the panel is fetched again in
// the same language and swapped in, and the new status is read out once through #live.
const SCRIPT = `
(function(){
var $=function(id){return document.getElementById(id)};
var offset=Date.parse(S.serverNow)-Date.now(), st=$("panel-state"), busy=false;
function pad(n){return n<10?"0"+n:""+n}
function tick(){
  var c=$("countdown");if(!c||!st.getAttribute("data-active"))return;
  var left=Math.max(0,Math.floor((Date.parse(st.getAttribute("data-expires"))-(Date.now()+offset))/1000));
  var h=Math.floor(left/3600),mm=Math.floor(left%3600/60),ss=left%60;
  c.textContent=(h?h+":"+pad(mm):pad(mm))+":"+pad(ss);
  c.className="mono"+(left<120?" error":"");
  if(left===0)poll();
}
function refresh(announce){
  fetch("/pay/"+S.id+"/panel?lang="+S.lang,{cache:"no-store"}).then(function(r){return r.ok?r.text():null}).then(function(t){
    if(t===null)return;$("panel").innerHTML=t;st=$("panel-state");tick();
    if(announce)$("live").textContent=$("status").textContent+". "+$("stage-text").textContent;
  }).catch(function(){});
}
function poll(){
  if(busy)return;busy=true;
  fetch("/pay/"+S.id+"/status",{cache:"no-store"}).then(function(r){return r.ok?r.json():null}).then(function(j){
    busy=false;
    if(j&&(String(j.version)!==st.getAttribute("data-version")||j.status!==st.getAttribute("data-status")))refresh(true);
  }).catch(function(){busy=false});
}
function errorText(j){
  if(!j)return S.msg.failed;
  if(j.error==="dispute_needs_new_receipt")return S.msg.usedBefore;
  if(j.error==="body_too_large"||j.error==="unsupported_media_type")return S.msg.badFile;
  if(j.field==="fiatAmount"||j.error==="invalid_amount")return S.msg.needAmount;
  if(j.field==="file")return S.msg.needFile;
  return S.msg.failed;
}
document.addEventListener("submit",function(e){
  var f=e.target;
  if(f.id==="claim-form"){
    e.preventDefault();f.querySelector("button").disabled=true;
    fetch(f.action,{method:"POST",headers:{accept:"application/json"}}).then(function(){refresh(true)},function(){f.querySelector("button").disabled=false});
    return;
  }
  if(f.id!=="receipt-form")return;
  e.preventDefault();
  var err=$("receipt-error"),file=$("receipt-file"),amount=$("receipt-amount");
  err.textContent="";file.removeAttribute("aria-invalid");amount.removeAttribute("aria-invalid");
  if(!file.files||file.files.length===0){err.textContent=S.msg.needFile;file.setAttribute("aria-invalid","true");file.focus();return}
  if(!amount.value.trim()){err.textContent=S.msg.needAmount;amount.setAttribute("aria-invalid","true");amount.focus();return}
  var btn=f.querySelector("button[type=submit]");btn.disabled=true;
  fetch(f.action,{method:"POST",body:new FormData(f),headers:{accept:"application/json"}}).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j}})})
   .then(function(x){btn.disabled=false;
     if(!x.ok){if(x.j&&x.j.error==="dispute_limit_reached"){refresh(true);return}
       err.textContent=errorText(x.j);var bad=x.j&&x.j.field==="fiatAmount"?amount:file;bad.setAttribute("aria-invalid","true");return}
     refresh(true);})
   .catch(function(){btn.disabled=false;err.textContent=S.msg.network});
});
tick();setInterval(tick,1000);setInterval(poll,2000);
})();`;
