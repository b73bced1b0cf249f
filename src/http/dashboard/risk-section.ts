// Risk: the review queue (payments the rules held, with every rule that fired or was not evaluated and
// the values it saw) and the rules (the platform's defaults, or one merchant's with ?merchant=). A
// review is released or rejected after a confirmation (worded as on the payment's own page,
// risk-review-actions.ts), through decideReview, the use case of
// POST /admin/v1/risk/reviews/:paymentId/release|reject; rules are added, disabled and enabled through
// the use cases of /admin/v1/risk/rules (docs/risk.md).
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { createRiskRule, listRiskRules, type RuleScope, updateRiskRule } from "../../app/risk/manage-rules.js";
import { REVIEW_EFFECTS } from "../../app/risk/review-effects.js";
import { decideReview, riskDecisionsPage } from "../../app/risk/reviews.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid, UUID_PATTERN } from "../../core/shared/uuid.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { REVIEW_EFFECT_TEXT } from "./risk-review-actions.js";
import { operatorOf, type DashboardSection } from "./section.js";

const BACK = "/dashboard/risk";
const QUEUE_SIZE = 100;
const PAYMENT_ID = "^[A-Za-z0-9_-]{1,64}$";

type Decision = Awaited<ReturnType<typeof riskDecisionsPage>>[number];
type Rule = Awaited<ReturnType<typeof listRiskRules>>[number];
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

const specText = (spec: unknown) => {
  const { kind: _kind, ...params } = spec as Record<string, unknown>;
  return JSON.stringify(params);
};

function rulesTable(rules: Rule[], scopeQuery: string, canConfigure: boolean, csrf: string): SafeHtml {
  if (rules.length === 0) return html`<p class="muted">No rules yet.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Rules"><table><thead><tr><th>Rule</th><th>Weight</th><th>Parameters</th><th>State</th>${canConfigure ? html`<th>Action</th>` : ""}</tr></thead>
<tbody>${rules.map(
    (r) => html`<tr data-rule="${r.id}"><td>${r.name} <span class="muted">(${(r.spec as { kind: string }).kind})</span></td><td class="mono">${r.weight}</td>
<td class="mono wrap">${specText(r.spec)}</td><td>${r.enabled ? html`<span class="status ok">enabled</span>` : html`<span class="status bad">disabled</span>`}</td>${
      canConfigure
        ? html`<td><form class="inline" method="post" action="${BACK}/rules/${r.id}/enabled${scopeQuery}"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="enabled" value="${r.enabled ? "false" : "true"}"><button type="submit" class="secondary small">${r.enabled ? "Disable" : "Enable"} <span class="visually-hidden">${r.name}</span></button></form></td>`
        : ""
    }</tr>`,
  )}</tbody></table></div>`;
}

function addRuleForm(scopeQuery: string, csrf: string): SafeHtml {
  return html`<form method="post" action="${BACK}/rules${scopeQuery}"><input type="hidden" name="csrf" value="${csrf}">
<h3>Add a rule (applies from the next payment)</h3>
<label for="rule-name">Name</label><input id="rule-name" name="name" maxlength="200" required>
<label for="rule-weight">Weight (0–100, added to the score when it fires)</label><input id="rule-weight" name="weight" inputmode="numeric" pattern="[0-9]{1,3}" required>
<label for="rule-spec">Rule as JSON: its kind and parameters (docs/risk.md, "Rule vocabulary")</label>
<textarea id="rule-spec" name="spec" rows="3" required class="mono">{"kind": "velocity", "signal": "userId", "measure": "count", "windowSeconds": 600, "limit": 3}</textarea>
<p><button type="submit">Add the rule</button></p></form>`;
}

/** Whose rules the page shows: ?merchant=<id>, else the platform's. */
async function scopeOf(deps: Deps, merchant: string | undefined): Promise<{ scope: RuleScope; label: string; query: string }> {
  if (merchant === undefined || merchant === "") return { scope: { merchantId: null }, label: "Platform defaults (every merchant)", query: "" };
  const m = await merchantOr404(deps, merchant);
  return { scope: { merchantId: m.id }, label: `${m.name} (${m.id})`, query: `?merchant=${m.id}` };
}

