// The hosted payer page of a trading pay-in (`externalPaymentPageUrl`): amount, bank, requisite with
// copy buttons, owner name, a live countdown, status that updates without reload (polls
// /pay/{id}/status), receipt upload after expiry, clear final states. Phone-first, no third-party assets.
import type { TradingPayinObject } from "../../../app/trading/payin-object.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import { page } from "../layout.js";

const STATUS_TEXT: Record<string, string> = {
  active: "Waiting for your transfer",
  closed: "Paid — thank you",
  canceled: "Time is up",
  dispute: "Receipt received — under review",
  checking: "Under review",
  re_calculation: "Under review — amount being corrected",
};

function copyRow(label: string, value: string | null, id: string): SafeHtml {
  if (!value) return html``;
  return html`<div class="row"><div><div class="muted">${label}</div><div class="mono big" id="${id}">${value}</div></div>
<button type="button" class="secondary" data-copy="${value}">Copy</button></div>`;
}

export function renderPayPage(p: TradingPayinObject, serverNow: Date): string {
  const detail = p.requisite.sbpNumber ? copyRow("Phone (SBP)", p.requisite.sbpNumber, "req-phone") : html``;
  const body = html`
<div class="card">
  <h1>Pay ${p.fiatAmount} ${p.fiatCurrency}</h1>
  <p><span id="status" class="status" data-status="${p.status}">${STATUS_TEXT[p.status] ?? p.status}</span></p>
  <p id="countdown-line" class="muted">Time left: <strong id="countdown" class="mono">--:--</strong></p>
</div>
<div class="card" id="details">
  <h2>Transfer exactly this amount</h2>
  ${copyRow("Amount", p.fiatAmount, "req-amount")}
  <div class="row"><div><div class="muted">Bank</div><div id="req-bank">${p.requisite.bank}</div></div></div>
  ${detail}
  ${copyRow(p.requisite.method === "account" ? "Account" : "Card", p.requisite.requisites, "req-number")}
  <div class="row"><div><div class="muted">Recipient</div><div id="req-owner">${p.requisite.ownerName}</div></div></div>
  <p class="muted">Send the exact amount in one transfer. The page updates by itself when the money arrives.</p>
  <p><button type="button" id="paid-btn">I have paid</button></p>
  <p id="paid-note" class="muted" hidden>Thank you. We are waiting for the bank to confirm your transfer.</p>
</div>
<div class="card" id="receipt" hidden>
  <h2>Already paid?</h2>
  <p class="muted">Upload your bank receipt (PDF, PNG or JPEG, up to 10 MB) and the amount you sent. Support will check it.</p>
  <form id="receipt-form">
    <label for="receipt-file">Receipt</label><input id="receipt-file" name="file" type="file" accept="application/pdf,image/png,image/jpeg" required>
    <label for="receipt-amount">Amount sent</label><input id="receipt-amount" name="fiatAmount" inputmode="decimal" value="${p.fiatAmount}" required>
    <p><button type="submit">Send receipt</button></p>
    <p id="receipt-error" class="error"></p>
  </form>
</div>
<div class="card" id="final" hidden><h2 id="final-title"></h2><p id="final-text" class="muted"></p></div>`;
  const state = jsonForScript({ id: p.id, status: p.status, expiresAt: p.expiresAt, serverNow: serverNow.toISOString(), text: STATUS_TEXT });
  return page(`Pay ${p.fiatAmount} ${p.fiatCurrency}`, body, { script: html`const S=${state};${raw(SCRIPT)}` });
}

// Plain ES2017, no dependencies. The clock offset makes the countdown follow the server's time.
const SCRIPT = `
(function(){
var $=function(id){return document.getElementById(id)};
var offset=Date.parse(S.serverNow)-Date.now(), expires=Date.parse(S.expiresAt), status=S.status, timer=null;
var FINAL={closed:["Payment received","The merchant has been notified. You can close this page."],
 canceled:["Time is up","This payment was not received in time. If you already paid, upload your receipt below."]};
function pad(n){return n<10?"0"+n:""+n}
function tick(){
  var left=Math.max(0,Math.floor((expires-(Date.now()+offset))/1000));
  $("countdown").textContent=pad(Math.floor(left/60))+":"+pad(left%60);
  if(left===0&&status==="active")poll();
}
function render(){
  var el=$("status");el.textContent=S.text[status]||status;el.setAttribute("data-status",status);
  el.className="status"+(status==="closed"?" ok":status==="canceled"?" bad":status==="active"?"":" warn");
  var active=status==="active";
  $("details").hidden=!active;$("countdown-line").hidden=!active;
  $("receipt").hidden=status!=="canceled";
  var f=FINAL[status];$("final").hidden=!f&&active;
  if(f){$("final-title").textContent=f[0];$("final-text").textContent=f[1];}
  else if(!active){$("final-title").textContent=S.text[status]||status;$("final-text").textContent="Support is checking your receipt. This page updates by itself.";}
  if(status==="closed"&&timer){clearInterval(timer);timer=null;}
}
function poll(){
  fetch("/pay/"+S.id+"/status",{cache:"no-store"}).then(function(r){return r.ok?r.json():null}).then(function(j){
    if(j&&j.status!==status){status=j.status;render();}
  }).catch(function(){});
}
document.addEventListener("click",function(e){
  var b=e.target.closest&&e.target.closest("[data-copy]");if(!b)return;
  var v=b.getAttribute("data-copy");
  var done=function(){b.textContent="Copied";setTimeout(function(){b.textContent="Copy"},1500)};
  if(navigator.clipboard&&navigator.clipboard.writeText)navigator.clipboard.writeText(v).then(done,done);
  else{var t=document.createElement("textarea");t.value=v;document.body.appendChild(t);t.select();try{document.execCommand("copy")}catch(_){}t.remove();done();}
});
$("paid-btn").addEventListener("click",function(){$("paid-note").hidden=false;poll();});
$("receipt-form").addEventListener("submit",function(e){
  e.preventDefault();$("receipt-error").textContent="";
  var fd=new FormData(e.target);
  fetch("/pay/"+S.id+"/receipt",{method:"POST",body:fd}).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j}})})
   .then(function(x){if(!x.ok){$("receipt-error").textContent=x.j.message||"Upload failed";return}status=x.j.status;render();})
   .catch(function(){$("receipt-error").textContent="Upload failed, try again."});
});
render();tick();setInterval(tick,1000);timer=setInterval(poll,2000);
})();`;
