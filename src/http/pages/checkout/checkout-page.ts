// The hosted checkout of a payment intent: one page whose content follows the intent's status.
// Verify (a link to the hosted KYC page, which returns here), pay (the transfer details with copy
// buttons, the EPC QR code and a countdown), receive (the payout and its transaction), then back to the
// shop. The script polls a small status endpoint and reloads when the status moves on, so every state
// is rendered here on the server, in the payer's language.
import QRCode from "qrcode";
import type { CheckoutView } from "../../../app/intents/checkout.js";
import { INTENT_STATUS as S } from "../../../core/intents/intent-status.js";
import { AssetRegistry } from "../../../core/money/assets.js";
import { fiatScale } from "../../../core/money/currencies.js";
import { formatMinor } from "../../../core/money/decimal.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import { languageSwitch, type messagesFor } from "../i18n.js";
import { COPY_BUTTONS_SCRIPT, COUNTDOWN_SCRIPT } from "../page-scripts.js";

type Messages = ReturnType<typeof messagesFor>;
const assets = new AssetRegistry();

/** Statuses the page keeps following; any other is where the payer's journey ends. */
const LIVE: ReadonlySet<number> = new Set([S.kycNeeded, S.kycReview, S.readyToPay, S.paid]);

const badgeClass = (status: number) => (status === S.done ? "ok" : status === S.paid || status === S.kycReview ? "warn" : LIVE.has(status) ? "" : "bad");

/** Which of the three steps (verify, pay, receive) the payer is on. */
function stepOf(status: number): number {
  if (status === S.kycNeeded || status === S.kycReview || status === S.kycFailed) return 0;
  if (status === S.readyToPay || status === S.timedOut || status === S.cancelled || status === S.countryNotServed) return 1;
  return 2;
}

function progress(m: Messages, status: number): SafeHtml {
  const current = stepOf(status);
  const names = [m.t("steps.verify"), m.t("steps.pay"), m.t("steps.receive")];
  return html`<ol class="steps" aria-label="${m.t("progress")}">${names.map(
    (name, i) => html`<li class="${i < current ? "done" : i === current ? "current" : ""}"${i === current ? raw(' aria-current="step"') : ""}>${name}</li>`,
  )}</ol>`;
}

function copyRow(m: Messages, label: string, shown: string, value: string, id: string): SafeHtml {
  return html`<div class="row"><div class="grow"><div class="muted">${label}</div><div class="mono value" id="${id}">${shown}</div></div>
<button type="button" class="secondary" data-copy="${value}" data-copied="${m.t("common:copied")}" aria-label="${m.t("common:copy")}: ${label}">${m.t("common:copy")}</button></div>`;
}

const plainRow = (label: string, value: string, id: string) =>
  html`<div class="row"><div class="grow"><div class="muted">${label}</div><div class="value" id="${id}">${value}</div></div></div>`;

/** The IBAN in groups of four, as banks print it (the copy button copies it without spaces). */
const groupedIban = (iban: string) => iban.replace(/(.{4})(?=.)/g, "$1 ");

async function qrSvg(payload: string, label: string): Promise<SafeHtml> {
  // EPC069-12 asks for error correction level M; the quiet zone is the spec's four modules.
  const svg = await QRCode.toString(payload, { type: "svg", errorCorrectionLevel: "M", margin: 4 });
  return html`<svg role="img" aria-label="${label}" width="232" height="232" ${raw(svg.trim().replace(/^<svg /, ""))}`;
}

function cryptoText(m: Messages, v: CheckoutView): string {
  const i = v.intent;
  return `${m.number(formatMinor(BigInt(i.crypto_minor), assets.get(i.crypto_symbol, i.network).decimals))} ${i.crypto_symbol}`;
}

async function payCards(m: Messages, v: CheckoutView): Promise<SafeHtml> {
  const bt = v.instructions!.bankTransfer;
  const amount = m.money(v.intent.fiat_minor, v.intent.fiat_currency);
  const expires = v.intent.window_ends_at;
  return html`<section class="card" id="pay" aria-labelledby="pay-title">
<h2 id="pay-title">${m.t("pay.title")}</h2>
<p>${m.t("pay.intro")}</p>
${expires ? html`<p class="timer"><span class="muted">${m.t("common:timeLeft")}:</span> <strong id="countdown" class="mono" role="timer">--:--</strong><br><span class="muted" id="expires">${m.t("pay.expires", { when: m.dateTime(expires) })}</span></p>` : ""}
${copyRow(m, m.t("pay.amount"), amount, formatMinor(BigInt(v.intent.fiat_minor), fiatScale(v.intent.fiat_currency)), "amount")}
${copyRow(m, m.t("pay.iban"), groupedIban(bt.iban), bt.iban, "iban")}
${copyRow(m, m.t("pay.reference"), bt.reference, bt.reference, "reference")}
<p class="hint" id="reference-hint">${m.t("pay.referenceHint")}</p>
${plainRow(m.t("pay.beneficiary"), bt.beneficiary, "beneficiary")}
${copyRow(m, m.t("pay.bic"), bt.bic, bt.bic, "bic")}
${plainRow(m.t("pay.bank"), bt.bankName, "bank")}
</section>
${
  v.epcPayload
    ? html`<section class="card" aria-labelledby="qr-title"><h2 id="qr-title">${m.t("pay.qrTitle")}</h2><p class="muted">${m.t("pay.qrText")}</p>
<figure id="epc-qr">${await qrSvg(v.epcPayload, m.t("pay.qrLabel", { amount, iban: bt.iban, reference: bt.reference }))}</figure></section>`
    : ""
}
<p class="muted">${m.t("pay.afterwards")}</p>`;
}

