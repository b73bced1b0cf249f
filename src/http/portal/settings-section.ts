// The merchant's settings: the trading pay-ins' payment window, accepted currencies, methods and banks,
// callback and return URLs, amount limits and dispute auto-resolve; each store's served countries,
// default IPN, success and cancel URLs and KYC reuse; the risk thresholds and payer page access
// (settings-risk-settings.ts, through PUT /merchant/v1/risk/settings' use case); the merchant's own risk
// rules (settings-risk.ts).
// A form builds the body of PATCH /merchant/v1/settings from its text, checks it with the route's
// schema and calls the route's use case (patchMerchantSettings): only the fields sent change, all or
// nothing, for payments created after the change. A refused value comes back as the form with what was
// typed and the error next to the field the API names (400); other refusals as the notice.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Deps } from "../../app/deps.js";
import { merchantSettings, patchMerchantSettings } from "../../app/merchants/merchant-settings.js";
import { putRiskSettings } from "../../app/risk/manage-rules.js";
import { AppError } from "../../core/shared/errors.js";
import { formatFiatAmount } from "../../core/trading/fiat-amount.js";
import { sentValues } from "../dashboard/risk-rules.js";
import { checkSettingsPatch, settingsPatchInput } from "../merchant/settings-patch.js";
import { html, type SafeHtml } from "../pages/html.js";
import { backTo } from "../pages/send-page.js";
import { principalOf } from "../plugins/principal.js";
import { portalRefused } from "./portal-answers.js";
import type { PortalContext, PortalSection, SendPortalPage } from "./portal-section.js";
import { field, formError, formFields, formNumber, type Sent } from "./settings-form.js";
import { riskRuleActions, riskRuleItem, riskRulesCard } from "./settings-risk.js";
import { RISK_SETTINGS_FORM, RISK_SETTINGS_PATH, riskSettingsBody, riskSettingsCard } from "./settings-risk-settings.js";

const BACK = "/merchant/settings";
const APPLIES = "Applies to payments created from now on.";

const TRADING_FIELDS = ["paymentWindowMinutes", "disputeAutoResolveMinutes", "minFiatAmount", "maxFiatAmount", "fiatCurrency", "fiatCurrencies", "allowedMethods", "allowedBanks", "webhookUrl", "returnUrl"] as const;
// A store's form is told apart from the page's named forms ("trading", "risk") by its prefix: a
// merchant may name a store "risk" itself.
const storeForm = (storeId: string) => `store:${storeId}`;
const STORE_FIELDS = ["servedCountries", "defaultIpnUrl", "defaultSuccessUrl", "defaultCancelUrl", "kycValidityDays"] as const;

const listText = (v: readonly string[] | null) => (v === null ? "" : v.join(", "));

