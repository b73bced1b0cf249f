// Overview: what happened over a chosen range (payments created and paid per day and flow, fiat paid per
// currency, conversion and median time to pay), what needs attention now (disputes, KYC, webhooks, dead
// jobs, the hot wallet, traders running dry) and the process's health. Charts are drawn as SVG with
// their figures in a table beside them; the page refreshes its figures every minute while it is shown.
import { type ChainHealth, chainHealth } from "../../app/ops/chain-health.js";
import { adaptersInUse, overviewFigures } from "../../app/ops/health.js";
import { OVERVIEW_RANGES, type PaymentActivity, type PaymentOverview, overviewRange, paymentOverview } from "../../app/payments/payment-overview.js";
import { formatMinor } from "../../core/money/decimal.js";
import type { PaymentDialect } from "../../db/payments/payment-search.js";
import { barChart, columnChart } from "../pages/charts.js";
import { usdt } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

const FLOW_NAMES: Record<PaymentDialect, string> = { trading: "Trading pay-ins", intent: "Payment intents", card: "Card payments" };
// Contrast of at least 3:1 against the white card for each (WCAG 1.4.11, graphics).
const FLOW_COLORS: Record<PaymentDialect, string> = { trading: "#2457d6", intent: "#b35c00", card: "#1b7f4b" };
const REFRESH_MS = 60_000;

const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${((100 * part) / whole).toFixed(1)} %`);

function duration(seconds: number | null): string {
  if (seconds === null) return "—";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The range links of an overview page at `path` (the console's, the merchant portal's). */
export function rangeLinks(current: number, path: string): SafeHtml {
  return html`<p id="range">Range: ${OVERVIEW_RANGES.map((d) =>
    d === current ? html`<strong aria-current="page">${d} days</strong> ` : html`<a href="${path}?range=${d}">${d} days</a> `,
  )}</p>`;
}

/** Payments created per day by flow, with conversion and time to pay (the merchant portal shows its own). */
export function activityCard(o: PaymentActivity): SafeHtml {
  const flows = o.flows;
  return html`<div class="card"><h2>Payments per day</h2>
${columnChart(
  `Payments created per day over ${o.range} days, by flow`,
  o.days.map((d) => d.slice(5)),
  flows.map((f) => ({ name: FLOW_NAMES[f.dialect], values: o.daily[f.dialect].created, color: FLOW_COLORS[f.dialect] })),
)}
<div class="scroll" tabindex="0" role="region" aria-label="Payments per flow"><table id="flow-summary"><thead><tr><th>Flow</th><th>Created</th><th>Paid</th><th>Conversion</th><th>Median time to pay</th></tr></thead>
<tbody>${flows.map(
  (f) => html`<tr data-flow="${f.dialect}"><td>${FLOW_NAMES[f.dialect]}</td><td class="mono">${f.created}</td><td class="mono">${f.paid}</td>
<td class="mono">${percent(f.paid, f.created)}</td><td class="mono">${duration(f.medianSecondsToPay)}</td></tr>`,
)}</tbody></table></div>
<p class="muted">A payment counts on the day it was created (UTC), so conversion is "of the payments created in the range, how many were paid".</p></div>`;
}

/** Fiat paid per day, one card per currency. */
export function volumeCards(o: PaymentActivity): SafeHtml[] {
  return o.volume.map((v) => {
    const dayTotals = o.days.map((_, i) => o.flows.reduce((sum, f) => sum + v.byFlow[f.dialect][i]!, 0n));
    const total = dayTotals.reduce((a, b) => a + b, 0n);
    return html`<div class="card" data-volume="${v.currency}"><h2>Paid in ${v.currency}</h2>
${columnChart(
  `${v.currency} paid per day over ${o.range} days, by flow`,
  o.days.map((d) => d.slice(5)),
  o.flows.map((f) => ({ name: FLOW_NAMES[f.dialect], values: v.byFlow[f.dialect].map((m) => Number(m) / 10 ** v.scale), color: FLOW_COLORS[f.dialect] })),
  (n) => n.toLocaleString("en", { maximumFractionDigits: 0 }),
)}
<p>Total <span class="mono" id="volume-${v.currency}">${formatMinor(total, v.scale)} ${v.currency}</span></p>
<details><summary>Per day</summary><div class="scroll" tabindex="0" role="region" aria-label="${v.currency} paid per day"><table><thead><tr><th>Day</th><th>Paid</th></tr></thead>
<tbody>${o.days.map((d, i) => (dayTotals[i]! > 0n ? html`<tr><td>${d}</td><td class="mono">${formatMinor(dayTotals[i]!, v.scale)}</td></tr>` : ""))}</tbody></table></div></details></div>`;
  });
}

function attentionCard(o: PaymentOverview): SafeHtml {
  const n = o.now;
  const row = (label: string, value: number, href: string, id: string) =>
    html`<div class="row"><span><a href="${href}">${label}</a></span><span class="status ${value > 0 ? "warn" : "ok"}" id="${id}">${value}</span></div>`;
  return html`<div class="card"><h2>Needs attention now</h2>
