// A trader's requisites with open pay-ins and an enable/disable switch: on the operator dashboard and
// in the trader cabinet (each says where its switch form posts).
import type { TraderView } from "../../app/trading/trader-overview.js";
import { html, type SafeHtml } from "./html.js";

export function requisitesTable(t: TraderView, csrf: string, switchAction: (requisiteId: string) => string): SafeHtml {
  if (t.requisites.length === 0) return html`<p class="muted">No requisites.</p>`;
  return html`<div class="scroll"><table><thead><tr><th>Bank</th><th>Method</th><th>Number / phone</th><th>Owner</th><th>Open pay-ins</th><th>State</th></tr></thead>
<tbody>${t.requisites.map(
    (r) => html`<tr data-requisite="${r.id}"><td>${r.bankCode}</td><td>${r.method}</td><td class="mono">${r.number ?? r.sbpPhone ?? ""}</td><td>${r.ownerName}</td>
<td>${r.openPayins} / ${r.maxOpenPayins}</td>
<td><span class="status ${r.enabled ? "ok" : "bad"}">${r.enabled ? "enabled" : "disabled"}</span>
<form class="inline" method="post" action="${switchAction(r.id)}"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="enabled" value="${r.enabled ? "false" : "true"}"><button class="small secondary" type="submit">${r.enabled ? "Disable" : "Enable"}</button></form></td></tr>`,
  )}</tbody></table></div>`;
}