async function settingsPage(deps: Deps, ctx: PortalContext, sent?: Sent): Promise<SafeHtml> {
  const s = await merchantSettings(deps, ctx.merchantId, { limit: 50 });
  const t = s.trading;
  let trading: SafeHtml;
  if (t) {
    const e = formError(sent, "trading", TRADING_FIELDS);
    const stored: Record<(typeof TRADING_FIELDS)[number], string | number | null> = {
      paymentWindowMinutes: t.paymentWindowSeconds / 60,
      disputeAutoResolveMinutes: t.disputeAutoResolveMinutes,
      minFiatAmount: formatFiatAmount(t.minFiatMinor),
      maxFiatAmount: formatFiatAmount(t.maxFiatMinor),
      fiatCurrency: t.fiatCurrency,
      fiatCurrencies: listText(t.fiatCurrencies),
      allowedMethods: listText(t.allowedMethods),
      allowedBanks: listText(t.allowedBanks),
      webhookUrl: t.webhookUrl,
      returnUrl: t.returnUrl,
    };
    const f = (name: (typeof TRADING_FIELDS)[number], label: string, extra: SafeHtml) =>
      field(name, name, label, sent?.form === "trading" ? (sent.values[name] ?? "") : stored[name], e.at(name), extra);
    trading = html`<form method="post" action="${BACK}/trading" id="trading-settings" class="card" novalidate><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Trading pay-ins</h2>${e.summary}
<div class="filters">${f("paymentWindowMinutes", "Payment window (minutes)", html` inputmode="numeric" required`)}
${f("disputeAutoResolveMinutes", "Dispute auto-resolve (minutes)", html` inputmode="numeric"`)}
${f("minFiatAmount", "Minimum amount", html` inputmode="decimal"`)}
${f("maxFiatAmount", "Maximum amount", html` inputmode="decimal"`)}
${f("fiatCurrency", "Default currency", html` maxlength="3" autocomplete="off"`)}
${f("fiatCurrencies", "Accepted currencies (comma-separated)", html` maxlength="200" autocomplete="off"`)}
${f("allowedMethods", "Allowed methods (empty: all)", html` maxlength="2000" autocomplete="off"`)}
${f("allowedBanks", "Allowed banks (empty: all)", html` maxlength="14000" autocomplete="off"`)}
${f("webhookUrl", "Default callback (webhook) URL", html` type="url" maxlength="2000"`)}
${f("returnUrl", "Return URL", html` type="url" maxlength="2000"`)}</div>
<p class="muted">Amounts are in the pay-in's currency. ${APPLIES}</p>
<p><button type="submit">Save the trading settings</button></p></form>`;
  } else trading = html`<section class="card"><h2>Trading pay-ins</h2><p class="muted">Not enabled for this merchant: the operator enables them.</p></section>`;
  const stores = s.stores.items.map((st) => {
    if (!st.intent) return html`<section class="card" data-store="${st.storeId}"><h2>Store ${st.name} <span class="mono small-id">${st.storeId}</span></h2><p class="muted">Not set up for payment intents.</p></section>`;
    const e = formError(sent, storeForm(st.storeId), STORE_FIELDS);
    const stored: Record<(typeof STORE_FIELDS)[number], string | number | null> = { ...st.intent, servedCountries: listText(st.intent.servedCountries) };
    const f = (name: (typeof STORE_FIELDS)[number], label: string, extra: SafeHtml) =>
      field(`s-${st.storeId}-${name}`, `${st.storeId}-${name}`, label, sent?.form === storeForm(st.storeId) ? (sent.values[`${st.storeId}-${name}`] ?? "") : stored[name], e.at(name), extra);
    return html`<form method="post" action="${BACK}/stores/${st.storeId}" class="card" data-store="${st.storeId}" novalidate><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Store ${st.name} <span class="mono small-id">${st.storeId}</span></h2>${e.summary}
<div class="filters">${f("servedCountries", "Served countries (comma-separated)", html` maxlength="1000" autocomplete="off"`)}
${f("defaultIpnUrl", "Default IPN URL", html` type="url" maxlength="2000"`)}
${f("defaultSuccessUrl", "Default success URL", html` type="url" maxlength="2000"`)}
${f("defaultCancelUrl", "Default cancel URL", html` type="url" maxlength="2000"`)}
${f("kycValidityDays", "KYC reuse (days)", html` inputmode="numeric"`)}</div>
<p class="muted">${APPLIES}</p><p><button type="submit" class="secondary">Save the store</button></p></form>`;
  });
  // A refused form this page does not show (a store not set up for intents) still says why.
  const shown = sent && ((sent.form === "trading" && t) || sent.form === RISK_SETTINGS_FORM || s.stores.items.some((st) => st.intent && storeForm(st.storeId) === sent.form));
  const unshown = sent && !shown ? html`<p class="card error" role="alert">${sent.error.message}</p>` : "";
  return html`${unshown}${trading}${stores}${await riskSettingsCard(deps, ctx, sent)}${await riskRulesCard(deps, ctx)}`;
}

