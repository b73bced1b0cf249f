// One store's page in the console (/dashboard/merchants/stores/<storeId>): its payment-intent
// settings as a form and the IPN secret's rotation. The form posts to saveIntentSettings and the
// rotation to rotateIpnSecret, the use cases of PUT /admin/v1/stores/:storeId/intent-settings and
// POST /admin/v1/stores/:storeId/ipn-secret/rotate; the core's check (checkIntentStoreSettings) judges
// the values. A new IPN secret (first settings, rotation) is shown once on the page the POST answers.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { getIntentSettings, type IntentSettingsView, rotateIpnSecret, saveIntentSettings, storeOr404 } from "../../app/intents/store-settings.js";
import { DEFAULT_INTENT_SETTINGS, type IntentStoreSettings } from "../../core/intents/store-settings.js";
import { AppError } from "../../core/shared/errors.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { backTo } from "../pages/send-page.js";
import { refused, shownOnce } from "./page-answers.js";
import { confirmAction } from "./confirm-action.js";
import type { SectionContext, SectionPages } from "./section.js";

const storePath = (id: string) => `/dashboard/merchants/stores/${encodeURIComponent(id)}`;
const PARAMS = { type: "object", properties: { storeId: { type: "string", minLength: 1, maxLength: 100 } }, required: ["storeId"] } as const;

function field(name: string, label: string, value: string | number, attrs: SafeHtml | string = "") {
  return html`<div><label for="s-${name}">${label}</label><input id="s-${name}" name="${name}" value="${String(value)}" ${attrs}></div>`;
}

function settingsForm(storeId: string, s: IntentSettingsView | null, ctx: SectionContext): SafeHtml {
  const v = s ?? { servedCountries: [], bank: { iban: "", bic: "", beneficiary: "", bankName: "" }, ...DEFAULT_INTENT_SETTINGS };
  return html`<form method="post" action="${storePath(storeId)}/intent-settings" id="intent-settings"><input type="hidden" name="csrf" value="${ctx.csrf}">
<div class="filters">
${field("servedCountries", "Served countries (codes, separated by commas)", v.servedCountries.join(", "), html`required`)}
${field("iban", "IBAN", v.bank.iban, html`required autocomplete="off"`)}
${field("bic", "BIC", v.bank.bic, html`required`)}
${field("beneficiary", "Beneficiary", v.bank.beneficiary, html`required`)}
${field("bankName", "Bank name", v.bank.bankName, html`required`)}
${field("paymentWindowSeconds", "Payment window (seconds)", v.paymentWindowSeconds, html`inputmode="numeric" required`)}
${field("kycWindowSeconds", "KYC window (seconds)", v.kycWindowSeconds, html`inputmode="numeric" required`)}
${field("kycValidityDays", "KYC validity (days)", v.kycValidityDays, html`inputmode="numeric" required`)}
<div><label for="s-mismatch">A transfer of another amount</label><select id="s-mismatch" name="acceptAmountMismatch">
<option value="false"${v.acceptAmountMismatch ? "" : html` selected`}>is refunded</option><option value="true"${v.acceptAmountMismatch ? html` selected` : ""}>recalculates the crypto</option></select></div>
</div><p><button type="submit">${s ? "Save the settings" : "Create the settings"}</button>${s ? "" : html` <span class="muted">The store's IPN secret is shown once on the next page.</span>`}</p></form>`;
}

/** The form's text as the API's body; the core's check says what is wrong with it. */
function settingsInput(b: Record<string, unknown>): IntentStoreSettings {
  const t = (k: string) => (typeof b[k] === "string" ? (b[k] as string) : "");
  const n = (k: string) => (/^\d{1,10}$/.test(t(k).trim()) ? Number(t(k).trim()) : Number.NaN);
  return {
    servedCountries: t("servedCountries").split(",").map((c) => c.trim()).filter(Boolean),
    bank: { iban: t("iban"), bic: t("bic"), beneficiary: t("beneficiary"), bankName: t("bankName") },
    paymentWindowSeconds: n("paymentWindowSeconds"),
    kycWindowSeconds: n("kycWindowSeconds"),
    kycValidityDays: n("kycValidityDays"),
    acceptAmountMismatch: t("acceptAmountMismatch") === "true",
  };
}

