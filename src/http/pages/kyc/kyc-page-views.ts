// Markup of the hosted KYC page: a guided form in three steps (your details, document, selfie) with a
// progress indicator, the status views and the error view, in the applicant's language
// (locales/<lang>/kyc.json). Escape by default. Without a script every step shows at once and the form
// posts normally; with it, one step shows at a time, each is checked before the next, file previews
// appear, and the form is sent in the background so chosen files stay chosen after an error.
import countries from "i18n-iso-countries";
import { DOCUMENT_TYPES, KYC_FILE_KINDS, type KycFileKind, type KycFormData, type KycPageState } from "../../../core/kyc/kyc-form.js";
import { html, jsonForScript, raw, type SafeHtml } from "../html.js";
import type { messagesFor } from "../i18n.js";

type Messages = ReturnType<typeof messagesFor>;

/** Field (or file) → the message shown under it. */
export type FormErrors = Partial<Record<keyof KycFormData | KycFileKind | "consent", string>>;

const STEPS = [
  { id: "data", fields: ["firstName", "lastName", "birthDate", "nationality"] },
  { id: "document", fields: ["documentType", "documentNumber", "country", "documentFront", "documentBack"] },
  { id: "selfie", fields: ["selfie", "consent"] },
] as const;

/** What the documents' file inputs accept, and which camera a phone opens for each. */
const ACCEPT = "image/jpeg,image/png,application/pdf";
const CAMERA: Record<KycFileKind, "environment" | "user"> = { documentFront: "environment", documentBack: "environment", selfie: "user" };

function countryOptions(lang: string, selected: string | undefined): SafeHtml[] {
  const names = Object.entries(countries.getNames(lang, { select: "official" }));
  const list = names.length > 0 ? names : Object.entries(countries.getNames("en", { select: "official" }));
  return list
    .sort((a, b) => a[1].localeCompare(b[1], lang))
    .map(([code, label]) => html`<option value="${code}"${code === selected ? raw(" selected") : ""}>${label}</option>`);
}

/** The first step holding an error, so a re-shown form opens where the applicant has work to do. */
function firstStepWithError(errors: FormErrors): number {
  const i = STEPS.findIndex((s) => s.fields.some((f) => errors[f as keyof FormErrors]));
  return i < 0 ? 0 : i;
}

