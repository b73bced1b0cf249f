// Unmatched transfers: incoming bank transfers (trading) that matched no active pay-in. Read-only:
// support matches them by hand through a dispute, if at all.
import { unmatchedTransfers } from "../../app/trading/support-queries.js";
import { fiat, when } from "../pages/format.js";
import { html } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

export const unmatchedSection: DashboardSection = {
  id: "unmatched",
  title: "Unmatched transfers",
  async render(deps) {
    const rows = await unmatchedTransfers(deps, 100);
    if (rows.length === 0) return html`<div class="card"><p class="muted">Every incoming transfer matched a pay-in.</p></div>`;
    return html`<div class="card scroll"><table><thead><tr><th>Received</th><th>Amount</th><th>Payer</th><th>Requisite</th><th>Feed id</th></tr></thead>
<tbody>${rows.map(
      (t) => html`<tr><td>${when(t.received_at)}</td><td class="mono">${fiat(t.amount_minor, t.fiat_currency)}</td><td>${t.payer_name ?? "—"}</td>
<td class="mono">${t.requisite_id}</td><td class="mono">${t.external_id}</td></tr>`,
    )}</tbody></table><p class="muted">Newest first, up to 100.</p></div>`;
  },
};