function backLink(m: Messages, v: CheckoutView): SafeHtml | "" {
  return v.returnUrl ? html`<p><a class="btn" id="return" href="${v.returnUrl}">${m.t("back", { merchant: v.merchantName })}</a></p>` : "";
}

async function stateCard(m: Messages, v: CheckoutView): Promise<SafeHtml> {
  const i = v.intent;
  const crypto = cryptoText(m, v);
  switch (i.status) {
    case S.kycNeeded:
      return html`<section class="card" id="kyc"><h2>${m.t("kyc.title")}</h2><p>${m.t("kyc.text")}</p>
${v.kycPath ? html`<p><a class="btn" id="kyc-link" href="${v.kycPath}">${m.t("kyc.start")}</a></p>` : html`<p class="error">${m.t("kyc.unavailable", { merchant: v.merchantName })}</p>`}</section>`;
    case S.kycReview:
      return html`<section class="card" id="review"><p>${m.t("kyc.review")}</p></section>`;
    case S.readyToPay:
      return payCards(m, v);
    case S.paid:
      return html`<section class="card" id="paid"><h2>${m.t("paid.title")}</h2><p>${m.t("paid.text", { crypto })}</p></section>`;
    case S.done:
      return html`<section class="card" id="done"><h2>${m.t("done.title", { crypto })}</h2>
${i.tx_hash ? html`<div class="muted">${m.t("done.tx")}</div><p class="mono value" id="tx-hash">${i.tx_hash}</p>` : ""}
${v.explorerUrl ? html`<p><a id="explorer" href="${v.explorerUrl}" target="_blank" rel="noopener noreferrer">${m.t("done.explorer")}</a> <span class="muted">${m.t("done.explorerNote")}</span></p>` : ""}
${backLink(m, v)}</section>`;
    default:
      return html`<section class="card" id="ended"><p id="end-text">${m.t(`end.${i.status}`, { merchant: v.merchantName })}</p>${backLink(m, v)}</section>`;
  }
}

export async function checkoutBody(m: Messages, v: CheckoutView, url: string): Promise<SafeHtml> {
  const i = v.intent;
  return html`<style>${raw(CHECKOUT_CSS)}</style>${languageSwitch(m, url)}
<div class="card">
<p class="muted" id="merchant">${m.t("payTo", { merchant: v.merchantName })}</p>
<h1>${m.t("heading", { crypto: i.crypto_symbol })}</h1>
${progress(m, i.status)}
<div class="row"><span class="muted">${m.t("youPay")}</span><strong id="fiat-amount">${m.money(i.fiat_minor, i.fiat_currency)}</strong></div>
<div class="row"><span class="muted">${m.t("youGet")}</span><strong id="crypto-amount">${cryptoText(m, v)}</strong></div>
<div class="row"><span class="muted">${m.t("toWallet")}</span><span class="mono value" id="wallet">${i.wallet_address}</span></div>
<p aria-live="polite"><span id="status" class="status ${badgeClass(i.status)}" data-status="${i.status}">${m.t(`status.${i.status}`)}</span></p>
</div>
${await stateCard(m, v)}`;
}

/** Follows the status while the intent is live; a change re-renders the page (a reload, same URL). */
export function checkoutScript(v: CheckoutView, token: string, serverNow: Date): SafeHtml {
  const state = {
    status: v.intent.status,
    live: LIVE.has(v.intent.status),
    statusUrl: `/checkout/${token}/status`,
    expiresAt: v.intent.status === S.readyToPay ? (v.intent.window_ends_at?.toISOString() ?? null) : null,
    serverNow: serverNow.toISOString(),
  };
  return html`var S=${jsonForScript(state)};${raw(POLL_SCRIPT)}${raw(COPY_BUTTONS_SCRIPT)}${raw(COUNTDOWN_SCRIPT)}`;
}

// Polls every 2 s (and at once when the countdown ends: the timeout job moves the intent to 10).
const POLL_SCRIPT = `
(function(){
if(!S.live)return;
var timer=null;
function poll(){
  clearTimeout(timer);
  fetch(S.statusUrl,{cache:"no-store"}).then(function(r){return r.ok?r.json():null}).then(function(j){
    if(j&&j.status!==S.status){location.reload();return}timer=setTimeout(poll,2000);
  }).catch(function(){timer=setTimeout(poll,4000)});
}
S.onZero=poll;timer=setTimeout(poll,2000);
})();`;

/** This page's own styles (the shared shell has the rest). */
const CHECKOUT_CSS = `
.steps{display:flex;gap:6px;list-style:none;padding:0;margin:8px 0 12px;counter-reset:s}
.steps li{flex:1;text-align:center;padding:6px 4px;border-radius:8px;background:#e8edf5;color:#1b1f24;font-size:.9rem;counter-increment:s}
.steps li::before{content:counter(s) ". "}.steps li.done{background:#dcf3e3;color:#14632b}.steps li.current{background:#2457d6;color:#fff;font-weight:650}
.grow{min-width:0;flex:1}.value{overflow-wrap:anywhere;word-break:break-all}
.hint{font-size:.92rem;background:#fff1cc;color:#5c3d00;border-radius:8px;padding:8px;margin:4px 0}
figure#epc-qr{margin:0;text-align:center}figure#epc-qr svg{max-width:100%;height:auto}
`;