export function kycFormView(m: Messages, token: string, values: Record<string, string | undefined>, errors: FormErrors = {}): { body: SafeHtml; script: SafeHtml } {
  /** aria-describedby: the hint (when there is one) and the error (when there is one). */
  const described = (name: string, hint: boolean) => [hint ? `${name}-hint` : "", errors[name as keyof FormErrors] ? `${name}-error` : ""].filter(Boolean).join(" ");
  const a11y = (name: string, hint = false) => {
    const by = described(name, hint);
    return raw(`${errors[name as keyof FormErrors] ? ' aria-invalid="true"' : ""}${by ? ` aria-describedby="${by}"` : ""}`);
  };
  const err = (name: string) => {
    const e = errors[name as keyof FormErrors];
    return html`<p class="error field-error" id="${name}-error" data-error="${name}"${e ? "" : raw(" hidden")}>${e ?? ""}</p>`;
  };
  const text = (name: keyof KycFormData, extra: SafeHtml | string = "", hint?: string) =>
    html`<label for="${name}">${m.t(`fields.${name}`)}</label>${hint ? html`<p class="hint" id="${name}-hint">${hint}</p>` : ""}
<input id="${name}" name="${name}" type="text" value="${values[name] ?? ""}" required${a11y(name, Boolean(hint))} ${extra}>${err(name)}`;
  const select = (name: "country" | "nationality" | "documentType", options: SafeHtml[]) =>
    html`<label for="${name}">${m.t(`fields.${name}`)}</label><select id="${name}" name="${name}" required${a11y(name)}><option value="">${m.t("fields.choose")}</option>${options}</select>${err(name)}`;
  const file = (name: KycFileKind) =>
    html`<div class="file-field" id="${name}-field"><label for="${name}">${m.t(`fields.${name}`)}</label><p class="hint" id="${name}-hint">${m.t("fields.fileHint")}</p>
<input id="${name}" name="${name}" type="file" accept="${ACCEPT}" capture="${CAMERA[name]}"${a11y(name, true)}>
<div class="preview" id="${name}-preview" aria-live="polite"></div>${err(name)}</div>`;

  const start = firstStepWithError(errors);
  const docOptions = DOCUMENT_TYPES.map((d) => html`<option value="${d}"${values.documentType === d ? raw(" selected") : ""}>${m.t(`documents.${d}`)}</option>`);
  const nav = (i: number) =>
    html`<div class="step-nav">${i > 0 ? html`<button type="button" class="secondary js-only" data-back hidden>${m.t("back")}</button>` : ""}${
      i < STEPS.length - 1 ? html`<button type="button" class="js-only" data-next hidden>${m.t("next")}</button>` : html`<button id="submit" type="submit">${m.t("submit")}</button>`
    }</div>`;
  const body = html`<style>${raw(KYC_CSS)}</style><div class="card"><h1>${m.t("title")}</h1>
<p class="muted">${m.t("intro")}</p>
<ol class="steps" aria-label="${m.t("progress")}">${STEPS.map(
    (s, i) => html`<li data-step-label="${i}" class="${i === start ? "current" : i < start ? "done" : ""}"${i === start ? raw(' aria-current="step"') : ""}>${m.t(`steps.${s.id}`)}</li>`,
  )}</ol>
<p class="muted" id="step-of" aria-live="polite">${m.t("stepOf", { n: start + 1, total: STEPS.length })}</p>
${Object.keys(errors).length > 0 ? html`<p class="error" id="error-summary" role="alert">${m.t("errors.summary")}</p>` : html`<p class="error" id="error-summary" role="alert" hidden></p>`}
<form id="kyc-form" method="post" action="/kyc/${token}" enctype="multipart/form-data" novalidate data-start="${start}">
<fieldset class="step" data-step="0" id="step-data"><legend>${m.t("steps.data")}</legend>
${text("firstName", raw('autocomplete="given-name"'))}
${text("lastName", raw('autocomplete="family-name"'))}
${text("birthDate", raw('autocomplete="bday" inputmode="numeric" placeholder="YYYY-MM-DD" pattern="\\d{4}-\\d{2}-\\d{2}" maxlength="10"'), m.t("fields.birthDateHint"))}
${select("nationality", countryOptions(m.lang, values.nationality))}
${nav(0)}</fieldset>
<fieldset class="step" data-step="1" id="step-document"><legend>${m.t("steps.document")}</legend>
${select("documentType", docOptions)}
${text("documentNumber", raw('autocapitalize="characters"'))}
${select("country", countryOptions(m.lang, values.country))}
${file("documentFront")}
${file("documentBack")}
${nav(1)}</fieldset>
<fieldset class="step" data-step="2" id="step-selfie"><legend>${m.t("steps.selfie")}</legend>
${file("selfie")}
<div class="consent" id="consent-notice"><h2>${m.t("consent.title")}</h2><p>${m.t("consent.text")}</p>
<label class="check"><input type="checkbox" id="consent" name="consent" value="yes" required${values.consent === "yes" ? raw(" checked") : ""}${a11y("consent")}> ${m.t("consent.agree")}</label>${err("consent")}</div>
${nav(2)}</fieldset>
</form></div>`;
  const state = {
    token,
    steps: STEPS.map((s) => s.fields),
    files: KYC_FILE_KINDS,
    oneSided: ["passport"],
    maxBytes: 5 * 1024 * 1024,
    labels: Object.fromEntries(KYC_FILE_KINDS.map((k) => [k, m.t(`fields.${k}`)])),
    t: m.bundle("kyc"),
  };
  return { body, script: html`var S=${jsonForScript(state)};${raw(FORM_SCRIPT)}` };
}