${row("Open disputes", n.disputesOpen, "/dashboard/disputes", "now-disputes")}
${row("Disputes past their deadline", n.disputesOverdue, "/dashboard/disputes", "now-disputes-overdue")}
${row("KYC cases waiting", n.kycWaiting, "/dashboard/kyc", "now-kyc")}
${row("Webhooks due for delivery", n.webhooksDue, "/dashboard/webhooks", "now-webhooks")}
${row("Jobs failed for good", n.jobsDead, "/dashboard/webhooks", "now-dead-jobs")}</div>`;
}

/** The chain's node and the deposit watcher's lag (rampart_evm_deposit_watcher_lag_blocks), under the balances. */
function chainRows(health: ChainHealth | null): SafeHtml | string {
  if (!health) return "";
  const node =
    health.node === "up"
      ? html`<div class="row"><span>Chain node</span><span class="status ok" id="chain-node">answering · block ${health.headBlock!.toString()}</span></div>`
      : html`<div class="row"><span>Chain node</span><span class="status bad" id="chain-node">not answering</span></div>`;
  const w = health.depositWatcher;
  if (!w) return node;
  const lag =
    w.lagBlocks === null
      ? html`<span class="status warn" id="deposit-watcher-lag">${w.lastScannedBlock === null ? "not started" : "unknown"}</span>`
      : w.lagBlocks > w.behindAboveBlocks
        ? html`<span class="status bad" id="deposit-watcher-lag">${w.lagBlocks.toString()} blocks behind · falling behind</span>`
        : html`<span class="status ok" id="deposit-watcher-lag">${w.lagBlocks.toString()} blocks behind</span>`;
  return html`${node}<div class="row"><span>Deposit watcher</span>${lag}</div>`;
}

function hotWalletCard(o: PaymentOverview, health: ChainHealth | null): SafeHtml | string {
  if (o.hotWallet === null && !health) return "";
  if (o.hotWallet === "unreachable") {
    return html`<div class="card"><h2>Hot wallet</h2><p class="error" id="hot-wallet-unreachable">The chain's node does not answer: balances unknown, payouts wait.</p>${chainRows(health)}</div>`;
  }
  return html`<div class="card"><h2>Hot wallet</h2>${(o.hotWallet ?? []).map((b) => {
    const low = b.lowBelowMinor !== null && b.balanceMinor < b.lowBelowMinor;
    return html`<div class="row"><span>${b.asset} (${b.network})</span><span class="mono ${low ? "status bad" : ""}" data-hot-wallet="${b.asset}">${formatMinor(b.balanceMinor, b.decimals)}${low ? " · low" : ""}</span></div>`;
  })}${chainRows(health)}</div>`;
}

function tradersCard(o: PaymentOverview): SafeHtml | string {
  if (o.traders.length === 0) return "";
  return html`<div class="card"><h2>Traders' free deposit (lowest first)</h2>
${barChart(
  "Free deposit per trader, lowest first",
  o.traders.map((t) => ({ label: t.name, value: Number(t.free) / 1e6, caption: usdt(t.free) })),
)}</div>`;
}

async function healthCards(deps: Parameters<DashboardSection["render"]>[0]): Promise<SafeHtml> {
  const { tenants, pendingMigrations: pending } = await overviewFigures(deps);
  const mem = process.memoryUsage();
  return html`<div class="card"><h2>Health</h2>
<div class="row"><span>Mode</span><span class="status ${deps.config.mode === "live" ? "ok" : "warn"}">${deps.config.mode}</span></div>
<div class="row"><span>Database</span><span>${deps.database.engine === "postgres" ? "PostgreSQL" : "embedded (PGlite)"}</span></div>
<div class="row"><span>Migrations</span><span class="status ${pending.length ? "bad" : "ok"}">${pending.length ? `${pending.length} pending` : "up to date"}</span></div>
<div class="row"><span>Uptime</span><span>${Math.round(process.uptime())} s</span></div>
<div class="row"><span>Memory (RSS)</span><span>${Math.round(mem.rss / 1048576)} MiB</span></div>
</div>
<div class="card"><h2>Adapters</h2>
${Object.entries(adaptersInUse(deps)).map(([port, adapter]) => html`<div class="row"><span>${port}</span><span class="mono" id="adapter-${port}">${adapter}</span></div>`)}
</div>
<div class="card"><h2>Tenants</h2>
<div class="row"><span>Merchants</span><span class="big">${tenants.merchants}</span></div>
<div class="row"><span>Stores</span><span>${tenants.stores}</span></div>
<div class="row"><span>Active API keys</span><span>${tenants.apiKeys}</span></div>
</div>`;
}

export const overviewSection: DashboardSection = {
  id: "overview",
  title: "Overview",
  async render(deps, ctx) {
    const [o, health] = await Promise.all([paymentOverview(deps, overviewRange(ctx.query.range)), chainHealth(deps)]);
    return html`${rangeLinks(o.range, "/dashboard/overview")}
<div id="overview-live"><p class="muted">Figures as of <span id="as-of">${deps.clock.now().toISOString().slice(0, 16).replace("T", " ")} UTC</span>, refreshed every minute.</p>
${attentionCard(o)}${activityCard(o)}${volumeCards(o)}${hotWalletCard(o, health)}${tradersCard(o)}</div>
${await healthCards(deps)}
<p class="muted">Metrics for scraping: <a href="/metrics">/metrics</a> · API docs: <a href="/docs">/docs</a></p>`;
  },
  // Swaps in the figures of a fresh copy of this page; a signed-out or failing fetch leaves them as they are.
  script: html`setInterval(async () => {
  if (document.visibilityState !== "visible") return;
  try {
    const r = await fetch(location.href, { credentials: "same-origin", redirect: "manual" });
    if (r.status !== 200) return;
    const fresh = new DOMParser().parseFromString(await r.text(), "text/html").getElementById("overview-live");
    const here = document.getElementById("overview-live");
    if (fresh && here) here.replaceWith(fresh);
  } catch {}
}, ${REFRESH_MS});`,
};
