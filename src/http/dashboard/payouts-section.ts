// Payouts: the manual chain's queue (RAMPART_CHAIN=manual). Each paid intent's payout waits here with
// what the operator pays from their own wallet (network, asset, address, amount); the operator enters
// the transaction's hash, which completes the intent (5 → 6, its IPN sent). The form calls
// recordOperatorPayout, the same use case as POST /admin/v1/payouts/:id/tx-hash, so the hash is checked
// per network (and on chain when RAMPART_EVM_RPC_URLS is set) and a second entry changes nothing.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { payoutAmount, payoutQueue, recordOperatorPayout } from "../../app/intents/operator-payouts.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html } from "../pages/html.js";
import { operatorOf, type DashboardSection } from "./section.js";
import { requireStepUp, stepUpField } from "./step-up.js";

const BACK = "/dashboard/payouts";

type QueuedPayout = Awaited<ReturnType<typeof payoutQueue>>["items"][number];

function payoutCard(deps: Deps, p: QueuedPayout, csrf: string, canPay: boolean) {
  return html`<div class="card" data-payout="${p.id}"><h3><span class="mono wrap">${p.id}</span> <span class="status warn">${p.status}</span></h3>
<div class="row"><span>Send</span><span class="mono">${p.amount} ${p.asset}</span></div>
<div class="row"><span>Network</span><span class="mono">${p.network}</span></div>
<div class="row"><span>To address</span><span class="mono wrap">${p.address}</span></div>
<div class="row"><span>Intent</span><a class="mono wrap" href="/dashboard/payments/${p.intentId}">${p.intentId}</a></div>
<div class="row"><span>Waiting since</span><span>${when(new Date(p.createdAt))}</span></div>${
    canPay
      ? html`<form method="post" action="${BACK}/${p.id}/tx-hash"><input type="hidden" name="csrf" value="${csrf}">
<label for="tx-${p.id}">Transaction hash, once paid</label><input id="tx-${p.id}" name="txHash" maxlength="100" required autocomplete="off" class="mono">
${stepUpField(deps, { amount: p.amount, currency: p.asset }, p.id)}
<p><button type="submit">Record the payment</button></p></form>`
      : ""
  }</div>`;
}

export const payoutsSection: DashboardSection = {
  id: "payouts",
  title: "Payouts",
  act: "withdrawals",
  async render(deps, ctx) {
    const { items, nextCursor } = await payoutQueue(deps);
    const intro = html`<div class="card"><h2>Waiting for you</h2><p class="muted">With the manual chain Rampart sends no crypto: pay each payout below from your own wallet, exactly the amount to the address on the network shown, then enter the transaction's hash. The intent completes and its merchant is notified.</p></div>`;
    if (items.length === 0) return html`${intro}<div class="card"><p class="muted">No payout waits for you.</p></div>`;
    return html`${intro}${items.map((p) => payoutCard(deps, p, ctx.csrf, ctx.can("withdrawals")))}${
      nextCursor ? html`<p class="muted">The oldest ${items.length} are shown; record them to see the next.</p>` : ""
    }`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    app.post<{ Params: { id: string }; Body: { txHash?: unknown } }>(
      `${BACK}/:id/tx-hash`,
      { schema: { hide: true, params: { type: "object", properties: { id: { type: "string", maxLength: 100 } }, required: ["id"] } } },
      async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          const txHash = typeof request.body?.txHash === "string" ? request.body.txHash : "";
          const payout = await payoutAmount(deps, request.params.id);
          const r = await recordOperatorPayout(deps, request.params.id, txHash, operatorOf(request), () => requireStepUp(deps, request, { amount: payout.amount, currency: payout.asset }));
          return r.replayed
            ? `Payout ${r.payoutId} already had this transaction: nothing changed.`
            : `Payout ${r.payoutId} is ${r.status} with ${r.txHash}: intent ${r.intentId} is complete (${r.intentStatus}).`;
        }),
    );
  },
};