async function storePage(deps: Deps, ctx: SectionContext, storeId: string, before?: SafeHtml) {
  const store = await storeOr404(deps, storeId);
  let settings: IntentSettingsView | null = null;
  try {
    settings = await getIntentSettings(deps, storeId);
  } catch (err) {
    if (!(err instanceof AppError && err.code === "not_found")) throw err;
  }
  const act = ctx.can("configure");
  const rotate =
    settings && act
      ? confirmAction({
          label: "Rotate the IPN secret",
          summaryClass: "secondary",
          action: `${storePath(storeId)}/ipn-secret/rotate`,
          csrf: ctx.csrf,
          effect: "Every IPN sent from now on, pending ones included, is signed with the new secret: the merchant's server must switch to it.",
          yes: "Rotate the secret",
          danger: true,
        })
      : "";
  const summary = settings
    ? html`<div class="row"><span>Served countries</span><span>${settings.servedCountries.join(", ")}</span></div>
<div class="row"><span>Bank</span><span class="wrap">${settings.bank.bankName} · ${settings.bank.bic} · <span class="mono">${settings.bank.iban}</span> · ${settings.bank.beneficiary}</span></div>
<div class="row"><span>Windows</span><span>payment ${settings.paymentWindowSeconds} s · KYC ${settings.kycWindowSeconds} s · KYC valid ${settings.kycValidityDays} days</span></div>
<div class="row"><span>Another amount</span><span>${settings.acceptAmountMismatch ? "recalculates the crypto" : "is refunded"}</span></div>
<div class="row"><span>Updated</span><span>${when(settings.updatedAt)}</span></div>`
    : html`<p class="muted" id="no-settings">This store has no payment-intent settings yet.</p>`;
  return {
    title: `Store ${store.name}`,
    body: html`${before ?? ""}<div class="card" id="store" data-store="${store.id}"><div class="row"><span>Store id</span><span class="mono wrap">${store.id}</span></div>
<div class="row"><span>Merchant</span><span><a href="/dashboard/merchants/${store.merchant_id}">${store.merchant_id}</a></span></div></div>
<section class="card"><h2>Payment-intent settings</h2>${summary}${act ? settingsForm(store.id, settings, ctx) : ""}${rotate}</section>`,
  };
}

export function storeSettingsRoutes(app: FastifyInstance, deps: Deps, pages: SectionPages): void {
  app.get<{ Params: { storeId: string } }>("/dashboard/merchants/stores/:storeId", { schema: { hide: true, params: PARAMS } }, async (request, reply) =>
    pages.send(request, reply, "merchants", 200, (ctx) => storePage(deps, ctx, request.params.storeId)),
  );

  app.post<{ Params: { storeId: string } }>("/dashboard/merchants/stores/:storeId/intent-settings", { schema: { hide: true, params: PARAMS } }, async (request, reply) => {
    const back = storePath(request.params.storeId);
    let saved: Awaited<ReturnType<typeof saveIntentSettings>>;
    try {
      saved = await saveIntentSettings(deps, request.params.storeId, settingsInput((request.body ?? {}) as Record<string, unknown>));
    } catch (err) {
      return refused(reply, back, err);
    }
    if (saved.ipnSecret === null) return reply.redirect(backTo(back, { ok: "Settings saved." }), 303);
    const secret = saved.ipnSecret;
    return pages.send(request, reply, "merchants", 201, (ctx) => storePage(deps, ctx, request.params.storeId, shownOnce("The store's IPN secret", secret)));
  });

  app.post<{ Params: { storeId: string } }>("/dashboard/merchants/stores/:storeId/ipn-secret/rotate", { schema: { hide: true, params: PARAMS } }, async (request, reply) => {
    let secret: string;
    try {
      secret = await rotateIpnSecret(deps, request.params.storeId);
    } catch (err) {
      return refused(reply, storePath(request.params.storeId), err);
    }
    return pages.send(request, reply, "merchants", 200, (ctx) => storePage(deps, ctx, request.params.storeId, shownOnce("The store's new IPN secret", secret)));
  });
}
