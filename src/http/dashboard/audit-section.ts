// Audit log: every operator action that changed state (who, when, from where, what, on what, the
// status before and after), with filters, cursor paging, a CSV download of the filtered set, and the
// hash chain's verification. Admin only (the audit.read permission): the log names every person's
// actions and addresses, and a role that acts (support, finance) is not the one that reviews itself.
// The list is auditEntriesPage and the download sendAuditCsv, what GET /admin/v1/audit(.csv) run.
import type { FastifyInstance } from "fastify";
import { type AuditEntryView, type AuditQuery, auditChainHeadNow, auditEntriesPage } from "../../app/audit/audit-entries.js";
import { type AuditChainReport, formatAuditChainReport, verifyAuditChain } from "../../app/audit/verify-audit-chain.js";
import type { Deps } from "../../app/deps.js";
import { sendAuditCsv } from "../admin/audit-csv.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { filteredPage, filterOf, input } from "./filter-fields.js";
import type { DashboardSection } from "./section.js";

const BACK = "/dashboard/audit";
const FILTERS = ["actor", "action", "from", "to"] as const;
const PAGE = 50;

/** The filter from the page's query string, each field at most 200 characters. */
const queryOf = (raw: Record<string, unknown>): AuditQuery => filterOf(raw, FILTERS, 200);

function filterForm(q: AuditQuery): SafeHtml {
  return html`<form class="card" method="get" action="${BACK}" role="search" id="audit-filters"><div class="filters">
${input("actor", "Actor", q.actor, "text", "e-mail, key name, staff:… or operator:…")}
${input("action", "Action", q.action, "text", "e.g. kyc or kyc.cases.approve")}
${input("from", "From", q.from, "date")}
${input("to", "Before", q.to, "date")}
<div class="actions"><button type="submit">Filter</button><a href="${BACK}">Clear</a></div>
</div></form>`;
}

function chainStatus(r: AuditChainReport): SafeHtml {
  const text = formatAuditChainReport(r);
  return r.ok
    ? html`<div class="card" id="chain-status" data-ok="true"><h2>Hash chain: intact</h2><p class="muted wrap">${text}</p></div>`
    : html`<div class="card" id="chain-status" data-ok="false"><h2>Hash chain: broken</h2><p class="error wrap" role="alert">${text}</p></div>`;
}

/** The head without the walk: verifying reads every entry (about 0.1 ms each), so it runs when asked. */
function chainHead(head: { seq: string; hash: string }): SafeHtml {
  return html`<div class="card" id="chain-status"><h2>Hash chain</h2><p class="muted wrap">Head: seq ${head.seq}, hash ${head.hash}.</p>
<p><a id="verify-chain" href="${BACK}?verify=1">Verify the whole chain now</a></p></div>`;
}

function changes(e: AuditEntryView): SafeHtml {
  const list = e.details.changes;
  if (!Array.isArray(list) || list.length === 0) return html``;
  return html`<ul class="plain">${list.map((c: { subject?: unknown; before?: unknown; after?: unknown }) => html`<li>${String(c.subject)}: ${String(c.before ?? "—")} → ${String(c.after)}</li>`)}</ul>`;
}

function entriesTable(items: AuditEntryView[]): SafeHtml {
  if (items.length === 0) return html`<p class="muted" id="no-entries">No entry matches.</p>`;
  return html`<div class="scroll"><table id="audit-entries"><thead><tr><th>When</th><th>Who</th><th>From</th><th>Action</th><th>On</th><th>Change</th><th>Details</th></tr></thead>
<tbody>${items.map(
    (e) => html`<tr data-entry="${e.id}" data-action="${e.action}"><td>${when(e.at)}</td><td>${e.actorName ?? ""} <span class="muted mono small-id">${e.actor}</span></td>
<td class="mono">${e.ip ?? "—"}</td><td class="mono">${e.action}</td><td class="mono small-id">${e.subject || "—"}</td><td>${changes(e)}</td>
<td><details><summary>seq ${e.seq ?? "—"}</summary><pre class="small-id" style="white-space:pre-wrap">${JSON.stringify(e.details, null, 1)}</pre></details></td></tr>`,
  )}</tbody></table></div>`;
}

export const auditSection: DashboardSection = {
  id: "audit",
  title: "Audit log",
  view: "audit.read",
  async render(deps, ctx) {
    const query = queryOf(ctx.query);
    const results = await filteredPage(BACK, { fields: FILTERS, query, countId: "entry-count" }, () => auditEntriesPage(deps, { ...query, limit: PAGE }), entriesTable);
    const status = ctx.query.verify === "1" ? chainStatus(await verifyAuditChain(deps)) : query.cursor ? html`` : chainHead(await auditChainHeadNow(deps));
    return html`${status}${filterForm(query)}${results}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.get<{ Querystring: Record<string, unknown> }>(`${BACK}/export.csv`, { schema: { hide: true } }, async (request, reply) =>
      sendAuditCsv(reply, deps, { ...queryOf(request.query ?? {}) }),
    );
  },
};
