// The console's rule forms: one per rule kind, its fields named for the rule vocabulary (docs/risk.md,
// "Rule vocabulary"), each with a label and a hint. The form only turns its text fields into the JSON
// the operator API takes (integers from digits, lists from lines); judging the rule is
// core/risk/rules.ts parseRuleSpec's, reached through the same use cases as /admin/v1/risk/rules, and
// the field its error names (`spec.limit`, `weight`) is where the page shows it.
import type { Deps } from "../../app/deps.js";
import { createRiskRule, type RuleScope } from "../../app/risk/manage-rules.js";
import { LIST_SIGNALS, type RiskRuleSpec, VELOCITY_SIGNALS } from "../../core/risk/rules.js";
import { AppError } from "../../core/shared/errors.js";
import { html, raw, type SafeHtml } from "../pages/html.js";

export type RuleKind = RiskRuleSpec["kind"];

type Field = { name: string; label: string; hint: string } & (
  | { input: "int" | "amount" | "currency" | "lines" | "codes" }
  /** velocity's limit: an integer for a count, minor units (a string) for a sum. */
  | { input: "velocity-limit" }
  | { input: "choice"; choices: readonly string[] }
);

const WINDOW: Field = { name: "windowSeconds", label: "Window (seconds)", hint: "1 to 2678400 (31 days); 600 is 10 minutes, 86400 a day.", input: "int" };
const CURRENCY: Field = { name: "currency", label: "Currency", hint: "ISO code of the payments it applies to, e.g. RUB or EUR.", input: "currency" };
const MAX_AMOUNT: Field = {
  name: "maxAmount",
  label: "Maximum amount (minor units)",
  hint: "An integer in the currency's minor units: 5000000 is 50,000.00. Over it, the rule fires.",
  input: "amount",
};

/** Every kind the vocabulary has, with what makes it fire and its parameters. */
export const RULE_KINDS: Record<RuleKind, { title: string; fires: string; fields: readonly Field[] }> = {
  velocity: {
    title: "Velocity",
    fires: "this payment makes more than the limit for one signal value within the window",
    fields: [
      { name: "signal", label: "Counted per", hint: "The payer signal whose value is counted.", input: "choice", choices: VELOCITY_SIGNALS },
      { name: "measure", label: "Measure", hint: "count: the number of payments; sum: their total in one currency.", input: "choice", choices: ["count", "sum"] },
      WINDOW,
      { name: "limit", label: "Limit", hint: "count: payments allowed in the window; sum: the total allowed, in minor units.", input: "velocity-limit" },
      { ...CURRENCY, hint: "For a sum only: the ISO code of the payments summed." },
    ],
  },
  distinct_users_per_fingerprint: {
    title: "Shared device",
    fires: "more than the limit of distinct userIds used one fingerprint within the window",
    fields: [WINDOW, { name: "limit", label: "Distinct userIds allowed", hint: "An integer from 1.", input: "int" }],
  },
  ftd_cap: { title: "First-time deposit cap", fires: "a deposit with depositType FTD is over the maximum", fields: [CURRENCY, MAX_AMOUNT] },
  new_account: {
    title: "New account",
    fires: "the payer registered less than the given hours ago and pays over the maximum (0: any amount)",
    fields: [{ name: "hours", label: "Account younger than (hours)", hint: "An integer from 1.", input: "int" }, CURRENCY, { ...MAX_AMOUNT, hint: `${MAX_AMOUNT.hint} 0 means any amount.` }],
  },
  first_payments: {
    title: "First payments",
    fires: "one of the payer's first payments seen by Rampart is over the maximum",
    fields: [{ name: "payments", label: "First payments watched", hint: "How many of the payer's first payments, 1 to 1000.", input: "int" }, CURRENCY, MAX_AMOUNT],
  },
  list: {
    title: "List",
    fires: "the signal's value is listed (block adds the weight; allow decides allow on its own)",
    fields: [
      { name: "signal", label: "Signal", hint: "What the values are.", input: "choice", choices: LIST_SIGNALS },
      { name: "mode", label: "Mode", hint: "block: a hit adds the weight; allow: a hit allows the payment whatever the score.", input: "choice", choices: ["block", "allow"] },
      { name: "values", label: "Values", hint: "One per line. IPs may be CIDR blocks (IPv4 or IPv6); a BIN is 6 to 8 digits.", input: "lines" },
    ],
  },
  disposable_email: { title: "Disposable e-mail", fires: "the e-mail's domain is on the maintained list of disposable-mail domains", fields: [] },
  ip_country_mismatch: {
    title: "IP country mismatch",
    fires: "the IP's country (offline lookup) differs from the country compared with",
    fields: [{ name: "against", label: "Compared with", hint: "declaredCountry: the intent's countryIsoCode; cardCountry: the card's country.", input: "choice", choices: ["declaredCountry", "cardCountry"] }],
  },
  served_countries: {
    title: "Served countries",
    fires: "the IP's country is not one of them",
    fields: [{ name: "countries", label: "Served countries", hint: "ISO 3166 alpha-2 codes separated by commas or spaces, e.g. ES, PT.", input: "codes" }],
  },
  payer_disputes: {
    title: "Payer disputes",
    fires: "the payer's trading disputes were decided \"not paid\" more than the limit",
    fields: [{ name: "limit", label: "Not-paid disputes allowed", hint: "An integer from 0.", input: "int" }],
  },
};

