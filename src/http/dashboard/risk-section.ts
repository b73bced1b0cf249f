// Risk: the review queue (payments the rules held, with every rule that fired or was not evaluated and
// the values it saw) and the rules (the platform's defaults, or one merchant's with ?merchant=). A
// review is released or rejected after a confirmation (worded as on the payment's own page,
// risk-review-actions.ts), through decideReview, the use case of
// POST /admin/v1/risk/reviews/:paymentId/release|reject; the rules' list and forms are risk-rules.ts
// (docs/risk.md, docs/console.md#risk).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { REVIEW_EFFECTS } from "../../app/risk/review-effects.js";
import { decideReview, riskDecisionsPage } from "../../app/risk/reviews.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { REVIEW_EFFECT_TEXT } from "./risk-review-actions.js";
import { registerRuleActions, ruleFormItem, rulesCard } from "./risk-rules.js";
import { operatorOf, type DashboardSection, type SectionPages } from "./section.js";

const BACK = "/dashboard/risk";
const QUEUE_SIZE = 100;
const PAYMENT_ID = "^[A-Za-z0-9_-]{1,64}$";

type Decision = Awaited<ReturnType<typeof riskDecisionsPage>>[number];
interface Reason {
  name: string;
  kind: string;
  outcome: "fired" | "not_evaluated";
  weight: number;
  seen: Record<string, unknown>;
}

const seenText = (seen: Record<string, unknown>) =>
  Object.entries(seen)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join("/") : String(v)}`)
    .join(", ");

function reasonsTable(d: Decision): SafeHtml {
  const reasons = d.reasons as Reason[];
  if (reasons.length === 0) return html`<p class="muted">No rule fired.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Reasons for ${d.paymentId}"><table><thead><tr><th>Rule</th><th>Outcome</th><th>Weight</th><th>Signal values seen</th></tr></thead>
<tbody>${reasons.map(
    (r) => html`<tr data-reason="${r.kind}"><td>${r.name} <span class="muted">(${r.kind})</span></td><td>${r.outcome === "fired" ? html`<span class="status warn">fired</span>` : "not evaluated"}</td>
<td class="mono">${r.weight}</td><td class="mono wrap">${seenText(r.seen)}</td></tr>`,
  )}</tbody></table></div>`;
}

/** Release or reject, each behind a confirmation that says what it does (nothing moves until it is sent). */
function reviewActions(d: Decision, csrf: string): SafeHtml {
  const form = (action: "release" | "reject", label: string, effect: string, danger: boolean) =>
    html`<details class="confirm"><summary class="btn">${label}…</summary>
<form method="post" action="${BACK}/reviews/${d.paymentId}/${action}"><input type="hidden" name="csrf" value="${csrf}">
<p>${effect}</p><p><button type="submit"${danger ? html` class="danger"` : ""}>Yes, ${action} <span class="mono">${d.paymentId}</span></button></p></form></details>`;
  const effect = REVIEW_EFFECT_TEXT[d.flow as keyof typeof REVIEW_EFFECT_TEXT];
  return html`${form("release", "Release", effect.release, false)}
${form("reject", "Reject", effect.reject, true)}`;
}

function reviewCard(d: Decision, canDecide: boolean, csrf: string): SafeHtml {
  // A card review is held on its offer's id, which has no payment page yet.
  const id = d.flow === "card" ? html`<span class="mono wrap">${d.paymentId}</span>` : html`<a class="mono wrap" href="/dashboard/payments/${d.paymentId}">${d.paymentId}</a>`;
  return html`<div class="card" data-review="${d.paymentId}"><h2>${d.flow} payment ${id} <span class="status warn">score ${d.score}</span></h2>
<div class="row"><span>Merchant</span><span class="mono wrap">${d.merchantId}</span></div>
<div class="row"><span>Held</span><span>${when(new Date(d.createdAt))}</span></div>
${reasonsTable(d)}${canDecide ? reviewActions(d, csrf) : ""}</div>`;
}

export const riskSection: DashboardSection = {
  id: "risk",
  title: "Risk",
  async render(deps, ctx) {
    const [queue, rules] = await Promise.all([
      riskDecisionsPage(deps, { pendingOnly: true, limit: QUEUE_SIZE }),
      rulesCard(deps, ctx),
    ]);
    const canDecide = ctx.can("payments.manage");
    return html`<h2>Review queue</h2>${
      queue.length === 0
        ? html`<div class="card"><p class="muted">No payment is waiting for a review.</p></div>`
        : html`<p class="muted">${queue.length} held, newest first (up to ${QUEUE_SIZE}).</p>${queue.map((d) => reviewCard(d, canDecide, ctx.csrf))}`
    }${rules}`;
  },
  renderItem: ruleFormItem,
  actions(app: FastifyInstance, deps: Deps, pages: SectionPages) {
    const reviewParams = { type: "object", properties: { paymentId: { type: "string", pattern: PAYMENT_ID } }, required: ["paymentId"] } as const;
    for (const action of ["release", "reject"] as const) {
      app.post<{ Params: { paymentId: string } }>(
        `${BACK}/reviews/:paymentId/${action}`,
        { schema: { hide: true, params: reviewParams }, config: { permission: "payments.manage" } },
        async (request, reply) =>
          runFormAction(reply, BACK, async () => {
            const d = await decideReview(deps, REVIEW_EFFECTS, request.params.paymentId, action, operatorOf(request));
            return `Payment ${d.paymentId} ${d.reviewStatus}.`;
          }),
      );
    }
    registerRuleActions(app, deps, pages);
  },
};