async function rulesCard(deps: Deps, merchant: string | undefined, canConfigure: boolean, csrf: string): Promise<SafeHtml> {
  const chooser = html`<form method="get" action="${BACK}"><label for="rules-merchant">Merchant id (empty: the platform's defaults)</label>
<input id="rules-merchant" name="merchant" value="${merchant ?? ""}" autocomplete="off"><p><button type="submit" class="secondary">Show its rules</button></p></form>`;
  let shown: Awaited<ReturnType<typeof scopeOf>>;
  try {
    shown = await scopeOf(deps, merchant);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return html`<div class="card" id="rules"><h2>Rules</h2><p class="error">No merchant has this id.</p>${chooser}</div>`;
    throw err;
  }
  const rules = await listRiskRules(deps, shown.scope);
  return html`<div class="card" id="rules"><h2>Rules: ${shown.label}</h2>${chooser}${rulesTable(rules, shown.query, canConfigure, csrf)}
${canConfigure ? addRuleForm(shown.query, csrf) : ""}</div>`;
}

function parseSpec(v: unknown): unknown {
  try {
    return JSON.parse(typeof v === "string" ? v : "");
  } catch {
    throw new AppError("validation_failed", { field: "spec", message: "The rule must be JSON, e.g. {\"kind\": \"disposable_email\"}." });
  }
}

function parseFormWeight(v: unknown): number {
  return typeof v === "string" && /^\d{1,3}$/.test(v.trim()) ? Number(v) : Number.NaN;
}

export const riskSection: DashboardSection = {
  id: "risk",
  title: "Risk",
  async render(deps, ctx) {
    const [queue, rules] = await Promise.all([
      riskDecisionsPage(deps, { pendingOnly: true, limit: QUEUE_SIZE }),
      rulesCard(deps, ctx.query.merchant, ctx.can("configure"), ctx.csrf),
    ]);
    const canDecide = ctx.can("payments.manage");
    return html`<h2>Review queue</h2>${
      queue.length === 0
        ? html`<div class="card"><p class="muted">No payment is waiting for a review.</p></div>`
        : html`<p class="muted">${queue.length} held, newest first (up to ${QUEUE_SIZE}).</p>${queue.map((d) => reviewCard(d, canDecide, ctx.csrf))}`
    }${rules}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
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
    const scopeQuery = { type: "object", properties: { merchant: { type: "string", pattern: UUID_PATTERN } } } as const;
    const back = (merchant: string | undefined) => (merchant && isUuid(merchant) ? `${BACK}?merchant=${merchant}` : BACK);
    app.post<{ Querystring: { merchant?: string }; Body: { name?: unknown; weight?: unknown; spec?: unknown } }>(
      `${BACK}/rules`,
      { schema: { hide: true, querystring: scopeQuery } },
      async (request, reply) =>
        runFormAction(reply, back(request.query.merchant), async () => {
          const { scope } = await scopeOf(deps, request.query.merchant);
          const b = request.body ?? {};
          const rule = await createRiskRule(deps, scope, { name: b.name, weight: parseFormWeight(b.weight), spec: parseSpec(b.spec) });
          return `Rule "${rule.name}" added: it applies from the next payment.`;
        }),
    );
    app.post<{ Params: { id: string }; Querystring: { merchant?: string }; Body: { enabled?: unknown } }>(
      `${BACK}/rules/:id/enabled`,
      { schema: { hide: true, querystring: scopeQuery, params: { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, back(request.query.merchant), async () => {
          const { scope } = await scopeOf(deps, request.query.merchant);
          const rule = await updateRiskRule(deps, scope, request.params.id, { enabled: request.body?.enabled === "true" });
          return `Rule "${rule.name}" ${rule.enabled ? "enabled" : "disabled"}.`;
        }),
    );
  },
};