const list = (v: string) => v.split(/[\s,;]+/).filter((x) => x !== "");
const orNull = (v: string) => (v === "" ? null : v);

function tradingBody(b: unknown): Record<string, unknown> {
  const { given, carried } = formFields(b, (k) => k);
  return {
    ...given("paymentWindowMinutes", formNumber),
    ...given("disputeAutoResolveMinutes", formNumber),
    ...given("minFiatAmount", (t) => t),
    ...given("maxFiatAmount", (t) => t),
    ...given("fiatCurrency", (t) => t.toUpperCase()),
    ...carried("fiatCurrencies", (t) => list(t.toUpperCase())),
    ...carried("allowedMethods", (t) => (t === "" ? null : list(t))),
    ...carried("allowedBanks", (t) => (t === "" ? null : list(t))),
    ...carried("webhookUrl", orNull),
    ...carried("returnUrl", orNull),
  };
}

function storeBody(b: unknown, storeId: string): Record<string, unknown> {
  const { given, carried } = formFields(b, (k) => `${storeId}-${k}`);
  return {
    storeId,
    ...given("servedCountries", list),
    ...given("kycValidityDays", formNumber),
    ...carried("defaultIpnUrl", orNull),
    ...carried("defaultSuccessUrl", orNull),
    ...carried("defaultCancelUrl", orNull),
  };
}

export const settingsSection: PortalSection = {
  id: "settings",
  title: "Settings",
  permission: "settings",
  render: (deps, ctx) => settingsPage(deps, ctx),
  renderItem: riskRuleItem,
  actions(app: FastifyInstance, deps: Deps, send: SendPortalPage) {
    const merchantOf = (request: FastifyRequest) => principalOf(request, "merchant_user").merchantId;
    /** Runs the API's use case (`change`); a refused value sends form `form` back (400). */
    const save = async (request: FastifyRequest, reply: FastifyReply, form: string, change: () => Promise<unknown>, ok: string) => {
      try {
        await change();
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== "validation_failed") return portalRefused(reply, BACK, err);
        const sent: Sent = { form, values: sentValues((request.body ?? {}) as Record<string, unknown>), error: { field: err.field ?? "", message: err.message } };
        return send(request, reply, "settings", 400, async (ctx) => ({ title: "Settings", body: await settingsPage(deps, ctx, sent) }));
      }
      return reply.redirect(backTo(BACK, { ok }), 303);
    };
    /** PATCH /merchant/v1/settings' check and use case. */
    // The body is read inside `save`: a field it refuses is shown on the form like the API's refusals.
    const patch = (request: FastifyRequest, body: () => Record<string, unknown>) => () => patchMerchantSettings(deps, merchantOf(request), settingsPatchInput(checkSettingsPatch(body())));
    app.post(`${BACK}/trading`, { schema: { hide: true } }, async (request, reply) => save(request, reply, "trading", patch(request, () => ({ trading: tradingBody(request.body) })), `Trading settings saved. ${APPLIES}`));
    app.post<{ Params: { storeId: string } }>(
      `${BACK}/stores/:storeId`,
      { schema: { hide: true, params: { type: "object", properties: { storeId: { type: "string", minLength: 1, maxLength: 64 } }, required: ["storeId"] } } },
      async (request, reply) => {
        const id = request.params.storeId;
        return save(request, reply, storeForm(id), patch(request, () => ({ stores: [storeBody(request.body, id)] })), `Store ${id} saved. ${APPLIES}`);
      },
    );
    app.post(RISK_SETTINGS_PATH, { schema: { hide: true } }, async (request, reply) =>
      save(request, reply, RISK_SETTINGS_FORM, () => putRiskSettings(deps, merchantOf(request), riskSettingsBody(request.body)), "Risk settings saved: they apply from the next payment."),
    );
    riskRuleActions(app, deps, send);
  },
};
