// Traders: deposit balances (free / held by open pay-ins) and requisites with their open pay-ins, a
// switch per requisite (a disabled requisite gets no new pay-ins; open ones run to their end) and its
// limits; creating a trader (its key shown once) and, in sandbox mode or for a test trader, topping up
// its deposit (a test trader's from the test platform's play money, so a live installation has one). The
// forms call the use cases of the operator API (http/admin/trading-admin-routes.ts): createTrader,
// topUpTraderDeposit, setRequisiteLimits (POST /admin/v1/trading/traders, .../deposit/top-ups and
// PUT .../requisites/:requisiteId/limits).
import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { topUpTraderDeposit } from "../../app/trading/deposit-top-up.js";
import { switchRequisite, type TraderView, tradersOverview } from "../../app/trading/trader-overview.js";
import { createTrader, setRequisiteLimits } from "../../app/trading/traders.js";
import { AppError } from "../../core/shared/errors.js";
import { formatFiatAmount, parseFiatAmount } from "../../core/trading/fiat-amount.js";
import { runFormAction } from "../pages/form-action.js";
import { fiat, usdt } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { requisitesTable } from "../pages/requisites-table.js";
import { refused, shownOnce } from "./page-answers.js";
import type { DashboardSection, SectionContext } from "./section.js";

const BACK = "/dashboard/traders";
const ID_PARAM = { type: "string", minLength: 1, maxLength: 64 } as const;
const text = (v: unknown) => (typeof v === "string" ? v.trim() : "");

/** A limit field: blank is no limit, anything else must be a fiat amount. */
function limitOf(v: unknown, field: string): bigint | null {
  if (text(v) === "") return null;
  const minor = parseFiatAmount(v);
  if (minor === null) throw new AppError("validation_failed", { field, message: `${field} must be an amount such as 500000.00, or blank for no limit.` });
  return minor;
}

function limitsForms(t: TraderView, csrf: string): SafeHtml {
  return html`${t.requisites.map((r) => {
    const id = `lim-${r.id}`;
    const shown = (m: bigint | null) => (m === null ? "" : formatFiatAmount(m));
    return html`<details class="confirm" data-limits="${r.id}"><summary class="btn small secondary">Limits of ${r.bankCode} ${r.method} ${r.number ?? r.sbpPhone ?? ""}…</summary>
<form method="post" action="${BACK}/${t.id}/requisites/${r.id}/limits"><input type="hidden" name="csrf" value="${csrf}">
<p class="muted">Now: ${r.maxOpenPayins} open pay-ins at once; per day ${r.dailyVolumeLimitMinor === null ? "no limit" : fiat(r.dailyVolumeLimitMinor, r.fiatCurrency)}; per month ${
      r.monthlyVolumeLimitMinor === null ? "no limit" : fiat(r.monthlyVolumeLimitMinor, r.fiatCurrency)
    }. The next allocation reads new limits; open pay-ins keep running.</p>
<div class="filters"><div><label for="${id}-open">Open pay-ins at once</label><input id="${id}-open" name="maxOpenPayins" inputmode="numeric" value="${String(r.maxOpenPayins)}" required></div>
<div><label for="${id}-day">Volume per UTC day (${r.fiatCurrency}, blank: none)</label><input id="${id}-day" name="dailyVolumeLimit" inputmode="decimal" value="${shown(r.dailyVolumeLimitMinor)}"></div>
<div><label for="${id}-month">Volume per UTC month (${r.fiatCurrency}, blank: none)</label><input id="${id}-month" name="monthlyVolumeLimit" inputmode="decimal" value="${shown(r.monthlyVolumeLimitMinor)}"></div></div>
<p><button type="submit">Save the limits</button></p></form></details>`;
  })}`;
}

/** A top-up from platform funding (test funding for a test trader). The form's reference is made when the page is drawn, so sending it twice books once. */
function topUpForm(t: TraderView, csrf: string): SafeHtml {
  return html`<form class="inline" method="post" action="${BACK}/${t.id}/deposit/top-ups"><input type="hidden" name="csrf" value="${csrf}">
<input type="hidden" name="reference" value="console-${randomUUID()}">
<label for="top-${t.id}" style="margin:0">${t.test ? "Test top-up (USDT, play money)" : "Sandbox top-up (USDT)"}</label><input id="top-${t.id}" name="amount" inputmode="decimal" placeholder="1000" required>
<button type="submit" class="secondary">Top up the deposit</button></form>`;
}

function createForm(csrf: string): SafeHtml {
  return html`<form class="card" method="post" action="${BACK}" id="create-trader"><input type="hidden" name="csrf" value="${csrf}">
<h2>Create a trader</h2><label for="trader-name">Name</label><input id="trader-name" name="name" maxlength="200" required>
<p><input type="checkbox" id="trader-test" name="test" value="on"> <label for="trader-test" style="display:inline">Test trader: serves only merchants' test-mode pay-ins, fixed at creation</label></p>
<p class="muted">Its trader key is shown once on the next page.</p><p><button type="submit">Create the trader</button></p></form>`;
}

