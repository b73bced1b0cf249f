// A merchant's trading settings on its console page: shown to every role, edited by an admin with the
// fields of PUT /admin/v1/merchants/:merchantId/settings, through its use case (saveTradingSettings), so
// the same rules hold. The form starts from the stored settings; a field the form does not show (the
// range step) keeps its stored value.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import type { TradingSettings } from "../../app/trading/merchant-settings.js";
import { saveTradingSettings, type TradingSettingsInput, tradingSettingsOrNull } from "../../app/trading/settings-admin.js";
import { asciiUpper } from "../../core/shared/ascii-case.js";
import { isFiat } from "../../core/money/currencies.js";
import { AppError } from "../../core/shared/errors.js";
import { httpUrlProblem } from "../../core/shared/http-url.js";
import { webhookTargetProblem } from "../../core/shared/webhook-target.js";
import { formatFiatAmount, requireFiatAmount } from "../../core/trading/fiat-amount.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";
import { runFormAction } from "../pages/form-action.js";
import { html, type SafeHtml } from "../pages/html.js";
import type { SectionContext } from "./section.js";

const path = (merchantId: string) => `/dashboard/merchants/${encodeURIComponent(merchantId)}`;
const list = (v: string[] | null) => (v === null ? "" : v.join(", "));

const bad = (field: string, message: string) => new AppError("validation_failed", { field, message: `${field}: ${message}` });

function int(form: Record<string, unknown>, field: string, min: number, max: number): number {
  const v = typeof form[field] === "string" ? (form[field] as string).trim() : "";
  if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) throw bad(field, `a whole number from ${min} to ${max}`);
  return Number(v);
}

/** A comma-separated list (empty: null, any), each item at most `maxLength`, at most `maxItems`. */
function names(form: Record<string, unknown>, field: string, maxLength: number, maxItems: number): string[] | null {
  const items = String(form[field] ?? "")
    .split(/[\s,]+/)
    .filter((x) => x !== "");
  if (items.length === 0) return null;
  if (items.length > maxItems || items.some((x) => x.length > maxLength)) throw bad(field, `at most ${maxItems} names of at most ${maxLength} characters`);
  return items;
}

function currency(c: string, field: string): string {
  if (!/^[A-Z]{3}$/.test(c) || !isFiat(c)) throw bad(field, `${c || "(empty)"} is not an ISO 4217 fiat currency`);
  return c;
}

/** The form as the PUT's input; what it does not show keeps `current`'s value. */
function inputOf(deps: Deps, form: Record<string, unknown>, current: TradingSettings | null): TradingSettingsInput {
  const text = (k: string) => (typeof form[k] === "string" ? (form[k] as string).trim() : "");
  const fiatCurrency = currency(text("fiatCurrency").toUpperCase(), "fiatCurrency");
  const fiatCurrencies = (names(form, "fiatCurrencies", 3, 20) ?? [fiatCurrency]).map((c) => currency(c.toUpperCase(), "fiatCurrencies"));
  const feeRate = text("feeRate");
  if (!/^0(\.\d{1,8})?$/.test(feeRate)) throw bad("feeRate", "a fraction such as 0.085 (at most 8 decimals, below 1)");
  const webhookUrl = text("webhookUrl") || null;
  const webhookProblem = webhookUrl === null ? null : webhookTargetProblem(webhookUrl, deps.config.allowPrivateWebhooks);
  if (webhookProblem) throw bad("webhookUrl", webhookProblem);
  const returnUrl = text("returnUrl") || null;
  const returnProblem = returnUrl === null ? null : httpUrlProblem(returnUrl);
  if (returnProblem) throw bad("returnUrl", returnProblem);
  return {
    fiatCurrency,
    fiatCurrencies,
    feeRate,
    paymentWindowSeconds: int(form, "paymentWindowMinutes", 1, 1440) * 60,
    disputeAutoResolveMinutes: int(form, "disputeAutoResolveMinutes", 1, 100_000),
    allowedMethods: names(form, "allowedMethods", 32, 50),
    allowedBanks: names(form, "allowedBanks", 64, 200)?.map(asciiUpper) ?? null,
    minFiatMinor: requireFiatAmount(text("minFiatAmount"), "minFiatAmount"),
    maxFiatMinor: requireFiatAmount(text("maxFiatAmount"), "maxFiatAmount"),
    ...(current ? { rangeStepMinor: current.rangeStepMinor } : {}),
    webhookUrl,
    requireRequestSignature: form.requireRequestSignature === "on",
    returnUrl,
    payerDisputeReopens: int(form, "payerDisputeReopens", 0, 10),
  };
}

function field(name: string, label: string, value: string, extra: SafeHtml | string = ""): SafeHtml {
  return html`<div><label for="ts-${name}">${label}</label><input id="ts-${name}" name="${name}" value="${value}"${extra}></div>`;
}

