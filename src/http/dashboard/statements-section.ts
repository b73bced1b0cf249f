// Bank statements: the operator uploads a statement file (camt.053/054, MT940, CSV with the account's
// saved mapping) and reads every import's report, line by line. The upload calls importBankStatement,
// the same use case as POST /admin/v1/bank-statements, the CLI and the watched inbox.
import type { FastifyInstance, FastifyReply } from "fastify";
import { importBankStatement, recentStatementImports, statementImportReport } from "../../app/bank-statements/import-statement.js";
import type { StatementReport } from "../../app/bank-statements/statement-report.js";
import type { Deps } from "../../app/deps.js";
import { AppError } from "../../core/shared/errors.js";
import { when } from "../pages/format.js";
import { html } from "../pages/html.js";
import { backTo } from "../pages/send-page.js";
import { bufferMultipartBodies, readMultipartForm } from "../plugins/multipart-form.js";
import type { DashboardSection } from "./section.js";

const BACK = "/dashboard/statements";
const IMPORT_ID = /^bsi_[0-9A-Za-z_]{1,60}$/;
/** The form's text fields (csrf, account, skipRejected) are short; the file is bounded by the statement limit. */
const FORM_OVERHEAD_BYTES = 64 * 1024;

function uploadForm(csrf: string) {
  return html`<div class="card"><h2>Import a statement</h2>
<form method="post" action="/dashboard/statements/upload" enctype="multipart/form-data">
<input type="hidden" name="csrf" value="${csrf}">
<label for="statement-file">Statement file (camt.053, camt.054, MT940 or CSV)</label>
<input id="statement-file" name="file" type="file" required accept=".xml,.053,.054,.sta,.mt940,.txt,.csv">
<label for="statement-account">Account (optional: an IBAN or requisite id, when the file names none)</label>
<input id="statement-account" name="account" maxlength="64" autocomplete="off">
<p><input id="skip-rejected" name="skipRejected" type="checkbox" value="true">
<label for="skip-rejected" style="display:inline">Import the readable entries of a file with unreadable lines (they are listed in the report)</label></p>
<p><button type="submit">Import</button></p></form>
<p class="muted">One file is one transaction: a refused file imports nothing, and importing a file again changes nothing.</p></div>`;
}

function reportCard(r: StatementReport) {
  const counts: [string, number][] = [
    ["Entries read", r.entriesRead],
    ["Matched", r.matched],
    ["Duplicates", r.duplicates],
    ["Unmatched", r.unmatched],
    ["Ignored", r.ignored],
    ["Rejected", r.rejected],
  ];
  return html`<div class="card" id="import-report" data-import="${r.importId}"><h2>Import <span class="mono wrap">${r.importId}</span></h2>
<div class="row"><span>File</span><span class="wrap">${r.fileName ?? "—"} · ${r.format} · ${r.source}</span></div>
<div class="row"><span>Account</span><span class="mono wrap">${r.account}</span></div>
<div class="row"><span>Imported</span><span>${when(new Date(r.createdAt))}</span></div>
${counts.map(([k, v]) => html`<div class="row"><span>${k}</span><span class="mono" data-count="${k.toLowerCase().replace(" ", "-")}">${v}</span></div>`)}
<h3>Lines</h3>${
    r.lines.length === 0
      ? html`<p class="muted">The file had no entries.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="Lines of the import"><table><thead><tr><th>Line</th><th>Outcome</th><th>Amount</th><th>Payer</th><th>Reference</th><th>Paid</th><th>Reason</th></tr></thead>
<tbody>${r.lines.map(
          (l) => html`<tr data-outcome="${l.outcome}"><td class="mono">${l.line}</td><td><span class="status ${l.outcome === "matched" ? "ok" : l.outcome === "rejected" || l.outcome === "unmatched" ? "warn" : ""}">${l.outcome}</span></td>
<td class="mono">${l.amount === null ? "—" : `${l.direction === "debit" ? "−" : ""}${l.amount} ${l.currency ?? ""}`}</td><td>${l.payerName ?? "—"}</td><td class="mono">${l.reference ?? "—"}</td>
<td class="mono">${l.intentId ?? l.tradingPayinId ?? l.refundOrderId ?? "—"}</td><td>${l.reason ?? "—"}</td></tr>`,
        )}</tbody></table></div>`
  }</div>`;
}

