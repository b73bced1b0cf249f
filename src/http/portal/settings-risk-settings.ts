// The merchant's risk settings on the settings page (issue 19): the scores at which a payment is held for
// review or refused, and what the payer page does when opened from another IP or browser than the
// merchant's payerInfo said. The form calls the use case of PUT /merchant/v1/risk/settings
// (putRiskSettings) for the session's merchant (its test twin in test mode), which judges each field; a
// refused value comes back at its field. They apply from the next payment.
import type { Deps } from "../../app/deps.js";
import { readRiskSettings } from "../../app/risk/manage-rules.js";
import type { PageAccess } from "../../core/risk/page-access.js";
import { html, raw, type SafeHtml } from "../pages/html.js";
import type { PortalContext } from "./portal-section.js";
import { field, formError, formFields, formNumber, type Sent } from "./settings-form.js";

export const RISK_SETTINGS_FORM = "risk";
export const RISK_SETTINGS_PATH = "/merchant/settings/risk";
const FIELDS = ["reviewAt", "blockAt", "pageAccess"] as const;

const ACCESS: Record<PageAccess, string> = {
  off: "Off: not compared",
  log: "Log: a warning in the payment's risk record",
  deny: "Deny: the payer page is refused",
};

export async function riskSettingsCard(deps: Deps, ctx: PortalContext, sent?: Sent): Promise<SafeHtml> {
  const s = await readRiskSettings(deps, ctx.merchantId);
  const e = formError(sent, RISK_SETTINGS_FORM, FIELDS);
  const value = (name: (typeof FIELDS)[number]) => (sent?.form === RISK_SETTINGS_FORM ? (sent.values[name] ?? "") : String(s[name]));
  const accessError = e.at("pageAccess");
  const described = accessError ? raw(` aria-describedby="risk-pageAccess-error" aria-invalid="true"`) : "";
  const options = (Object.keys(ACCESS) as PageAccess[]).map((a) => html`<option value="${a}"${value("pageAccess") === a ? raw(" selected") : ""}>${ACCESS[a]}</option>`);
  return html`<form method="post" action="${RISK_SETTINGS_PATH}" id="risk-settings" class="card" novalidate><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Risk thresholds and payer page</h2>${e.summary}
<div class="filters">${field("risk-reviewAt", "reviewAt", "Review at score (1 to 101)", value("reviewAt"), e.at("reviewAt"), html` inputmode="numeric"`)}
${field("risk-blockAt", "blockAt", "Block at score (1 to 101)", value("blockAt"), e.at("blockAt"), html` inputmode="numeric"`)}
<div><label for="risk-pageAccess">Payer page opened from another IP or browser</label><select id="risk-pageAccess" name="pageAccess"${described}>${options}</select>${
    accessError ? html`<p class="error meta" id="risk-pageAccess-error">${accessError}</p>` : ""
  }</div></div>
<p class="muted">A payment whose score reaches "review at" is held for review; one that reaches "block at" is refused (101: never). They apply from the next payment.</p>
<p><button type="submit" class="secondary">Save the risk settings</button></p></form>`;
}

/** The form's text as PUT /merchant/v1/risk/settings' body; an emptied field is left as it is. */
export function riskSettingsBody(b: unknown): Record<string, unknown> {
  const { given } = formFields(b, (k) => k);
  return { ...given("reviewAt", formNumber), ...given("blockAt", formNumber), ...given("pageAccess", (v) => v) };
}
