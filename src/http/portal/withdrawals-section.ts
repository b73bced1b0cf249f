// The merchant's withdrawals: the allow-listed addresses (add, remove), a request to one of them, and
// the list with each withdrawal's status. The same use cases as /merchant/v1/withdrawal-addresses and
// /merchant/v1/withdrawals. A withdrawal asked here carries no API key, so no webhook announces it
// (the API's are signed with the key that asked); the page shows its status instead.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { requestWithdrawal } from "../../app/withdrawals/request-withdrawal.js";
import { withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { addWithdrawalAddress, listOwnWithdrawalAddresses, removeOwnWithdrawalAddress } from "../../app/withdrawals/withdrawal-addresses.js";
import { statusPill } from "../dashboard/status-pill.js";
import { html, type SafeHtml } from "../pages/html.js";
import { principalOf } from "../plugins/principal.js";
import { portalAction } from "./portal-answers.js";
import { formText, type PortalContext, type PortalSection } from "./portal-section.js";

const BACK = "/merchant/withdrawals";
const PAGE = 50;
const ID_PARAM = { type: "string", minLength: 1, maxLength: 100 } as const;
const owner = (merchantId: string) => ({ kind: "merchant" as const, id: merchantId });
const day = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

async function addressesCard(deps: Deps, ctx: PortalContext): Promise<{ card: SafeHtml; usable: { id: string; label: string }[] }> {
  const page = await listOwnWithdrawalAddresses(deps, owner(ctx.merchantId), { limit: PAGE });
  const now = deps.clock.now().getTime();
  const table =
    page.items.length === 0
      ? html`<p class="muted" id="no-addresses">No address yet: add one below.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="addresses"><table id="addresses"><thead><tr><th>Label</th><th>Network</th><th>Address</th><th>Usable from</th><th><span class="visually-hidden">Remove</span></th></tr></thead>
<tbody>${page.items.map(
          (a) => html`<tr data-address="${a.id}"><td>${a.label ?? "—"}</td><td>${a.network}</td><td class="mono small-id">${a.address}</td><td>${day(a.usableFrom)}</td>
<td><form method="post" action="${BACK}/addresses/${a.id}/remove" class="inline"><input type="hidden" name="csrf" value="${ctx.csrf}"><button type="submit" class="secondary small">Remove</button></form></td></tr>`,
        )}</tbody></table></div>`;
  const add = html`<form method="post" action="${BACK}/addresses" id="add-address"><input type="hidden" name="csrf" value="${ctx.csrf}">
<div class="filters"><div><label for="a-network">Network</label><select id="a-network" name="network">${["erc20", "ethereum", "trc20", "bitcoin"].map((n) => html`<option value="${n}">${n}</option>`)}</select></div>
<div><label for="a-address">Address</label><input id="a-address" name="address" maxlength="100" required></div>
<div><label for="a-label">Label</label><input id="a-label" name="label" maxlength="100"></div></div>
<p><button type="submit" class="secondary">Allow-list the address</button> <span class="muted">Usable after a cooling-off period.</span></p></form>`;
  const usable = page.items.filter((a) => Date.parse(a.usableFrom) <= now).map((a) => ({ id: a.id, label: `${a.label ?? a.address} (${a.network})` }));
  return { card: html`<section class="card"><h2>Allow-listed addresses</h2>${table}${add}</section>`, usable };
}

function requestForm(ctx: PortalContext, usable: { id: string; label: string }[]): SafeHtml {
  if (usable.length === 0) return html`<section class="card"><h2>Request a withdrawal</h2><p class="muted">No address is usable yet.</p></section>`;
  return html`<form method="post" action="${BACK}" id="request-withdrawal" class="card"><input type="hidden" name="csrf" value="${ctx.csrf}"><h2>Request a withdrawal</h2>
<div class="filters"><div><label for="w-address">To</label><select id="w-address" name="addressId">${usable.map((a) => html`<option value="${a.id}">${a.label}</option>`)}</select></div>
<div><label for="w-asset">Asset</label><input id="w-asset" name="asset" value="USDT" maxlength="10" required></div>
<div><label for="w-amount">Amount</label><input id="w-amount" name="amount" inputmode="decimal" maxlength="40" required></div></div>
<p class="muted">The amount and the network fee leave the balance at once; a large one waits for the operator's approval.</p>
<p><button type="submit">Request the withdrawal</button></p></form>`;
}

async function withdrawalsCard(deps: Deps, ctx: PortalContext): Promise<SafeHtml> {
  const page = await withdrawalPage(deps, { owner: owner(ctx.merchantId), limit: PAGE });
  const table =
    page.items.length === 0
      ? html`<p class="muted" id="no-withdrawals">No withdrawal yet.</p>`
      : html`<div class="scroll" tabindex="0" role="region" aria-label="withdrawals"><table id="withdrawals"><thead><tr><th>Requested</th><th>Amount</th><th>Fee</th><th>To</th><th>Status</th><th>Tx hash</th></tr></thead>
<tbody>${page.items.map(
          (w) => html`<tr data-withdrawal="${w.id}"><td>${day(w.createdAt)}</td><td class="mono">${w.amount} ${w.asset}</td><td class="mono">${w.fee}</td><td class="mono small-id">${w.address}</td>
<td>${statusPill(w.status)}${w.failureReason ? html` <span class="muted">${w.failureReason}</span>` : ""}</td><td class="mono small-id">${w.txHash ?? "—"}</td></tr>`,
        )}</tbody></table></div>`;
  return html`<section class="card"><h2>Withdrawals</h2><p class="muted">Newest first, ${PAGE} shown.</p>${table}</section>`;
}

export const withdrawalsSection: PortalSection = {
  id: "withdrawals",
  title: "Withdrawals",
  permission: "withdrawals",
  mode: "live",
  async render(deps, ctx) {
    const addresses = await addressesCard(deps, ctx);
    return html`${requestForm(ctx, addresses.usable)}${await withdrawalsCard(deps, ctx)}${addresses.card}`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    const merchantOf = (request: Parameters<typeof principalOf>[0]) => principalOf(request, "merchant_user").merchantId;
    app.post(BACK, { schema: { hide: true } }, async (request, reply) =>
      portalAction(reply, BACK, async () => {
        const w = await requestWithdrawal(
          deps,
          { owner: owner(merchantOf(request)), apiKeyId: null },
          { addressId: formText(request.body, "addressId"), asset: formText(request.body, "asset"), amount: formText(request.body, "amount") },
        );
        return `Withdrawal ${w.id} of ${formText(request.body, "amount")} ${w.asset} is ${w.status}.`;
      }),
    );
    app.post(`${BACK}/addresses`, { schema: { hide: true } }, async (request, reply) =>
      portalAction(reply, BACK, async () => {
        const label = formText(request.body, "label");
        const a = await addWithdrawalAddress(deps, owner(merchantOf(request)), { network: formText(request.body, "network"), address: formText(request.body, "address"), ...(label ? { label } : {}) });
        return `Address ${a.address} allow-listed; usable from ${day(a.usableFrom)}.`;
      }),
    );
    app.post<{ Params: { id: string } }>(
      `${BACK}/addresses/:id/remove`,
      { schema: { hide: true, params: { type: "object", properties: { id: ID_PARAM }, required: ["id"] } } },
      async (request, reply) =>
        portalAction(reply, BACK, async () => {
          await removeOwnWithdrawalAddress(deps, owner(merchantOf(request)), request.params.id);
          return "Address removed.";
        }),
    );
  },
};
