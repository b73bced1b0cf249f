// The merchant's settings: the trading pay-ins' payment window, callback and return URLs, amount limits
// and dispute auto-resolve; each store's default IPN, success and cancel URLs and KYC reuse. Each form
// calls patchMerchantSettings, the use case of PATCH /merchant/v1/settings: only the fields sent
// change, all or nothing, for payments created after the change.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { merchantSettings, patchMerchantSettings } from "../../app/merchants/merchant-settings.js";
import { formatFiatAmount, requireFiatAmount } from "../../core/trading/fiat-amount.js";
import { AppError } from "../../core/shared/errors.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction } from "./portal-answers.js";
import type { PortalContext, PortalSection } from "./portal-section.js";

const BACK = "/merchant/settings";
const APPLIES = "Applies to payments created from now on.";

const field = (id: string, label: string, value: string | number | null, extra: SafeHtml | string = "") =>
  html`<div><label for="${id}">${label}</label><input id="${id}" name="${id.replace(/^s-/, "")}" value="${value ?? ""}"${extra}></div>`;

/** A whole number in [min, max] typed in a form, named in the error like the API's field. */
function wholeNumber(body: Record<string, unknown>, key: string, field: string, min: number, max: number): number | undefined {
  const v = typeof body[key] === "string" ? (body[key] as string).trim() : "";
  if (v === "") return undefined;
  const n = /^\d{1,7}$/.test(v) ? Number(v) : NaN;
  if (!(n >= min && n <= max)) throw new AppError("validation_failed", { field, message: `${field}: a whole number from ${min} to ${max}` });
  return n;
}
/** A URL field: empty clears it (null). */
const urlOrNull = (body: Record<string, unknown>, key: string) => {
  const v = typeof body[key] === "string" ? (body[key] as string).trim() : "";
  return v === "" ? null : v;
};

async function settingsPage(deps: Deps, ctx: PortalContext): Promise<SafeHtml> {
  const s = await merchantSettings(deps, ctx.merchantId, { limit: 50 });
  const t = s.trading;
  const trading = t
    ? html`<form method="post" action="${BACK}/trading" id="trading-settings" class="card"><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Trading pay-ins</h2>
<div class="filters">${field("paymentWindowMinutes", "Payment window (minutes)", t.paymentWindowSeconds / 60, html` inputmode="numeric" required`)}
${field("disputeAutoResolveMinutes", "Dispute auto-resolve (minutes)", t.disputeAutoResolveMinutes, html` inputmode="numeric"`)}
${field("minFiatAmount", `Minimum amount (${t.fiatCurrency})`, formatFiatAmount(t.minFiatMinor), html` inputmode="decimal"`)}
${field("maxFiatAmount", `Maximum amount (${t.fiatCurrency})`, formatFiatAmount(t.maxFiatMinor), html` inputmode="decimal"`)}
${field("webhookUrl", "Default callback (webhook) URL", t.webhookUrl, html` type="url" maxlength="2000"`)}
${field("returnUrl", "Return URL", t.returnUrl, html` type="url" maxlength="2000"`)}</div>
<p class="muted">Currencies ${t.fiatCurrencies.join(", ")}; methods ${t.allowedMethods?.join(", ") ?? "all"}. ${APPLIES}</p>
<p><button type="submit">Save the trading settings</button></p></form>`
    : html`<section class="card"><h2>Trading pay-ins</h2><p class="muted">Not enabled for this merchant: the operator enables them.</p></section>`;
  const stores = s.stores.items.map((st) =>
    st.intent
      ? html`<form method="post" action="${BACK}/stores/${st.storeId}" class="card" data-store="${st.storeId}"><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Store ${st.name} <span class="mono small-id">${st.storeId}</span></h2>
<div class="filters">${field(`s-${st.storeId}-defaultIpnUrl`, "Default IPN URL", st.intent.defaultIpnUrl, html` type="url" maxlength="2000"`)}
${field(`s-${st.storeId}-defaultSuccessUrl`, "Default success URL", st.intent.defaultSuccessUrl, html` type="url" maxlength="2000"`)}
${field(`s-${st.storeId}-defaultCancelUrl`, "Default cancel URL", st.intent.defaultCancelUrl, html` type="url" maxlength="2000"`)}
${field(`s-${st.storeId}-kycValidityDays`, "KYC reuse (days)", st.intent.kycValidityDays, html` inputmode="numeric"`)}</div>
<p class="muted">Serves ${st.intent.servedCountries.join(", ")}. ${APPLIES}</p><p><button type="submit" class="secondary">Save the store</button></p></form>`
      : html`<section class="card" data-store="${st.storeId}"><h2>Store ${st.name} <span class="mono small-id">${st.storeId}</span></h2><p class="muted">Not set up for payment intents.</p></section>`,
  );
  return html`${trading}${stores}`;
}

export const settingsSection: PortalSection = {
  id: "settings",
  title: "Settings",
  permission: "settings",
  render: settingsPage,
  actions(app: FastifyInstance, deps: Deps) {
    const bodyOf = (request: { body?: unknown }) => (request.body ?? {}) as Record<string, unknown>;
    app.post(`${BACK}/trading`, { schema: { hide: true } }, async (request, reply) =>
      portalAction(reply, BACK, async () => {
        const b = bodyOf(request);
        const minutes = wholeNumber(b, "paymentWindowMinutes", "trading.paymentWindowMinutes", 1, 1440);
        const auto = wholeNumber(b, "disputeAutoResolveMinutes", "trading.disputeAutoResolveMinutes", 0, 100000);
        const amount = (k: string) => (typeof b[k] === "string" && (b[k] as string).trim() !== "" ? { [k.replace("Amount", "Minor")]: requireFiatAmount((b[k] as string).trim(), `trading.${k}`) } : {});
        await patchMerchantSettings(deps, principalOf(request, "merchant_user").merchantId, {
          trading: {
            ...(minutes !== undefined ? { paymentWindowSeconds: minutes * 60 } : {}),
            ...(auto !== undefined ? { disputeAutoResolveMinutes: auto } : {}),
            ...amount("minFiatAmount"),
            ...amount("maxFiatAmount"),
            webhookUrl: urlOrNull(b, "webhookUrl"),
            returnUrl: urlOrNull(b, "returnUrl"),
          },
        });
        return `Trading settings saved. ${APPLIES}`;
      }),
    );
    app.post<{ Params: { storeId: string } }>(
      `${BACK}/stores/:storeId`,
      { schema: { hide: true, params: { type: "object", properties: { storeId: { type: "string", minLength: 1, maxLength: 64 } }, required: ["storeId"] } } },
      async (request, reply) =>
        portalAction(reply, BACK, async () => {
          const b = bodyOf(request);
          const days = wholeNumber(b, "kycValidityDays", "stores.0.kycValidityDays", 0, 3650);
          const id = request.params.storeId;
          await patchMerchantSettings(deps, principalOf(request, "merchant_user").merchantId, {
            stores: [
              {
                storeId: id,
                defaultIpnUrl: urlOrNull(b, `${id}-defaultIpnUrl`),
                defaultSuccessUrl: urlOrNull(b, `${id}-defaultSuccessUrl`),
                defaultCancelUrl: urlOrNull(b, `${id}-defaultCancelUrl`),
                ...(days !== undefined ? { kycValidityDays: days } : {}),
              },
            ],
          });
          return `Store ${id} saved. ${APPLIES}`;
        }),
    );
  },
};
