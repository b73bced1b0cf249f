// Traders: deposit balances (free / held by open pay-ins) and requisites with their open pay-ins, and a
// switch per requisite (a disabled requisite gets no new pay-ins; open ones run to their end).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { switchRequisite, tradersOverview } from "../../app/trading/trader-overview.js";
import { runFormAction } from "../pages/form-action.js";
import { usdt } from "../pages/format.js";
import { html } from "../pages/html.js";
import { requisitesTable } from "../pages/requisites-table.js";
import type { DashboardSection } from "./section.js";

const BACK = "/dashboard/traders";

export const tradersSection: DashboardSection = {
  id: "traders",
  title: "Traders",
  act: "traders.manage",
  async render(deps, ctx) {
    const traders = await tradersOverview(deps);
    if (traders.length === 0) return html`<div class="card"><p class="muted">No traders yet. Create one with <code>POST /admin/v1/trading/traders</code>.</p></div>`;
    return html`${traders.map(
      (t) => html`<div class="card" data-trader="${t.id}"><h2>${t.name} <span class="mono muted">${t.id}</span> ${t.enabled ? "" : html`<span class="status bad">disabled</span>`}</h2>
<div class="row"><span>Deposit free</span><span class="mono">${usdt(t.depositAvailable)}</span></div>
<div class="row"><span>Deposit held by open pay-ins</span><span class="mono">${usdt(t.depositHeld)}</span></div>
${requisitesTable(t, ctx.csrf, (id) => `${BACK}/requisites/${id}/switch`)}</div>`,
    )}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post<{ Params: { id: string }; Body: { enabled?: unknown } }>(
      `${BACK}/requisites/:id/switch`,
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", maxLength: 64 } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const enabled = request.body?.enabled === "true";
          await switchRequisite(deps, { requisiteId: request.params.id, enabled });
          return `Requisite ${request.params.id} ${enabled ? "enabled" : "disabled"}.`;
        }),
    );
  },
};