export const isRuleKind = (k: unknown): k is RuleKind => typeof k === "string" && Object.hasOwn(RULE_KINDS, k);

/** The kind an add form posted: an unknown one is not found (there is no such form). */
export function postedRuleKind(body: Record<string, unknown> | undefined): RuleKind {
  const kind = body?.kind;
  if (!isRuleKind(kind)) throw new AppError("not_found", { message: "No such rule kind" });
  return kind;
}

/** An add form's rule, created in `scope` (the console's Risk page and the portal's settings page alike). */
export function addRuleFromForm(deps: Deps, scope: RuleScope, body: Record<string, unknown>) {
  const kind = postedRuleKind(body);
  return createRiskRule(deps, scope, { ...ruleHead(body), spec: specFromForm(kind, body) });
}

/** The form's text as the API's JSON would carry it; anything else goes on as typed, for the API's own message. */
const formInt = (v: string): unknown => (/^-?[0-9]{1,15}$/.test(v) ? Number(v) : v);

/** A submitted form's name and weight as the operator API takes them. */
export function ruleHead(body: Record<string, unknown>): { name: unknown; weight: unknown } {
  const text = (k: string) => (typeof body[k] === "string" ? (body[k] as string).trim() : "");
  const weight = text("weight");
  return { name: text("name"), weight: weight === "" ? undefined : formInt(weight) };
}

/** A submitted form's parameters as the rule's `spec` (validated by the use case, not here). */
export function specFromForm(kind: RuleKind, body: Record<string, unknown>): Record<string, unknown> {
  const spec: Record<string, unknown> = { kind };
  for (const f of RULE_KINDS[kind].fields) {
    const v = typeof body[f.name] === "string" ? (body[f.name] as string).trim() : "";
    if (v === "") continue;
    if (f.input === "int") spec[f.name] = formInt(v);
    else if (f.input === "velocity-limit") spec[f.name] = body.measure === "sum" ? v : formInt(v);
    else if (f.input === "lines") spec[f.name] = v.split(/\r?\n/).map((x) => x.trim()).filter((x) => x !== "");
    else if (f.input === "codes") spec[f.name] = v.split(/[\s,;]+/).filter((x) => x !== "");
    else spec[f.name] = v;
  }
  // A count has no currency: one left in the field is not sent.
  if (kind === "velocity" && spec.measure !== "sum") delete spec.currency;
  return spec;
}