function form(merchantId: string, s: TradingSettings | null, csrf: string): SafeHtml {
  const v = {
    fiatCurrency: s?.fiatCurrency ?? "",
    fiatCurrencies: s ? s.fiatCurrencies.join(", ") : "",
    feeRate: s?.feeRate ?? "",
    paymentWindowMinutes: String(s ? Math.round(s.paymentWindowSeconds / 60) : 15),
    disputeAutoResolveMinutes: String(s?.disputeAutoResolveMinutes ?? 30),
    minFiatAmount: s ? formatFiatAmount(s.minFiatMinor) : "100.00",
    maxFiatAmount: s ? formatFiatAmount(s.maxFiatMinor) : "300000.00",
    payerDisputeReopens: String(s?.payerDisputeReopens ?? 1),
  };
  return html`<details class="confirm"><summary class="btn secondary">${s ? "Change the trading settings…" : "Enable trading…"}</summary>
<form method="post" action="${path(merchantId)}/trading-settings" id="trading-settings-form"><input type="hidden" name="csrf" value="${csrf}">
<div class="filters">
${field("fiatCurrency", "Default currency", v.fiatCurrency, html` maxlength="3" required`)}
${field("fiatCurrencies", "Accepted currencies (comma-separated)", v.fiatCurrencies, html` maxlength="100"`)}
${field("feeRate", "Fee rate (e.g. 0.085)", v.feeRate, html` maxlength="10" inputmode="decimal" required`)}
${field("paymentWindowMinutes", "Payment window (minutes)", v.paymentWindowMinutes, html` inputmode="numeric" required`)}
${field("disputeAutoResolveMinutes", "Dispute auto-resolve (minutes)", v.disputeAutoResolveMinutes, html` inputmode="numeric" required`)}
${field("minFiatAmount", "Minimum amount", v.minFiatAmount, html` inputmode="decimal" required`)}
${field("maxFiatAmount", "Maximum amount", v.maxFiatAmount, html` inputmode="decimal" required`)}
${field("allowedMethods", "Allowed methods (empty: all)", list(s?.allowedMethods ?? null), html` maxlength="500"`)}
${field("allowedBanks", "Allowed banks (empty: all)", list(s?.allowedBanks ?? null), html` maxlength="2000"`)}
${field("webhookUrl", "Webhook URL", s?.webhookUrl ?? "", html` type="url" maxlength="2048"`)}
${field("returnUrl", "Return URL", s?.returnUrl ?? "", html` type="url" maxlength="2048"`)}
${field("payerDisputeReopens", "Payer disputes after \u201cnot paid\u201d", v.payerDisputeReopens, html` inputmode="numeric" required`)}
</div>
<p><input type="checkbox" id="ts-requireRequestSignature" name="requireRequestSignature"${s?.requireRequestSignature ? html` checked` : ""}> <label for="ts-requireRequestSignature" style="display:inline">Require signed requests</label></p>
<p class="muted">Pay-ins created from now on use the new settings; open ones keep their amounts and expiry (the webhook URL is read per event).</p>
<p><button type="submit">Save the trading settings</button></p></form></details>`;
}

const row = (label: string, value: string) => html`<div class="row"><span>${label}</span><span class="wrap">${value}</span></div>`;

/** The merchant page's Trading settings card: the stored settings, and their form for an admin. */
export async function tradingSettingsCard(deps: Deps, merchantId: string, ctx: SectionContext): Promise<SafeHtml> {
  const s = await tradingSettingsOrNull(deps, merchantId);
  const shown = s
    ? html`${row("Currencies", `${s.fiatCurrency} (default) · ${s.fiatCurrencies.join(", ")}`)}${row("Fee rate", s.feeRate)}
${row("Payment window", `${Math.round(s.paymentWindowSeconds / 60)} min`)}${row("Dispute auto-resolve", `${s.disputeAutoResolveMinutes} min`)}
${row("Amounts", `${formatFiatAmount(s.minFiatMinor)} – ${formatFiatAmount(s.maxFiatMinor)}`)}${row("Methods", list(s.allowedMethods) || "all")}${row("Banks", list(s.allowedBanks) || "all")}
${row("Webhook URL", s.webhookUrl ?? "—")}${row("Return URL", s.returnUrl ?? "—")}${row("Signed requests", s.requireRequestSignature ? "required" : "not required")}
${row("Payer disputes after \u201cnot paid\u201d", String(s.payerDisputeReopens))}`
    : html`<p class="muted" id="no-trading-settings">Trading is not enabled for this merchant.</p>`;
  return html`<section class="card" id="trading-settings"><h2>Trading settings</h2>${shown}${ctx.can("configure") ? form(merchantId, s, ctx.csrf) : ""}</section>`;
}

export function tradingSettingsRoutes(app: FastifyInstance, deps: Deps): void {
  app.post<{ Params: { merchantId: string }; Body: Record<string, unknown> }>(
    "/dashboard/merchants/:merchantId/trading-settings",
    { schema: { hide: true, params: { type: "object", properties: { merchantId: { type: "string", pattern: UUID_PATTERN } }, required: ["merchantId"] } } },
    async (request, reply) =>
      runFormAction(reply, path(request.params.merchantId), async () => {
        const current = await tradingSettingsOrNull(deps, request.params.merchantId);
        await saveTradingSettings(deps, request.params.merchantId, inputOf(deps, request.body ?? {}, current));
        return "Trading settings saved.";
      }),
  );
}
