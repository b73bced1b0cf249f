// Money: ledger balances per asset and account purpose (drawn, because people would rather look than
// read) and the result of `ledger verify`. Purposes get names an operator reads (the ledger's own name
// stays beside them); the bars use a logarithmic scale, because a fee revenue a millionth of the
// platform funding would otherwise be a sliver.
import { ledgerTotalsByPurpose } from "../../app/ledger/ledger-totals.js";
import { verifyLedger } from "../../app/ledger/verify-ledger.js";
import { formatMinor } from "../../core/money/decimal.js";
import { barChart } from "../pages/charts.js";
import { html } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

/** What each account purpose holds, in the operator's words; an unknown purpose shows its ledger name. */
const PURPOSE_NAMES: Record<string, string> = {
  platform_funding: "Platform funding (the other side of deposits)",
  merchant_balance: "Merchants' balances",
  trader_deposit: "Traders' free deposits",
  trader_escrow: "Held for open pay-ins",
  fee_revenue: "Fee revenue",
  customer_wallet: "Customers' wallets",
  payout_in_flight: "Payouts in flight",
  withdrawal_hold: "Withdrawals in flight",
  network_fees: "Network fees paid (gas)",
  platform_inventory: "Platform inventory",
  fiat_clearing: "Bank clearing",
  chain_clearing: "On-chain clearing",
};
const purposeName = (purpose: string) => PURPOSE_NAMES[purpose] ?? purpose;

const amount = (minor: bigint, scale: number | null) => (scale === null ? `${minor} (minor units)` : formatMinor(minor, scale));
/** For drawing only: the bar length of an amount in major units (the caption carries the exact text). */
const toMajor = (minor: bigint, scale: number | null) => Number(minor) / 10 ** (scale ?? 0);

export const moneySection: DashboardSection = {
  id: "money",
  title: "Money",
  async render(deps) {
    const [totals, report] = await Promise.all([ledgerTotalsByPurpose(deps), verifyLedger(deps.database.db)]);
    const verify = report.ok
      ? html`<p><span class="status ok" id="ledger-verify">OK</span> every transfer balances, every balance matches its entries, every asset sums to zero
(${report.transfers} transfers, ${report.entries} entries, ${report.accounts} accounts).</p>`
      : html`<p><span class="status bad" id="ledger-verify">DRIFT</span> ${report.problems.length} problem(s):</p>
<ul class="mono">${report.problems.map((p) => html`<li>${p}</li>`)}</ul>`;
    return html`<div class="card"><h2>Ledger check</h2>${verify}</div>
${totals.length === 0 ? html`<div class="card"><p class="muted">No money has moved yet.</p></div>` : ""}
${totals.map(
  (a) => html`<div class="card" data-asset="${a.asset}"><h2>${a.asset}: balances by purpose</h2>
${barChart(
  `${a.asset} balances by account purpose`,
  a.purposes.map((p) => ({ label: purposeName(p.purpose), value: toMajor(p.posted, a.scale), caption: amount(p.posted, a.scale) })),
  { scale: "log" },
)}
<div class="scroll" tabindex="0" role="region" aria-label="${a.asset} balances by purpose"><table><thead><tr><th>Purpose</th><th>Accounts</th><th>Posted</th><th>Held (pending debits)</th><th>Incoming (pending credits)</th></tr></thead>
<tbody>${a.purposes.map(
  (p) => html`<tr><td>${purposeName(p.purpose)} <span class="mono muted small-id">${p.purpose}</span></td><td>${p.accounts}</td><td class="mono">${amount(p.posted, a.scale)}</td>
<td class="mono">${amount(p.pendingDebits, a.scale)}</td><td class="mono">${amount(p.pendingCredits, a.scale)}</td></tr>`,
)}</tbody></table></div>
<p class="muted">Posted balances of one asset sum to zero across purposes: platform funding is the negative side. Bar lengths are on a logarithmic scale; the figures are exact.</p></div>`,
)}`;
  },
};
