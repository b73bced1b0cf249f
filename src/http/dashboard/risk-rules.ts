// The Risk page's rules: the platform's defaults, or one merchant's with ?merchant=. An admin adds a
// rule through the form of its kind (/dashboard/risk/new-<kind>), edits one (/dashboard/risk/<rule id>:
// name, weight, parameters, enabled) and disables or enables one from the list, each through the use
// case of /admin/v1/risk/rules (POST, PATCH), so the API's validation judges it. A refused form comes
// back with what was typed and the error next to its field (status 400); a rule applies from the next
// payment (the rule cache is invalidated in the change's transaction).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { merchantOr404 } from "../../app/merchants/merchants.js";
import { listRiskRules, readRiskRule, type RuleScope, updateRiskRule } from "../../app/risk/manage-rules.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid, UUID_PATTERN } from "../../core/shared/uuid.js";
import { runFormAction } from "../pages/form-action.js";
import { html, type SafeHtml } from "../pages/html.js";
import { backTo } from "../pages/send-page.js";
import { addRuleFromForm, type FieldError, formValuesOf, isRuleKind, postedRuleKind, RULE_KINDS, type RuleKind, ruleForm, ruleHead, specFromForm } from "./risk-rule-form.js";
import type { SectionContext, SectionPages } from "./section.js";

const BACK = "/dashboard/risk";
const NEW = "new-";

type Rule = Awaited<ReturnType<typeof listRiskRules>>[number];

/** Whose rules: ?merchant=<id>, else the platform's. */
async function scopeOf(deps: Deps, merchant: string | undefined): Promise<{ scope: RuleScope; label: SafeHtml | string; query: string }> {
  if (merchant === undefined || merchant === "") return { scope: { merchantId: null }, label: "Platform defaults (every merchant)", query: "" };
  const m = await merchantOr404(deps, merchant);
  // The id may break anywhere: unbroken, it is wider than a phone's screen in a heading.
  return { scope: { merchantId: m.id }, label: html`${m.name} <span class="wrap">(${m.id})</span>`, query: `?merchant=${m.id}` };
}

export const specText = (spec: unknown) => {
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
        ? html`<td><a class="btn secondary small" href="${BACK}/${r.id}${scopeQuery}">Edit <span class="visually-hidden">${r.name}</span></a>
<form class="inline" method="post" action="${BACK}/rules/${r.id}/enabled${scopeQuery}"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="enabled" value="${r.enabled ? "false" : "true"}"><button type="submit" class="secondary small">${r.enabled ? "Disable" : "Enable"} <span class="visually-hidden">${r.name}</span></button></form></td>`
        : ""
    }</tr>`,
  )}</tbody></table></div>`;
}

/** One link per kind to its form. */
function addRuleLinks(scopeQuery: string): SafeHtml {
  return html`<h3>Add a rule</h3><ul class="plain">${(Object.keys(RULE_KINDS) as RuleKind[]).map(
    (k) => html`<li><a href="${BACK}/${NEW}${k}${scopeQuery}" data-add-kind="${k}">${RULE_KINDS[k].title}</a> <span class="muted">fires when ${RULE_KINDS[k].fires}</span></li>`,
  )}</ul>`;
}

export async function rulesCard(deps: Deps, ctx: SectionContext): Promise<SafeHtml> {
  const merchant = ctx.query.merchant;
  const chooser = html`<form method="get" action="${BACK}"><label for="rules-merchant">Merchant id (empty: the platform's defaults)</label>
<input id="rules-merchant" name="merchant" value="${merchant ?? ""}" autocomplete="off"><p><button type="submit" class="secondary">Show its rules</button></p></form>`;
  let shown: Awaited<ReturnType<typeof scopeOf>>;
  try {
    shown = await scopeOf(deps, merchant);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return html`<div class="card" id="rules"><h2>Rules</h2><p class="error">No merchant has this id.</p>${chooser}</div>`;
    throw err;
  }
  const canConfigure = ctx.can("configure");
  const rules = await listRiskRules(deps, shown.scope);
  return html`<div class="card" id="rules"><h2>Rules: ${shown.label}</h2>${chooser}${rulesTable(rules, shown.query, canConfigure, ctx.csrf)}
${canConfigure ? addRuleLinks(shown.query) : ""}</div>`;
}

/** What a form page shows: the add form of a kind, or the edit form of a stored rule. */
type FormTarget = { kind: RuleKind; rule?: Rule };

