// Withdrawals: merchants' and traders' withdrawals waiting for an operator's approval (above
// RAMPART_WITHDRAWAL_APPROVAL_ABOVE), each approved or rejected behind a confirmation that says what it
// does (approving above RAMPART_STEP_UP_AMOUNT also asks for a fresh TOTP code), and the latest
// withdrawals of every status. Payouts in flight (approved, sent) can be re-polled now or, once sent,
// cancelled and returned (cancelling above RAMPART_STEP_UP_AMOUNT asks for a fresh code too). The forms
// call the use cases of POST /admin/v1/withdrawals/:id/approve|reject|repoll|cancel (docs/withdrawals.md).
// On the manual chain an approved withdrawal is paid by the operator instead: its card takes the
// transaction's hash (with a fresh code above RAMPART_STEP_UP_AMOUNT), as the Payouts section does.
import type { FastifyInstance } from "fastify";
import type { Deps } from "../../app/deps.js";
import { readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { approvableWithdrawal, decideWithdrawal } from "../../app/withdrawals/withdrawal-decisions.js";
import { cancellableWithdrawal, cancelWithdrawal, repollWithdrawal } from "../../app/withdrawals/withdrawal-operator-actions.js";
import { recordWithdrawalTx } from "../../app/withdrawals/withdrawal-operator-tx.js";
import type { WithdrawalView } from "../../app/withdrawals/withdrawal-view.js";
import { runFormAction } from "../pages/form-action.js";
import { when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { confirmAction } from "./confirm-action.js";
import { operatorOf, type DashboardSection } from "./section.js";
import { requireStepUp, stepUpField } from "./step-up.js";

const BACK = "/dashboard/withdrawals";
const PAGE = 50;
const ID = "^[a-z0-9_]{1,64}$";

const EFFECT = {
  approve: "It is sent from the hot wallet to the address above; once sent it cannot be called back.",
  reject: "Nothing is sent: the amount and the fee return to the balance (or the trader's deposit) they came from.",
  repoll: "Rampart asks the chain about this payout now instead of after its backoff (an approved one is retried; it is never sent twice).",
  cancel:
    "The payout is replaced on chain by a 0-value transfer to the hot wallet at the same nonce, with a higher fee. The amount and the fee return only once that replacement is confirmed; if the payout is mined first, it is confirmed as usual.",
} as const;

function decisionForms(deps: Deps, w: WithdrawalView, csrf: string): SafeHtml {
  // Approving sends crypto out: above RAMPART_STEP_UP_AMOUNT it asks for a fresh code, as a payout record does.
  const form = (action: "approve" | "reject", label: string) =>
    confirmAction({
      label,
      action: `${BACK}/${w.id}/${action}`,
      csrf,
      effect: EFFECT[action],
      fields: action === "approve" ? stepUpField(deps, { amount: w.amount, currency: w.asset }, w.id) : "",
      yes: html`Yes, ${action} ${w.amount} ${w.asset} <span class="mono">${w.id}</span>`,
      danger: action === "reject",
    });
  return html`${form("approve", "Approve")}
${form("reject", "Reject")}`;
}

/** Re-poll now, and (once sent, not yet asked) cancel and return: each behind a confirmation. */
function inFlightForms(deps: Deps, w: WithdrawalView, csrf: string): SafeHtml {
  const form = (action: "repoll" | "cancel", label: string, yes: string) =>
    confirmAction({
      label,
      action: `${BACK}/${w.id}/${action}`,
      csrf,
      effect: EFFECT[action],
      // Cancelling gives the amount back: above RAMPART_STEP_UP_AMOUNT it asks for a fresh code.
      fields: action === "cancel" ? stepUpField(deps, { amount: w.amount, currency: w.asset }, w.id) : "",
      yes: html`${yes} <span class="mono">${w.id}</span>`,
      danger: action === "cancel",
    });
  return html`${form("repoll", "Re-poll now", "Yes, re-poll")}
${w.status === "sent" && w.cancelRequestedAt === null ? form("cancel", "Cancel and return", `Yes, cancel ${w.amount} ${w.asset}`) : ""}`;
}

/** The manual chain: pay it from your own wallet, then enter the hash (the Payouts section's form). */
function txHashForm(deps: Deps, w: WithdrawalView, csrf: string): SafeHtml {
  return html`<form method="post" action="${BACK}/${w.id}/tx-hash"><input type="hidden" name="csrf" value="${csrf}">
<label for="tx-${w.id}">Pay exactly ${w.amount} ${w.asset} to the address above on ${w.network}, then enter the transaction hash</label><input id="tx-${w.id}" name="txHash" maxlength="100" required autocomplete="off" class="mono">
${stepUpField(deps, { amount: w.amount, currency: w.asset }, w.id)}
<p><button type="submit">Record the payment</button></p></form>`;
}

function inFlightCard(deps: Deps, w: WithdrawalView, canAct: boolean, csrf: string): SafeHtml {
  const manual = deps.ports.chain.name === "manual";
  return html`<div class="card" data-withdrawal-in-flight="${w.id}"><h3><span class="mono wrap">${w.id}</span> <span class="status warn">${w.status}${w.cancelRequestedAt !== null ? " (cancel asked)" : ""}</span></h3>
<div class="row"><span>Send</span><span class="mono">${w.amount} ${w.asset}</span></div>
<div class="row"><span>To address</span><span class="mono wrap">${w.network} ${w.address}</span></div>
<div class="row"><span>Transaction</span><span class="mono wrap">${w.txHash ?? "not yet sent"}</span></div>
<div class="row"><span>Since</span><span>${when(new Date(w.updatedAt))}</span></div>${
    !canAct ? "" : manual ? (w.status === "approved" ? txHashForm(deps, w, csrf) : "") : inFlightForms(deps, w, csrf)
  }</div>`;
}

function withdrawalCard(deps: Deps, w: WithdrawalView, canDecide: boolean, csrf: string): SafeHtml {
  return html`<div class="card" data-withdrawal="${w.id}"><h3><span class="mono wrap">${w.id}</span> <span class="status warn">${w.status}</span></h3>
<div class="row"><span>Send</span><span class="mono">${w.amount} ${w.asset}</span></div>
<div class="row"><span>Fee</span><span class="mono">${w.fee} ${w.asset}</span></div>
<div class="row"><span>Network</span><span class="mono">${w.network}</span></div>
<div class="row"><span>To address</span><span class="mono wrap">${w.address}</span></div>
<div class="row"><span>${w.merchantId !== null ? "Merchant" : "Trader"}</span><span class="mono wrap">${w.merchantId ?? w.traderId}</span></div>
<div class="row"><span>Asked</span><span>${when(new Date(w.createdAt))}</span></div>${canDecide ? decisionForms(deps, w, csrf) : ""}</div>`;
}

function recentTable(items: WithdrawalView[]): SafeHtml {
  if (items.length === 0) return html`<p class="muted">No withdrawal yet.</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="Latest withdrawals"><table><thead><tr><th>Withdrawal</th><th>Status</th><th>Amount</th><th>To</th><th>Transaction</th><th>Updated</th></tr></thead>
<tbody>${items.map(
    (w) => html`<tr data-withdrawal-row="${w.id}"><td class="mono wrap">${w.id}</td><td>${w.status}</td><td class="mono">${w.amount} ${w.asset}</td>
<td class="mono wrap">${w.network} ${w.address}</td><td class="mono wrap">${w.txHash ?? w.failureReason ?? ""}</td><td>${when(new Date(w.updatedAt))}</td></tr>`,
  )}</tbody></table></div>`;
}

export const withdrawalsSection: DashboardSection = {
  id: "withdrawals",
  title: "Withdrawals",
  act: "withdrawals",
  async render(deps, ctx) {
    const [waiting, approved, sent, recent] = await Promise.all([
      withdrawalPage(deps, { status: "requested", limit: PAGE }),
      withdrawalPage(deps, { status: "approved", limit: PAGE }),
      withdrawalPage(deps, { status: "sent", limit: PAGE }),
      withdrawalPage(deps, { limit: PAGE }),
    ]);
    const canDecide = ctx.can("withdrawals");
    const inFlight = [...approved.items, ...sent.items];
    return html`<h2>Waiting for approval</h2>${
      waiting.items.length === 0
        ? html`<div class="card"><p class="muted">No withdrawal waits for approval.</p></div>`
        : waiting.items.map((w) => withdrawalCard(deps, w, canDecide, ctx.csrf))
    }<h2>Payouts in flight</h2>${
      inFlight.length === 0
        ? html`<div class="card"><p class="muted">No withdrawal is being paid.</p></div>`
        : inFlight.map((w) => inFlightCard(deps, w, canDecide, ctx.csrf))
    }<div class="card"><h2>Latest withdrawals</h2>${recentTable(recent.items)}</div>`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    const params = { type: "object", properties: { id: { type: "string", pattern: ID } }, required: ["id"] } as const;
    for (const action of ["approve", "reject"] as const) {
      app.post<{ Params: { id: string } }>(`${BACK}/:id/${action}`, { schema: { hide: true, params } }, async (request, reply) =>
        runFormAction(reply, BACK, async () => {
          if (action === "approve") {
            const asked = await approvableWithdrawal(deps, request.params.id);
            await requireStepUp(deps, request, { amount: asked.amount, currency: asked.asset });
          }
          const w = await decideWithdrawal(deps, request.params.id, operatorOf(request), action === "approve" ? { kind: "approve" } : { kind: "reject", reason: null });
          return `Withdrawal ${w.id} ${w.status}: ${action === "approve" ? "its payout is queued." : "the funds are back where they came from."}`;
        }),
      );
    }
    app.post<{ Params: { id: string } }>(`${BACK}/:id/repoll`, { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const w = await repollWithdrawal(deps, request.params.id);
        return `Withdrawal ${w.id} (${w.status}): the chain is asked now.`;
      }),
    );
    app.post<{ Params: { id: string } }>(`${BACK}/:id/cancel`, { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const asked = await cancellableWithdrawal(deps, request.params.id);
        await requireStepUp(deps, request, { amount: asked.amount, currency: asked.asset });
        const w = await cancelWithdrawal(deps, request.params.id, operatorOf(request));
        return `Withdrawal ${w.id}: its cancel is being sent; the funds return once the chain confirms it (or the payout is confirmed if it is mined first).`;
      }),
    );
    app.post<{ Params: { id: string }; Body: { txHash?: unknown } }>(`${BACK}/:id/tx-hash`, { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const txHash = typeof request.body?.txHash === "string" ? request.body.txHash : "";
        const asked = await readWithdrawal(deps, request.params.id);
        const r = await recordWithdrawalTx(deps, request.params.id, txHash, () => requireStepUp(deps, request, { amount: asked.amount, currency: asked.asset }));
        return r.replayed ? `Withdrawal ${r.withdrawal.id} already had this transaction: nothing changed.` : `Withdrawal ${r.withdrawal.id} is ${r.withdrawal.status} with ${r.withdrawal.tx_hash}.`;
      }),
    );
  },
};