/** A stored rule's parameters as the form's text. */
export function formValuesOf(spec: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(spec as Record<string, unknown>)) {
    if (k !== "kind") out[k] = Array.isArray(v) ? v.join(k === "values" ? "\n" : ", ") : String(v);
  }
  return out;
}

export interface FieldError {
  field: string;
  message: string;
}

/** The form field an API error names (`spec.limit` → limit); null: the rule as a whole. */
const fieldOf = (err: FieldError | undefined, kind: RuleKind): string | null => {
  if (!err) return null;
  const name = err.field.startsWith("spec.") ? err.field.slice(5) : err.field;
  return name === "name" || name === "weight" || RULE_KINDS[kind].fields.some((f) => f.name === name) ? name : null;
};

function fieldHtml(f: Pick<Field, "name" | "label" | "hint"> & { input: Field["input"] | "text" }, value: string, error: string | null, choices?: readonly string[]): SafeHtml {
  const id = `rule-${f.name}`;
  const described = raw(`aria-describedby="${id}-hint${error ? ` ${id}-error` : ""}"${error ? ' aria-invalid="true"' : ""}`);
  const control =
    f.input === "choice"
      ? html`<select id="${id}" name="${f.name}" ${described}>${(choices ?? []).map((c) => html`<option value="${c}"${c === value ? raw(" selected") : ""}>${c}</option>`)}</select>`
      : f.input === "lines"
        ? html`<textarea id="${id}" name="${f.name}" rows="4" class="mono" ${described}>${value}</textarea>`
        : html`<input id="${id}" name="${f.name}" value="${value}"${f.input === "int" || f.input === "amount" ? raw(' inputmode="numeric"') : ""} autocomplete="off" ${described}>`;
  return html`<label for="${id}">${f.label}</label>${control}<p class="muted meta" id="${id}-hint">${f.hint}</p>${error ? html`<p class="error meta" id="${id}-error">${error}</p>` : ""}`;
}

/**
 * The add or edit form of a rule of `kind`. `values` are the fields' text (a stored rule's, or what
 * was sent); `error` is the use case's refusal, shown next to the field it names.
 */
export function ruleForm(opts: { action: string; csrf: string; kind: RuleKind; values: Record<string, string>; error?: FieldError; edit?: { enabled: boolean } }): SafeHtml {
  const { kind, values, error } = opts;
  const def = RULE_KINDS[kind];
  const at = fieldOf(error, kind);
  const errorFor = (name: string) => (at === name ? error!.message : null);
  return html`<form method="post" action="${opts.action}" id="rule-form" data-kind="${kind}" novalidate><input type="hidden" name="csrf" value="${opts.csrf}"><input type="hidden" name="kind" value="${kind}">
<p class="muted">${def.title} (<span class="mono">${kind}</span>): fires when ${def.fires}. It applies from the next payment.</p>
${error && at === null ? html`<p class="error" role="alert" id="rule-error">${error.message}</p>` : ""}
${fieldHtml({ name: "name", label: "Name", hint: "What the operator and the merchant see in the reasons, 1 to 200 characters.", input: "text" }, values.name ?? "", errorFor("name"))}
${fieldHtml({ name: "weight", label: "Weight", hint: "0 to 100, added to the payment's score when the rule fires.", input: "int" }, values.weight ?? "", errorFor("weight"))}
${def.fields.map((f) => fieldHtml(f, values[f.name] ?? "", errorFor(f.name), f.input === "choice" ? f.choices : undefined))}
${opts.edit ? html`<label><input type="checkbox" name="enabled" value="on"${opts.edit.enabled ? raw(" checked") : ""}> Enabled</label>` : ""}
${error && at !== null ? html`<p class="error" role="alert">The rule was not saved: see ${at}.</p>` : ""}
<p><button type="submit">${opts.edit ? "Save the rule" : "Add the rule"}</button></p></form>`;
}