async function formPage(deps: Deps, ctx: SectionContext, target: FormTarget, sent?: { values: Record<string, string>; error: FieldError }) {
  const { label, query } = await scopeOf(deps, ctx.query.merchant);
  const { kind, rule } = target;
  const title = rule ? `Edit rule: ${rule.name}` : `Add a rule: ${RULE_KINDS[kind].title}`;
  const back = html`<p><a href="${BACK}${query}#rules">Back to the rules</a></p>`;
  if (!ctx.can("configure")) return { title, body: html`<div class="card"><p class="error">Your role cannot change risk rules (permission <code>configure</code>).</p>${back}</div>` };
  const values = sent?.values ?? (rule ? { name: rule.name, weight: String(rule.weight), ...formValuesOf(rule.spec) } : {});
  const form = ruleForm({
    action: rule ? `${BACK}/rules/${rule.id}${query}` : `${BACK}/rules${query}`,
    csrf: ctx.csrf,
    kind,
    values,
    ...(sent ? { error: sent.error } : {}),
    ...(rule ? { edit: { enabled: sent ? sent.values.enabled === "on" : rule.enabled } } : {}),
  });
  return { title, body: html`<div class="card"><p class="muted">Rules of ${label}.</p>${form}${back}</div>` };
}

/** /dashboard/risk/new-<kind> or /dashboard/risk/<rule id>; anything else is not found. */
export async function ruleFormItem(deps: Deps, ctx: SectionContext, item: string): Promise<{ title: string; body: SafeHtml }> {
  return formPage(deps, ctx, await targetOf(deps, ctx.query.merchant, item));
}

async function targetOf(deps: Deps, merchant: string | undefined, item: string): Promise<FormTarget> {
  const kind = item.startsWith(NEW) ? item.slice(NEW.length) : null;
  if (kind !== null && isRuleKind(kind)) return { kind };
  if (!isUuid(item)) throw new AppError("not_found", { message: "No such rule" });
  const rule = await readRiskRule(deps, (await scopeOf(deps, merchant)).scope, item);
  return { kind: (rule.spec as { kind: RuleKind }).kind, rule };
}

/** The form's fields as typed, to send them back with an error. */
export function sentValues(body: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter((e): e is [string, string] => typeof e[1] === "string" && e[0] !== "csrf"));
}

export function registerRuleActions(app: FastifyInstance, deps: Deps, pages: SectionPages): void {
  const scopeQuery = { type: "object", properties: { merchant: { type: "string", pattern: UUID_PATTERN } } } as const;
  const idParams = { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } as const;
  const back = (merchant: string | undefined) => (merchant && isUuid(merchant) ? `${BACK}?merchant=${merchant}` : BACK);
  type Req = FastifyRequest<{ Querystring: { merchant?: string }; Body: Record<string, unknown> | undefined }>;

  /**
   * Runs the use case; a validation error sends the form back (400) with what was typed and the error
   * at its field; any other refusal (an unknown merchant or rule) goes back to the list with a notice.
   */
  const submit = async (request: Req, reply: FastifyReply, target: () => Promise<FormTarget>, act: (scope: RuleScope, kind: RuleKind, body: Record<string, unknown>) => Promise<string>) => {
    const body = request.body ?? {};
    let t: FormTarget | undefined;
    try {
      t = await target();
      const ok = await act((await scopeOf(deps, request.query.merchant)).scope, t.kind, body);
      return reply.redirect(backTo(back(request.query.merchant), { ok }), 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      if (err.code !== "validation_failed" || !t) return reply.redirect(backTo(back(request.query.merchant), { error: err.message }), 303);
      const error = { field: err.field ?? "", message: err.message };
      const shown = t;
      return pages.send(request, reply, "risk", 400, (ctx) => formPage(deps, ctx, shown, { values: sentValues(body), error }));
    }
  };

  app.post<{ Querystring: { merchant?: string }; Body: Record<string, unknown> | undefined }>(`${BACK}/rules`, { schema: { hide: true, querystring: scopeQuery } }, async (request, reply) =>
    submit(
      request,
      reply,
      async () => ({ kind: postedRuleKind(request.body) }),
      async (scope, _kind, body) => `Rule "${(await addRuleFromForm(deps, scope, body)).name}" added: it applies from the next payment.`,
    ),
  );
  app.post<{ Params: { id: string }; Querystring: { merchant?: string }; Body: Record<string, unknown> | undefined }>(
    `${BACK}/rules/:id`,
    { schema: { hide: true, querystring: scopeQuery, params: idParams } },
    async (request, reply) =>
      submit(
        request,
        reply,
        () => targetOf(deps, request.query.merchant, request.params.id),
        async (scope, kind, body) => {
          const rule = await updateRiskRule(deps, scope, request.params.id, { ...ruleHead(body), spec: specFromForm(kind, body), enabled: body.enabled === "on" });
          return `Rule "${rule.name}" saved: it applies from the next payment.`;
        },
      ),
  );
  app.post<{ Params: { id: string }; Querystring: { merchant?: string }; Body: { enabled?: unknown } }>(
    `${BACK}/rules/:id/enabled`,
    { schema: { hide: true, querystring: scopeQuery, params: idParams } },
    async (request, reply) =>
      runFormAction(reply, back(request.query.merchant), async () => {
        const { scope } = await scopeOf(deps, request.query.merchant);
        const rule = await updateRiskRule(deps, scope, request.params.id, { enabled: request.body?.enabled === "true" });
        return `Rule "${rule.name}" ${rule.enabled ? "enabled" : "disabled"}.`;
      }),
  );
}
