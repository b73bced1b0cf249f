// The merchant's balance per asset and the statement of one asset over a date range: every movement
// of the available balance with the balance after it, and the opening and closing balances that
// reconcile (opening + movements = closing). The same use cases as GET /merchant/v1/balance and
// /merchant/v1/statement.
import { merchantBalances, merchantStatement } from "../../app/merchants/merchant-balance.js";
import { formatMinor } from "../../core/money/decimal.js";
import { filterOf, input } from "../dashboard/filter-fields.js";
import { html, type SafeHtml } from "../pages/html.js";
import type { PortalSection } from "./portal-section.js";

const BACK = "/merchant/balance";
const PAGE = 100;

const amount = (minor: bigint, scale: number | null) => (scale === null ? `${minor} (minor units)` : formatMinor(minor, scale));

export const balanceSection: PortalSection = {
  id: "balance",
  title: "Balance",
  permission: "balance",
  async render(deps, ctx) {
    const balances = await merchantBalances(deps, ctx.merchantId);
    const q = filterOf(ctx.query, ["asset", "from", "to"] as const, 40);
    const asset = q.asset ?? balances[0]?.asset;
    const table =
      balances.length === 0
        ? html`<p class="muted" id="no-balance">No balance yet: it appears with the first credited payment.</p>`
        : html`<div class="scroll" tabindex="0" role="region" aria-label="balances"><table id="balances"><thead><tr><th>Asset</th><th>Available</th><th>Held (pending withdrawals)</th><th>Pending credits</th></tr></thead>
<tbody>${balances.map((b) => {
            const main = b.accounts.find((a) => a.purpose === "merchant_balance");
            return html`<tr data-asset="${b.asset}"><td><a href="${BACK}?asset=${encodeURIComponent(b.asset)}">${b.asset}</a></td><td class="mono" data-available="${b.available.toString()}">${amount(b.available, b.scale)}</td>
<td class="mono">${amount(main?.pendingDebits ?? 0n, b.scale)}</td><td class="mono">${amount(main?.pendingCredits ?? 0n, b.scale)}</td></tr>`;
          })}</tbody></table></div>`;
    return html`<section class="card"><h2>Balances</h2>${table}</section>${asset ? await statement(deps, ctx.merchantId, { ...q, asset }, ctx.query.cursor) : ""}`;
  },
};

async function statement(deps: Parameters<PortalSection["render"]>[0], merchantId: string, q: { asset: string; from?: string; to?: string }, cursor?: string): Promise<SafeHtml> {
  const s = await merchantStatement(deps, merchantId, { ...q, ...(cursor ? { cursor } : {}), limit: PAGE });
  const form = html`<form method="get" action="${BACK}" id="statement-range"><input type="hidden" name="asset" value="${s.asset}">
<div class="filters">${input("from", "From (UTC day)", q.from, "date")}${input("to", "Before (UTC day)", q.to, "date")}<div class="actions"><button type="submit">Show</button></div></div></form>`;
  const rows =
    s.items.length === 0
      ? html`<p class="muted" id="no-movements">No movement in this range.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="statement"><table id="statement"><thead><tr><th>At (UTC)</th><th>What</th><th>Reference</th><th>Amount</th><th>Balance after</th></tr></thead>
<tbody>${s.items.map(
          (l) => html`<tr data-kind="${l.kind}" data-amount="${l.amount.toString()}"><td>${l.at.slice(0, 19).replace("T", " ")}</td><td>${l.code}${l.kind === "posted" ? "" : html` <span class="muted">(${l.kind})</span>`}</td>
<td class="mono small-id">${l.ref_type}:${l.ref_id}</td><td class="mono">${amount(l.amount, s.scale)}</td><td class="mono">${amount(l.balanceAfter, s.scale)}</td></tr>`,
        )}</tbody></table></div>`;
  const next = s.nextCursor
    ? html`<p><a id="next-page" href="${BACK}?${new URLSearchParams({ asset: s.asset, ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}), cursor: s.nextCursor }).toString()}">Next page</a></p>`
    : "";
  return html`<section class="card" id="statement-card" data-asset="${s.asset}"><h2>Statement of ${s.asset}</h2>${form}
<div class="row"><span>Opening balance${s.from ? ` at ${s.from.toISOString().slice(0, 10)}` : ""}</span><span class="mono" id="opening" data-minor="${s.openingBalance.toString()}">${amount(s.openingBalance, s.scale)}</span></div>
${rows}${next}
<div class="row"><span>Closing balance at ${s.to.toISOString().slice(0, 16).replace("T", " ")} UTC</span><span class="mono" id="closing" data-minor="${s.closingBalance.toString()}">${amount(s.closingBalance, s.scale)}</span></div></section>`;
}
