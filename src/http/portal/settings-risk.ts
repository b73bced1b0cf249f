// The merchant's own risk rules on the settings page: the list with enable/disable, edit and delete,
// and an add form per rule kind at /merchant/settings/new-<kind> (an edit at /merchant/settings/<rule
// id>). Each action calls the use case of /merchant/v1/risk/rules (create, update, delete) scoped to
// the session's merchant, so the API's validation judges it and another merchant's rule is not found;
// the forms are the console's (dashboard/risk-rule-form.ts), which show a refusal next to its field.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { deleteRiskRule, listRiskRules, readRiskRule, type RuleScope, updateRiskRule } from "../../app/risk/manage-rules.js";
import { AppError } from "../../core/shared/errors.js";
import { isUuid, UUID_PATTERN } from "../../core/shared/uuid.js";
import { addRuleFromForm, type FieldError, formValuesOf, isRuleKind, postedRuleKind, RULE_KINDS, type RuleKind, ruleForm, ruleHead, specFromForm } from "../dashboard/risk-rule-form.js";
import { sentValues, specText } from "../dashboard/risk-rules.js";
import { html, type SafeHtml } from "../pages/html.js";
import { backTo } from "../pages/send-page.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction, portalRefused } from "./portal-answers.js";
import type { PortalContext, SendPortalPage } from "./portal-section.js";

const BACK = "/merchant/settings";
const RULES = `${BACK}/risk-rules`;
const NEW = "new-";

type Rule = Awaited<ReturnType<typeof listRiskRules>>[number];

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`;

function ruleRow(r: Rule, csrf: string): SafeHtml {
  return html`<tr data-rule="${r.id}"><td>${r.name} <span class="muted">(${(r.spec as { kind: string }).kind})</span></td><td class="mono">${r.weight}</td>
<td class="mono wrap">${specText(r.spec)}</td><td>${r.enabled ? html`<span class="status ok">enabled</span>` : html`<span class="status bad">disabled</span>`}</td>
<td><a class="btn secondary small" href="${BACK}/${r.id}">Edit <span class="visually-hidden">${r.name}</span></a>
<form class="inline" method="post" action="${RULES}/${r.id}/enabled">${hidden(csrf)}<input type="hidden" name="enabled" value="${r.enabled ? "false" : "true"}"><button type="submit" class="secondary small">${r.enabled ? "Disable" : "Enable"} <span class="visually-hidden">${r.name}</span></button></form>
<details class="confirm"><summary class="btn secondary small">Delete… <span class="visually-hidden">${r.name}</span></summary><form method="post" action="${RULES}/${r.id}/delete">${hidden(csrf)}
<p>The rule stops applying from the next payment. This cannot be undone.</p><p><button type="submit" class="danger">Delete the rule</button></p></form></details></td></tr>`;
}

/** The settings page's Risk rules card: the merchant's rules and a link to each kind's add form. */
export async function riskRulesCard(deps: Deps, ctx: PortalContext): Promise<SafeHtml> {
  const rules = await listRiskRules(deps, { merchantId: ctx.merchantId });
  const table =
    rules.length === 0
      ? html`<p class="muted">No rules of your own: the platform's rules apply.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="Risk rules"><table><thead><tr><th>Rule</th><th>Weight</th><th>Parameters</th><th>State</th><th>Action</th></tr></thead>
<tbody>${rules.map((r) => ruleRow(r, ctx.csrf))}</tbody></table></div>`;
  return html`<section class="card" id="risk-rules"><h2>Risk rules</h2><p class="muted">A fired rule adds its weight to a payment's score; they apply from the next payment, beside the platform's rules.</p>${table}
