// Bank transfers for the operator: those that matched no pay-in or intent, and those whose money goes
// back to the payer (refunded by Rampart, or a second payment of a closed pay-in that its trader
// returns). Read-only: support matches unmatched ones by hand through a dispute, if at all.
import { returnedTransfers, unmatchedTransfers } from "../../app/bank-transfers/transfer-queues.js";
import type { BankTransferRow } from "../../db/bank-transfers/bank-transfers.js";
import { money, when } from "../pages/format.js";
import { html } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

const paidFor = (t: BankTransferRow) => t.trading_payin_id ?? t.intent_id ?? t.requisite_id ?? t.reference ?? "—";

function table(rows: BankTransferRow[], empty: string) {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll"><table><thead><tr><th>Received</th><th>Amount</th><th>Payer</th><th>For</th><th>Why</th><th>Bank id</th></tr></thead>
<tbody>${rows.map(
    (t) => html`<tr><td>${when(t.received_at)}</td><td class="mono">${money(t.amount_minor, t.currency)}</td><td>${t.payer_name ?? "—"}</td>
<td class="mono">${paidFor(t)}</td><td>${t.reason ?? "—"}</td><td class="mono">${t.external_id}</td></tr>`,
  )}</tbody></table></div><p class="muted">Newest first, up to 100.</p>`;
}

export const unmatchedSection: DashboardSection = {
  id: "unmatched",
  title: "Unmatched transfers",
  async render(deps) {
    const [unmatched, returned] = await Promise.all([unmatchedTransfers(deps, 100), returnedTransfers(deps, 100)]);
    return html`<div class="card"><h2>Matched nothing</h2>${table(unmatched, "Every incoming transfer matched a pay-in or an intent.")}</div>
<div class="card"><h2>Going back to the payer</h2>${table(returned, "No transfer had to be returned.")}</div>`;
  },
};