// Plain ES2017. Messages come from S.t (this page's catalogue in the applicant's language).
const FORM_SCRIPT = `
(function(){
var form=document.getElementById("kyc-form"),steps=[].slice.call(form.querySelectorAll("fieldset.step")),current=Number(form.getAttribute("data-start"))||0;
var $=function(id){return document.getElementById(id)};
function fmt(s,v){return s.replace(/\\{\\{(\\w+)\\}\\}/g,function(_,k){return v[k]})}
function needsBack(){return S.oneSided.indexOf($("documentType").value)<0}
function setError(name,msg){
  var el=$(name),e=$(name+"-error");if(!el||!e)return;
  e.textContent=msg||"";e.hidden=!msg;
  var by=(el.getAttribute("aria-describedby")||"").split(" ").filter(function(x){return x&&x!==name+"-error"});
  if(msg){el.setAttribute("aria-invalid","true");by.push(name+"-error")}else el.removeAttribute("aria-invalid");
  if(by.length)el.setAttribute("aria-describedby",by.join(" "));else el.removeAttribute("aria-describedby");
}
function check(name){
  var el=$(name);if(!el)return true;var v=(el.value||"").trim(),msg="";
  if(name==="documentBack"&&!needsBack()){setError(name,"");return true}
  if(el.type==="file"){
    var f=el.files&&el.files[0],label=S.labels[name];
    if(!f)msg=fmt(S.t.errors.fileMissing,{file:label});
    else if(["image/jpeg","image/png","application/pdf"].indexOf(f.type)<0)msg=fmt(S.t.errors.fileType,{file:label+" ("+f.name+")"});
    else if(f.size>S.maxBytes)msg=fmt(S.t.errors.fileSize,{file:label+" ("+f.name+")"});
  }else if(el.type==="checkbox"){if(!el.checked)msg=S.t.errors.consent}
  else if(name==="birthDate"){if(!/^\\d{4}-\\d{2}-\\d{2}$/.test(v))msg=S.t.errors.birthDate}
  else if(!v)msg=S.t.errors[name];
  setError(name,msg);return !msg;
}
function checkStep(i){var ok=true,first=null;S.steps[i].forEach(function(n){if(!check(n)){ok=false;if(!first)first=$(n)}});if(first)first.focus();return ok}
function show(i){
  current=i;steps.forEach(function(s,k){s.hidden=k!==i});
  [].forEach.call(document.querySelectorAll("[data-step-label]"),function(li,k){li.className=k<i?"done":k===i?"current":"";if(k===i)li.setAttribute("aria-current","step");else li.removeAttribute("aria-current")});
  $("step-of").textContent=fmt(S.t.stepOf,{n:i+1,total:steps.length});
}
function syncBack(){var f=$("documentBack-field");f.hidden=!needsBack();if(!needsBack())setError("documentBack","")}
[].forEach.call(document.querySelectorAll(".js-only"),function(b){b.hidden=false});
form.addEventListener("click",function(e){
  if(e.target.hasAttribute("data-next")){if(checkStep(current)){$("error-summary").hidden=true;show(current+1);steps[current].querySelector("legend").focus&&window.scrollTo(0,0)}}
  if(e.target.hasAttribute("data-back"))show(current-1);
});
$("documentType").addEventListener("change",syncBack);syncBack();
S.files.forEach(function(name){
  $(name).addEventListener("change",function(){
    var box=$(name+"-preview"),f=this.files&&this.files[0];box.textContent="";
    if(!check(name)||!f)return;
    if(f.type==="application/pdf"){var p=document.createElement("p");p.className="muted";p.textContent=f.name+" ("+Math.ceil(f.size/1024)+" KB)";box.appendChild(p);return}
    var r=new FileReader();r.onload=function(){var img=document.createElement("img");img.src=r.result;img.alt=fmt(S.t.preview,{file:S.labels[name]});box.appendChild(img)};r.readAsDataURL(f);
  });
});
form.addEventListener("submit",function(e){
  e.preventDefault();
  for(var i=0;i<steps.length;i++)if(!checkStep(i)){show(i);$("error-summary").textContent=S.t.errors.summary;$("error-summary").hidden=false;return}
  var btn=$("submit");btn.disabled=true;btn.textContent=S.t.sending;
  var fd=new FormData(form);if(!needsBack())fd.delete("documentBack");
  fetch(form.action,{method:"POST",body:fd,headers:{accept:"application/json"}}).then(function(r){return r.json().then(function(j){return {ok:r.ok,j:j}})}).then(function(x){
    if(x.ok&&x.j.next){location.href=x.j.next;return}
    btn.disabled=false;btn.textContent=S.t.submit;
    var errs=x.j.errors||{},first=-1;
    Object.keys(errs).forEach(function(n){setError(n,errs[n]);S.steps.forEach(function(f,k){if(f.indexOf(n)>=0&&(first<0||k<first))first=k})});
    $("error-summary").textContent=x.j.message||S.t.errors.summary;$("error-summary").hidden=false;
    if(first>=0)show(first);
  }).catch(function(){btn.disabled=false;btn.textContent=S.t.submit;$("error-summary").textContent=S.t.errors.network;$("error-summary").hidden=false});
});
show(current);
})();`;

