// Markup of the hosted KYC page: the form, the status views and the error view. Escape by default.
import countries from "i18n-iso-countries";
import { DOCUMENT_TYPES, type KycFormData, type KycPageState } from "../../../core/kyc/kyc-form.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";

const DOC_LABELS: Record<(typeof DOCUMENT_TYPES)[number], string> = {
  passport: "Passport",
  id_card: "National identity card",
  driving_licence: "Driving licence",
  residence_permit: "Residence permit",
};

const COUNTRY_OPTIONS = Object.entries(countries.getNames("en", { select: "official" })).sort((a, b) => a[1].localeCompare(b[1]));

function countrySelect(name: string, selected: string | undefined): SafeHtml {
  return html`<select id="${name}" name="${name}" required><option value="">Choose…</option>${COUNTRY_OPTIONS.map(
    ([code, label]) => html`<option value="${code}"${code === selected ? raw(" selected") : ""}>${label}</option>`,
  )}</select>`;
}

export type FormErrors = Partial<Record<keyof KycFormData | "files", string>>;

export function kycFormView(token: string, values: Record<string, string | undefined>, errors: FormErrors = {}): SafeHtml {
  const err = (k: keyof FormErrors) => (errors[k] ? html`<p class="error" data-error="${k}">${errors[k]}</p>` : "");
  const text = (name: keyof KycFormData, label: string, type = "text", extra: SafeHtml | string = "") =>
    html`<label for="${name}">${label}</label><input id="${name}" name="${name}" type="${type}" value="${values[name] ?? ""}" required ${extra}>${err(name)}`;
  const file = (name: string, label: string) =>
    html`<label for="${name}">${label}</label><input id="${name}" name="${name}" type="file" accept="application/pdf,image/png,image/jpeg" required>`;
  return html`<div class="card"><h1>Verify your identity</h1>
<p class="muted">We need a few details and photos of your identity document before you can pay. PDF, PNG or JPEG, up to 5 MB each.</p>
<form id="kyc-form" method="post" action="/kyc/${token}" enctype="multipart/form-data">
${text("firstName", "First name", "text", raw('autocomplete="given-name"'))}
${text("lastName", "Last name", "text", raw('autocomplete="family-name"'))}
${text("birthDate", "Birth date", "date", raw('autocomplete="bday"'))}
<label for="documentType">Document type</label><select id="documentType" name="documentType" required><option value="">Choose…</option>${DOCUMENT_TYPES.map(
    (d) => html`<option value="${d}"${values.documentType === d ? raw(" selected") : ""}>${DOC_LABELS[d]}</option>`,
  )}</select>${err("documentType")}
${text("documentNumber", "Document number")}
<label for="country">Issuing country</label>${countrySelect("country", values.country)}${err("country")}
<label for="nationality">Nationality</label>${countrySelect("nationality", values.nationality)}${err("nationality")}
${file("documentFront", "Document front")}
${file("documentBack", "Document back")}
${file("selfie", "Selfie holding the document")}
${err("files")}
<p><button id="submit" type="submit">Submit for verification</button></p>
</form></div>`;
}

const STATE_TEXT: Record<Exclude<KycPageState, "form">, { title: string; badge: string; cls: string; text: string }> = {
  pending: { title: "Verification in progress", badge: "pending", cls: "warn", text: "We are checking your documents. This page updates by itself." },
  approved: { title: "You are verified", badge: "approved", cls: "ok", text: "Thank you. You can now continue with your payment." },
  rejected: { title: "Verification failed", badge: "rejected", cls: "bad", text: "We could not verify your identity." },
  expired: { title: "Link no longer valid", badge: "expired", cls: "bad", text: "This verification link can no longer be used." },
};

export function kycStatusView(token: string, state: Exclude<KycPageState, "form">, redirectUrl: string | null, reason: string | null): { body: SafeHtml; script: SafeHtml | undefined } {
  const t = STATE_TEXT[state];
  const body = html`<div class="card"><h1 id="title">${t.title}</h1>
<p><span id="kyc-status" class="status ${t.cls}" data-state="${state}">${t.badge}</span></p>
<p id="text">${t.text}</p>${reason ? html`<p class="muted" id="reason">${reason}</p>` : ""}
${redirectUrl ? html`<p id="continue-row"${state === "pending" ? raw(" hidden") : ""}><a id="continue" class="btn" href="${redirectUrl}">Continue</a></p>` : ""}</div>`;
  // While pending, poll the status (the vendor may decide after a delay) and reveal Continue.
  const script =
    state === "pending"
      ? html`(function(){var token=${jsonForScript(token)};var texts=${jsonForScript(STATE_TEXT)};
function tick(){fetch('/kyc/'+encodeURIComponent(token)+'/status',{cache:'no-store'}).then(function(r){return r.json()}).then(function(s){
if(s.state==='pending'){setTimeout(tick,2000);return}var t=texts[s.state];if(!t)return;
document.getElementById('title').textContent=t.title;var b=document.getElementById('kyc-status');b.textContent=t.badge;b.className='status '+t.cls;b.setAttribute('data-state',s.state);
document.getElementById('text').textContent=t.text;var c=document.getElementById('continue-row');if(c)c.hidden=false;}).catch(function(){setTimeout(tick,4000)})}
setTimeout(tick,1500)})();`
      : undefined;
  return { body, script };
}

export function kycErrorView(message: string): SafeHtml {
  return html`<div class="card"><h1>Verification unavailable</h1><p class="error" id="error">${message}</p></div>`;
}