async function tradersPage(deps: Deps, ctx: SectionContext, before?: SafeHtml): Promise<SafeHtml> {
  const traders = await tradersOverview(deps);
  const act = ctx.can("traders.manage");
  const sandbox = deps.config.mode === "sandbox";
  const cards =
    traders.length === 0
      ? html`<div class="card"><p class="muted">No traders yet.</p></div>`
      : traders.map(
          (t) => html`<div class="card" data-trader="${t.id}"><h2>${t.name} <span class="mono muted">${t.id}</span> ${t.test ? html`<span class="status warn" data-test-trader>test</span> ` : ""}${t.enabled ? "" : html`<span class="status bad">disabled</span>`}</h2>
<div class="row"><span>Deposit free</span><span class="mono">${usdt(t.depositAvailable)}</span></div>
<div class="row"><span>Deposit held by open pay-ins</span><span class="mono">${usdt(t.depositHeld)}</span></div>
${act && (sandbox || t.test) ? topUpForm(t, ctx.csrf) : ""}
${requisitesTable(t, ctx.csrf, (id) => `${BACK}/requisites/${id}/switch`)}${act ? limitsForms(t, ctx.csrf) : ""}</div>`,
        );
  return html`${before ?? ""}${act ? createForm(ctx.csrf) : ""}${cards}`;
}

const bodyOf = (request: { body?: unknown }) => (request.body ?? {}) as Record<string, unknown>;

export const tradersSection: DashboardSection = {
  id: "traders",
  title: "Traders",
  act: "traders.manage",
  render: (deps, ctx) => tradersPage(deps, ctx),
  actions(app: FastifyInstance, deps: Deps, pages) {
    app.post<{ Params: { id: string }; Body: { enabled?: unknown } }>(
      `${BACK}/requisites/:id/switch`,
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", maxLength: 64 } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const enabled = request.body?.enabled === "true";
          await switchRequisite(deps, { requisiteId: request.params.id, enabled });
          return `Requisite ${request.params.id} ${enabled ? "enabled" : "disabled"}.`;
        }),
    );

    app.post(BACK, { schema: { hide: true } }, async (request, reply) => {
      let created: Awaited<ReturnType<typeof createTrader>>;
      try {
        const name = text(bodyOf(request).name);
        if (name === "" || name.length > 200) throw new AppError("validation_failed", { field: "name", message: "A trader's name is 1 to 200 characters." });
        created = await createTrader(deps, name, undefined, undefined, bodyOf(request).test === "on");
      } catch (err) {
        return refused(reply, BACK, err);
      }
      return pages.send(request, reply, "traders", 201, async (ctx) => ({
        title: "Traders",
        body: await tradersPage(deps, ctx, shownOnce(`Trader key of ${created.traderId}`, created.traderKey)),
      }));
    });

    app.post<{ Params: { traderId: string } }>(
      `${BACK}/:traderId/deposit/top-ups`,
      { schema: { hide: true, params: { type: "object", properties: { traderId: ID_PARAM }, required: ["traderId"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const b = bodyOf(request);
          const reference = text(b.reference);
          if (!/^[\x21-\x7e]{1,100}$/.test(reference)) throw new AppError("validation_failed", { field: "reference", message: "The form has no reference: reload the page." });
          const r = await topUpTraderDeposit(deps, { traderId: request.params.traderId, amount: text(b.amount), reference });
          return r.duplicate
            ? `This top-up was booked before; nothing new. Free deposit ${r.depositAvailable} ${r.asset}.`
            : `Topped up ${r.amount} ${r.asset}. Free deposit ${r.depositAvailable} ${r.asset}.`;
        }),
    );

    app.post<{ Params: { traderId: string; requisiteId: string } }>(
      `${BACK}/:traderId/requisites/:requisiteId/limits`,
      { schema: { hide: true, params: { type: "object", properties: { traderId: ID_PARAM, requisiteId: ID_PARAM }, required: ["traderId", "requisiteId"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const b = bodyOf(request);
          const open = text(b.maxOpenPayins);
          if (!/^\d{1,5}$/.test(open) || Number(open) > 10_000) {
            throw new AppError("validation_failed", { field: "maxOpenPayins", message: "maxOpenPayins must be a whole number from 0 to 10000." });
          }
          await setRequisiteLimits(deps, request.params.traderId, request.params.requisiteId, {
            maxOpenPayins: Number(open),
            dailyVolumeLimitMinor: limitOf(b.dailyVolumeLimit, "dailyVolumeLimit"),
            monthlyVolumeLimitMinor: limitOf(b.monthlyVolumeLimit, "monthlyVolumeLimit"),
          });
          return `Limits of requisite ${request.params.requisiteId} saved.`;
        }),
    );
  },
};