const KYC_CSS = `
.steps{display:flex;gap:6px;list-style:none;padding:0;margin:8px 0 4px;counter-reset:s}
.steps li{flex:1;text-align:center;padding:6px 4px;border-radius:8px;background:#e8edf5;color:#1b1f24;font-size:.9rem;counter-increment:s}
.steps li::before{content:counter(s) ". "}.steps li.done{background:#dcf3e3;color:#14632b}.steps li.current{background:#2457d6;color:#fff;font-weight:650}
fieldset.step{border:0;padding:0;margin:0;min-width:0}legend{font-weight:650;font-size:1.05rem;padding:0;margin:8px 0}
.hint{font-size:.9rem;color:#5b6570;margin:0 0 4px}.field-error{margin:4px 0}
input[aria-invalid=true],select[aria-invalid=true]{border-color:#c62828;border-width:2px}
.file-field{margin:10px 0}.preview img{max-width:100%;max-height:180px;margin-top:6px;border-radius:8px;border:1px solid #dde3ea}
.consent{background:#f5f7fa;border-radius:8px;padding:10px;margin:12px 0}.consent h2{font-size:1rem}
label.check{display:flex;gap:8px;align-items:flex-start;font-weight:500}label.check input{width:auto;margin-top:4px}
.step-nav{display:flex;gap:8px;justify-content:space-between;margin-top:14px}.step-nav :only-child{margin-left:auto}
`;

export function kycStatusView(
  m: Messages,
  token: string,
  state: Exclude<KycPageState, "form">,
  redirectUrl: string | null,
  reason: string | null,
): { body: SafeHtml; script: SafeHtml | undefined } {
  const cls = state === "approved" ? "ok" : state === "pending" ? "warn" : "bad";
  const link = redirectUrl
    ? html`<p id="continue-row"${state === "pending" ? raw(" hidden") : ""}><a id="continue" class="btn" href="${redirectUrl}">${m.t(state === "approved" || state === "pending" ? "continue" : "backToShop")}</a></p>`
    : "";
  const body = html`<div class="card"><h1 id="title">${m.t(`state.${state}.title`)}</h1>
<p aria-live="polite"><span id="kyc-status" class="status ${cls}" data-state="${state}">${m.t(`state.${state}.badge`)}</span></p>
<p id="text">${m.t(`state.${state}.text`)}</p>${reason ? html`<p class="muted" id="reason">${m.t("reason", { reason })}</p>` : ""}
${state === "rejected" ? html`<p id="next-steps">${m.t("state.rejected.next")}</p>` : ""}
${link}</div>`;
  // While pending, poll the status (the vendor may decide after a delay); a decision re-renders the page.
  const script =
    state === "pending"
      ? html`(function(){var token=${jsonForScript(token)};
function tick(){fetch('/kyc/'+encodeURIComponent(token)+'/status',{cache:'no-store'}).then(function(r){return r.json()}).then(function(s){
if(s.state==='pending'){setTimeout(tick,2000);return}location.reload()}).catch(function(){setTimeout(tick,4000)})}
setTimeout(tick,1500)})();`
      : undefined;
  return { body, script };
}

export function kycErrorView(m: Messages, message: string): SafeHtml {
  return html`<div class="card"><h1>${m.t("unavailable.title")}</h1><p class="error" id="error">${message}</p></div>`;
}