async function reportOrNotice(deps: Deps, id: string | undefined) {
  if (id === undefined) return "";
  if (!IMPORT_ID.test(id)) return html`<p class="card error">No statement import has this id.</p>`;
  try {
    return reportCard(await statementImportReport(deps, id));
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return html`<p class="card error">${err.message}</p>`;
    throw err;
  }
}

async function importsTable(deps: Deps) {
  const rows = await recentStatementImports(deps);
  if (rows.length === 0) return html`<div class="card"><h2>Imports</h2><p class="muted">No statement imported yet.</p></div>`;
  return html`<div class="card"><h2>Imports</h2><div class="scroll" tabindex="0" role="region" aria-label="Imports"><table><thead><tr><th>Imported</th><th>File</th><th>Account</th><th>Read</th><th>Matched</th><th>Dupl.</th><th>Unmatched</th><th>Rejected</th><th>Report</th></tr></thead>
<tbody>${rows.map(
    (i) => html`<tr data-import="${i.id}"><td>${when(i.created_at)}</td><td>${i.file_name ?? "—"} · ${i.format} · ${i.source}</td><td class="mono">${i.account}</td>
<td class="mono">${i.entries_read}</td><td class="mono">${i.matched}</td><td class="mono">${i.duplicates}</td><td class="mono">${i.unmatched}</td><td class="mono">${i.rejected}</td>
<td><a href="/dashboard/statements?import=${i.id}" aria-label="Report of ${i.id}">Report</a></td></tr>`,
  )}</tbody></table></div><p class="muted">Newest first, up to 50.</p></div>`;
}

/** The upload: an AppError (unreadable file, unknown account, too large) comes back as the page's notice. */
async function upload(deps: Deps, request: Parameters<typeof readMultipartForm>[0], reply: FastifyReply) {
  try {
    const form = await readMultipartForm(request, "Choose a statement file");
    const file = form.files.find((f) => f.field === "file");
    if (!file || file.data.length === 0) throw new AppError("validation_failed", { field: "file", message: "Choose a statement file to import." });
    const account = form.fields.account?.trim() || null;
    if (account !== null && account.length > 64) throw new AppError("validation_failed", { field: "account", message: "The account is at most 64 characters." });
    const report = await importBankStatement(deps, {
      file: file.data,
      fileName: file.name?.slice(0, 200) ?? null,
      account,
      csvMapping: undefined,
      skipRejected: form.fields.skipRejected === "true",
      source: "console",
    });
    const ok = `Imported: ${report.entriesRead} entries read, ${report.matched} matched, ${report.duplicates} duplicates, ${report.unmatched} unmatched, ${report.rejected} rejected.`;
    return reply.redirect(`${backTo(BACK, { ok })}&import=${report.importId}`, 303);
  } catch (err) {
    if (err instanceof AppError && err.status < 500) return reply.redirect(backTo(BACK, { error: err.message }), 303);
    throw err;
  }
}

export const statementsSection: DashboardSection = {
  id: "statements",
  title: "Bank statements",
  act: "statements.import",
  async render(deps, ctx) {
    return html`${uploadForm(ctx.csrf)}${await reportOrNotice(deps, ctx.query.import)}${await importsTable(deps)}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    // Its own scope: only this route reads multipart bodies, bounded by the statement limit.
    void app.register(async (scope) => {
      bufferMultipartBodies(scope, { maxBytes: deps.config.statementMaxBytes + FORM_OVERHEAD_BYTES, maxParts: 4, maxFiles: 1 });
      scope.post("/dashboard/statements/upload", { schema: { hide: true } }, async (request, reply) => upload(deps, request, reply));
    });
  },
};
