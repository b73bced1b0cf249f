// KYC review: the cases waiting for a manual decision (every case with RAMPART_KYC=manual, or one a
// vendor sent to review), each with the person's data and the uploaded documents side by side, and
// approve / reject with a reason. The forms call reviewCase, the same use case as
// POST /admin/v1/kyc/cases/:id/approve and /reject; the documents are served to the signed-in operator only.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { readKycDocument, reviewCase, reviewQueue } from "../../app/kyc/kyc-review.js";
import { AppError } from "../../core/shared/errors.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html } from "../pages/html.js";
import { operatorOf, type DashboardSection } from "./section.js";

const BACK = "/dashboard/kyc";
const CASE_ID = { type: "string", pattern: "^kyc_[0-9A-Za-z]{10,40}$" } as const;
/** What the file store holds for KYC uploads (the KYC page sniffs each file to one of these). */
const IMAGE_TYPES = new Set(["image/png", "image/jpeg"]);

type ReviewCase = Awaited<ReturnType<typeof reviewQueue>>["items"][number];

/** The stored key names the upload's kind (`kyc/<case>/<kind>-<uuid>`): the reviewer's caption. */
const kindOf = (key: string) => key.split("/").pop()!.replace(/-[0-9a-f-]{36}$/, "").replace(/_/g, " ");

function documents(c: ReviewCase, types: (string | null)[]) {
  if (c.files.length === 0) return html`<p class="muted">No documents were uploaded with this case.</p>`;
  return html`<div style="display:flex;flex-wrap:wrap;gap:12px">${c.files.map((key, n) => {
    const url = `/dashboard/kyc/${c.id}/documents/${n}`;
    const caption = kindOf(key);
    return html`<figure class="receipt" style="margin:0;flex:1 1 240px;min-width:0"><figcaption>${caption}</figcaption>${
      types[n] !== null && IMAGE_TYPES.has(types[n]!)
        ? html`<a href="${url}"><img src="${url}" alt="${caption} of ${c.first_name ?? ""} ${c.last_name ?? ""}"></a>`
        : html`<p><a href="${url}">Open ${caption} (${types[n] ?? "missing"})</a></p>`
    }</figure>`;
  })}</div>`;
}

function caseCard(c: ReviewCase, types: (string | null)[], csrf: string) {
  const rows: [string, string | null][] = [
    ["Name", [c.first_name, c.last_name].filter(Boolean).join(" ") || null],
    ["Born", c.birth_date],
    ["Document", [c.document_type, c.document_number].filter(Boolean).join(" · ") || null],
    ["Country / nationality", [c.country, c.nationality].filter(Boolean).join(" / ") || null],
    ["E-mail", c.email],
    ["Phone", c.phone_number ? `${c.phone_country_code ?? ""} ${c.phone_number}` : null],
    ["Store", c.store_id],
  ];
  return html`<div class="card" data-case="${c.id}"><h2>Case <span class="mono wrap">${c.id}</span> <span class="status warn">${c.status}</span></h2>
${rows.map(([k, v]) => html`<div class="row"><span>${k}</span><span class="wrap">${v ?? "—"}</span></div>`)}
<div class="row"><span>Waiting since</span><span>${when(c.updated_at)}</span></div>
<h3>Documents</h3>${documents(c, types)}
<form class="inline" method="post" action="/dashboard/kyc/${c.id}/approve">
<input type="hidden" name="csrf" value="${csrf}"><button type="submit">Approve</button></form>
<form method="post" action="/dashboard/kyc/${c.id}/reject">
<input type="hidden" name="csrf" value="${csrf}">
<label for="reason-${c.id}">Reason for rejecting (the payer and the merchant see it)</label>
<input id="reason-${c.id}" name="reason" minlength="3" maxlength="500" required>
<p><button type="submit" class="danger">Reject</button></p></form></div>`;
}

/** The queue: one line per case; the operator opens a case to see its documents and decide. */
function queueTable(items: ReviewCase[], open: string | undefined) {
  return html`<div class="card"><h2>Waiting, oldest first</h2><div class="scroll"><table><thead><tr><th>Case</th><th>Name</th><th>Country</th><th>Documents</th><th>Waiting since</th></tr></thead>
<tbody>${items.map(
    (c) => html`<tr data-queued="${c.id}"><td class="mono"><a href="/dashboard/kyc?case=${c.id}"${c.id === open ? html` aria-current="true"` : ""}>${c.id}</a></td>
<td>${[c.first_name, c.last_name].filter(Boolean).join(" ") || "—"}</td><td>${c.country ?? "—"}</td><td class="mono">${c.files.length}</td><td>${when(c.updated_at)}</td></tr>`,
  )}</tbody></table></div></div>`;
}

export const kycSection: DashboardSection = {
  id: "kyc",
  title: "KYC review",
  act: "kyc.review",
  async render(deps, ctx) {
    const page = await reviewQueue(deps, { limit: 50 });
    if (page.items.length === 0) return html`<div class="card"><p class="muted">No KYC case waits for a decision.</p></div>`;
    // The open case (the first by default) is drawn with its documents: only its files are read.
    const open = page.items.find((c) => c.id === ctx.query.case) ?? page.items[0]!;
    const types = await Promise.all(open.files.map((_, n) => readKycDocument(deps, open.id, n).then((f) => f.contentType, () => null)));
    return html`${caseCard(open, types, ctx.csrf)}${queueTable(page.items, open.id)}${page.nextCursor ? html`<p class="muted">The first 50: decide these to see more.</p>` : ""}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    const params = { type: "object", properties: { id: CASE_ID }, required: ["id"] } as const;
    app.post<{ Params: { id: string } }>("/dashboard/kyc/:id/approve", { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const c = await reviewCase(deps, request.params.id, "approve", operatorOf(request));
        return `Case ${c.id} is ${c.status}.`;
      }),
    );
    app.post<{ Params: { id: string }; Body: { reason?: unknown } }>("/dashboard/kyc/:id/reject", { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const reason = typeof request.body?.reason === "string" ? request.body.reason.trim() : "";
        if (reason.length < 3 || reason.length > 500) throw new AppError("validation_failed", { field: "reason", message: "Give a reason of 3 to 500 characters." });
        const c = await reviewCase(deps, request.params.id, "reject", operatorOf(request), reason);
        return `Case ${c.id} is ${c.status}.`;
      }),
    );
    // A document as stored, for the reviewer's eyes only: its own sniffed type, never sniffed again by
    // the browser, never cached, and rendered in a sandbox with no script (a PDF opens in the viewer).
    app.get<{ Params: { id: string; n: number } }>(
      "/dashboard/kyc/:id/documents/:n",
      { schema: { hide: true, params: { type: "object", properties: { id: CASE_ID, n: { type: "integer", minimum: 0, maximum: 20 } }, required: ["id", "n"] } } },
      async (request, reply) => {
        const file = await readKycDocument(deps, request.params.id, request.params.n);
        return reply
          .header("content-type", file.contentType)
          .header("content-disposition", "inline")
          .header("x-content-type-options", "nosniff")
          .header("cache-control", "no-store")
          .header("content-security-policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
          .send(file.data);
      },
    );
  },
};
