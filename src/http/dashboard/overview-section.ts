import { adaptersInUse, overviewFigures } from "../../app/ops/health.js";
import { html } from "../pages/html.js";
import type { DashboardSection } from "./section.js";

export const overviewSection: DashboardSection = {
  id: "overview",
  title: "Overview",
  async render(deps) {
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
</div>
<p class="muted">Metrics for scraping: <a href="/metrics">/metrics</a> · API docs: <a href="/docs">/docs</a></p>`;
  },
};