<h3>Add a rule</h3><ul class="plain">${(Object.keys(RULE_KINDS) as RuleKind[]).map(
    (k) => html`<li><a href="${BACK}/${NEW}${k}" data-add-kind="${k}">${RULE_KINDS[k].title}</a> <span class="muted">fires when ${RULE_KINDS[k].fires}</span></li>`,
  )}</ul></section>`;
}

/** What a form page shows: the add form of a kind, or the edit form of one of the merchant's rules. */
type FormTarget = { kind: RuleKind; rule?: Rule };

async function targetOf(deps: Deps, scope: RuleScope, item: string): Promise<FormTarget> {
  const kind = item.startsWith(NEW) ? item.slice(NEW.length) : null;
  if (kind !== null && isRuleKind(kind)) return { kind };
  if (!isUuid(item)) throw new AppError("not_found", { message: "No such rule" });
  const rule = await readRiskRule(deps, scope, item);
  return { kind: (rule.spec as { kind: RuleKind }).kind, rule };
}

function formPage(ctx: PortalContext, { kind, rule }: FormTarget, sent?: { values: Record<string, string>; error: FieldError }): { title: string; body: SafeHtml } {
  const values = sent?.values ?? (rule ? { name: rule.name, weight: String(rule.weight), ...formValuesOf(rule.spec) } : {});
  const form = ruleForm({
    action: rule ? `${RULES}/${rule.id}` : RULES,
    csrf: ctx.csrf,
    kind,
    values,
    ...(sent ? { error: sent.error } : {}),
    ...(rule ? { edit: { enabled: sent ? sent.values.enabled === "on" : rule.enabled } } : {}),
  });
  return { title: rule ? `Edit rule: ${rule.name}` : `Add a risk rule: ${RULE_KINDS[kind].title}`, body: html`<div class="card">${form}<p><a href="${BACK}#risk-rules">Back to the settings</a></p></div>` };
}

/** /merchant/settings/new-<kind> or /merchant/settings/<rule id>; anything else is not found. */
export async function riskRuleItem(deps: Deps, ctx: PortalContext, item: string) {
  return formPage(ctx, await targetOf(deps, { merchantId: ctx.merchantId }, item));
}

export function riskRuleActions(app: FastifyInstance, deps: Deps, send: SendPortalPage): void {
  const idParams = { type: "object", properties: { id: { type: "string", pattern: UUID_PATTERN } }, required: ["id"] } as const;
  const scopeOf = (request: FastifyRequest): RuleScope => ({ merchantId: principalOf(request, "merchant_user").merchantId });
  type Body = Record<string, unknown> | undefined;

  /** Runs the use case; a validation error sends the form back (400) with what was typed and the error at its field. */
  const submit = async (request: FastifyRequest<{ Body: Body }>, reply: FastifyReply, target: () => Promise<FormTarget>, act: (t: FormTarget, body: Record<string, unknown>) => Promise<string>) => {
    const body = request.body ?? {};
    let t: FormTarget | undefined;
    try {
      t = await target();
      const ok = await act(t, body);
      return reply.redirect(backTo(BACK, { ok }), 303);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== "validation_failed" || !t) return portalRefused(reply, BACK, err);
      const shown = t;
      const error = { field: err.field ?? "", message: err.message };
      return send(request, reply, "settings", 400, async (ctx) => formPage(ctx, shown, { values: sentValues(body), error }));
    }
  };

  app.post<{ Body: Body }>(RULES, { schema: { hide: true } }, async (request, reply) =>
    submit(
      request,
      reply,
      async () => ({ kind: postedRuleKind(request.body) }),
      async (_t, body) => `Risk rule "${(await addRuleFromForm(deps, scopeOf(request), body)).name}" added: it applies from the next payment.`,
    ),
  );
  app.post<{ Params: { id: string }; Body: Body }>(`${RULES}/:id`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    submit(
      request,
      reply,
      () => targetOf(deps, scopeOf(request), request.params.id),
      async ({ kind }, body) => {
        const rule = await updateRiskRule(deps, scopeOf(request), request.params.id, { ...ruleHead(body), spec: specFromForm(kind, body), enabled: body.enabled === "on" });
        return `Risk rule "${rule.name}" saved: it applies from the next payment.`;
      },
    ),
  );
  app.post<{ Params: { id: string }; Body: { enabled?: unknown } | undefined }>(`${RULES}/:id/enabled`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    portalAction(reply, BACK, async () => {
      const rule = await updateRiskRule(deps, scopeOf(request), request.params.id, { enabled: request.body?.enabled === "true" });
      return `Risk rule "${rule.name}" ${rule.enabled ? "enabled" : "disabled"}.`;
    }),
  );
  app.post<{ Params: { id: string } }>(`${RULES}/:id/delete`, { schema: { hide: true, params: idParams } }, async (request, reply) =>
    portalAction(reply, BACK, async () => {
      await deleteRiskRule(deps, scopeOf(request), request.params.id);
      return "Risk rule deleted: it no longer applies from the next payment.";
    }),
  );
}
