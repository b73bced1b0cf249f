// Bank transfers for the operator: those that matched no pay-in or intent, and those whose money goes
// back to the payer (refunded by Rampart, or a second payment of a closed pay-in that its trader
// returns). An unmatched transfer is closed here by assigning it to an intent or a trading pay-in, or by
// refunding it, each after a confirmation page that says what will happen; the forms call
// assignUnmatchedTransfer and refundUnmatchedTransfer, the same use cases as
// POST /admin/v1/unmatched-transfers/:id/assign and /refund.
import type { FastifyInstance } from "fastify";
import { type AssignTo, assignUnmatchedTransfer, refundUnmatchedTransfer } from "../../app/bank-transfers/resolve-unmatched-transfer.js";
import { bankTransferForOperator, returnedTransfers, unmatchedTransfers } from "../../app/bank-transfers/transfer-queues.js";
import type { Deps } from "../../app/deps.js";
import { AppError } from "../../core/shared/errors.js";
import type { BankTransferRow } from "../../db/bank-transfers/bank-transfers.js";
import { runFormAction } from "../pages/form-action.js";
import { formatMinor } from "../../core/money/decimal.js";
import { fiatScale } from "../../core/money/currencies.js";
import { money, when } from "../pages/format.js";
import { html, type SafeHtml } from "../pages/html.js";
import { operatorOf, type DashboardSection } from "./section.js";
import { type MovedAmount, requireStepUp, stepUpField } from "./step-up.js";

const BACK = "/dashboard/unmatched";
const TRANSFER_ID = /^btr_[0-9A-Za-z_]{1,60}$/;
const TARGETS = { reference: "the payment reference of an intent", intentId: "a payment intent id", tradingPayinId: "a trading pay-in id" } as const;
type Target = keyof typeof TARGETS;
const isTarget = (v: unknown): v is Target => typeof v === "string" && Object.hasOwn(TARGETS, v);

const paidFor = (t: BankTransferRow) => t.trading_payin_id ?? t.intent_id ?? t.requisite_id ?? t.reference ?? "—";
const payer = (t: BankTransferRow) => `${t.payer_name ?? "an unknown payer"}${t.payer_iban ? ` (${t.payer_iban})` : ""}`;

function table(rows: BankTransferRow[], label: string, empty: string, resolvable: boolean) {
  if (rows.length === 0) return html`<p class="muted">${empty}</p>`;
  return html`<div class="scroll" tabindex="0" role="region" aria-label="${label}"><table><thead><tr><th>Received</th><th>Amount</th><th>Payer</th><th>For</th><th>Why</th><th>Bank id</th>${resolvable ? html`<th>Action</th>` : ""}</tr></thead>
<tbody>${rows.map(
    (t) => html`<tr data-transfer="${t.id}"><td>${when(t.received_at)}</td><td class="mono">${money(t.amount_minor, t.currency)}</td><td>${t.payer_name ?? "—"}</td>
<td class="mono">${paidFor(t)}</td><td>${t.reason ?? "—"}</td><td class="mono">${t.external_id}</td>${
      resolvable ? html`<td><a href="${BACK}?transfer=${t.id}" aria-label="Resolve ${t.id}">Resolve</a></td>` : ""
    }</tr>`,
  )}</tbody></table></div><p class="muted">Newest first, up to 100.</p>`;
}

/** The transfer's facts, shown above both the choice and the confirmation. */
function transferFacts(t: BankTransferRow): SafeHtml {
  return html`<div class="row"><span>Amount</span><span class="mono">${money(t.amount_minor, t.currency)}</span></div>
<div class="row"><span>Payer</span><span class="wrap">${payer(t)}</span></div>
<div class="row"><span>Remittance / reference</span><span class="mono wrap">${t.reference ?? "—"}</span></div>
<div class="row"><span>Received</span><span>${when(t.received_at)}</span></div>
<div class="row"><span>Why unmatched</span><span>${t.reason ?? "—"}</span></div>`;
}

/** Step 1: assign or refund (GET forms: choosing changes nothing). */
function choice(t: BankTransferRow): SafeHtml {
  return html`<div class="card" id="resolve" data-transfer="${t.id}"><h2>Resolve <span class="mono wrap">${t.id}</span></h2>${transferFacts(t)}
<form method="get" action="${BACK}"><input type="hidden" name="transfer" value="${t.id}"><input type="hidden" name="action" value="assign">
<h3>Assign it</h3>
<label for="assign-to">Assign to</label>
<select id="assign-to" name="to">${(Object.keys(TARGETS) as Target[]).map((k) => html`<option value="${k}">${TARGETS[k]}</option>`)}</select>
<label for="assign-value">Reference or id</label><input id="assign-value" name="value" maxlength="140" required autocomplete="off">
<p><button type="submit">Review the assignment</button></p></form>
<form method="get" action="${BACK}"><input type="hidden" name="transfer" value="${t.id}"><input type="hidden" name="action" value="refund">
<h3>Refund it to the payer</h3>
<label for="refund-reason">Reason (kept with the refund order)</label><input id="refund-reason" name="reason" minlength="3" maxlength="140" required>
<p><button type="submit" class="secondary">Review the refund</button></p></form>
<p><a href="${BACK}">Back to the list</a></p></div>`;
}

function assignEffect(t: BankTransferRow, to: Target, value: string): SafeHtml {
  switch (to) {
    case "reference":
    case "intentId":
      if (t.requisite_id !== null) {
        return html`<p class="error">This transfer arrived on a trader's requisite: the money is in the trader's account, so it can only be assigned to a trading pay-in on that requisite. Rampart refuses this assignment.</p>`;
      }
      return html`<p>The transfer goes through the inbound path as if it had carried the payment reference of the intent <span class="mono wrap">${value}</span>:
if that intent waits for ${money(t.amount_minor, t.currency)} it moves to paid (5), the merchant gets its IPN and the payout follows; if it no longer
waits, the money is booked back as a refund to the payer. An intent that does not exist, or whose currency is not ${t.currency}, is refused and nothing changes.</p>`;
    case "tradingPayinId":
      return html`<p>The transfer is matched to the trading pay-in <span class="mono wrap">${value}</span> on its requisite: the pay-in moves on as if the
trader's account had received it, with the merchant's webhook. If the transfer matches another pay-in (another amount), nothing changes.</p>`;
  }
}

function refundEffect(t: BankTransferRow): SafeHtml {
  if (t.requisite_id !== null) {
    return html`<p class="error">This transfer arrived on a trader's requisite: the money is in the trader's account and the trader returns it. Rampart refuses this refund.</p>`;
  }
  return html`<p>The money is booked in and back out on the ledger, and a refund order of ${money(t.amount_minor, t.currency)} is made to ${payer(t)}.
${
    t.payer_iban === null
      ? "The statement gave no payer IBAN: the order waits on the Refund orders page until you enter one."
      : "It goes out in the next pain.001 export on the Refund orders page."
  }</p>`;
}

/** Step 2: what will happen, and the one POST form that does it. */
/** What the transfer moves, as the step-up compares it. */
const moved = (t: BankTransferRow): MovedAmount => ({ amount: formatMinor(BigInt(t.amount_minor), fiatScale(t.currency)), currency: t.currency });

function confirmation(deps: Deps, t: BankTransferRow, q: Record<string, string | undefined>, csrf: string): SafeHtml {
  const action = q.action === "refund" ? "refund" : "assign";
  const value = (q.value ?? "").trim();
  const reason = (q.reason ?? "").trim();
  if (action === "assign" && (!isTarget(q.to) || value.length === 0 || value.length > 140)) return html`<p class="card error">Name what to assign the transfer to.</p>${choice(t)}`;
  if (action === "refund" && (reason.length < 3 || reason.length > 140)) return html`<p class="card error">Give a reason of 3 to 140 characters.</p>${choice(t)}`;
  return html`<div class="card" id="confirm" data-transfer="${t.id}"><h2>Confirm: ${action === "assign" ? "assign" : "refund"} <span class="mono wrap">${t.id}</span></h2>${transferFacts(t)}
${action === "assign" ? assignEffect(t, q.to as Target, value) : refundEffect(t)}
<form method="post" action="${BACK}/${t.id}/${action}"><input type="hidden" name="csrf" value="${csrf}">
${action === "assign" ? html`<input type="hidden" name="to" value="${q.to}"><input type="hidden" name="value" value="${value}">` : html`<input type="hidden" name="reason" value="${reason}">`}
${stepUpField(deps, moved(t), t.id)}
<p><button type="submit"${action === "refund" ? html` class="danger"` : ""}>${action === "assign" ? "Assign the transfer" : "Refund the transfer"}</button> <a href="${BACK}?transfer=${t.id}">Cancel</a></p></form></div>`;
}

async function resolvePanel(deps: Deps, q: Record<string, string | undefined>, csrf: string): Promise<SafeHtml | string> {
  if (q.transfer === undefined) return "";
  if (!TRANSFER_ID.test(q.transfer)) return html`<p class="card error">No bank transfer has this id.</p>`;
  let t: BankTransferRow;
  try {
    t = await bankTransferForOperator(deps, q.transfer);
  } catch (err) {
    if (err instanceof AppError && err.code === "not_found") return html`<p class="card error">${err.message}</p>`;
    throw err;
  }
  if (t.outcome !== "unmatched" || t.resolution !== null) {
    return html`<p class="card">Transfer <span class="mono">${t.id}</span> is no longer unmatched (${t.resolution ?? t.outcome}).</p>`;
  }
  return q.action === undefined ? choice(t) : confirmation(deps, t, q, csrf);
}

function assignTo(body: { to?: unknown; value?: unknown }): AssignTo {
  const value = typeof body.value === "string" ? body.value.trim() : "";
  if (!isTarget(body.to) || value.length === 0 || value.length > 140) throw new AppError("validation_failed", { field: "value", message: "Name what to assign the transfer to." });
  return { [body.to]: value } as AssignTo;
}

export const unmatchedSection: DashboardSection = {
  id: "unmatched",
  title: "Unmatched transfers",
  act: "refunds",
  async render(deps, ctx) {
    const [panel, unmatched, returned] = await Promise.all([resolvePanel(deps, ctx.query, ctx.csrf), unmatchedTransfers(deps, 100), returnedTransfers(deps, 100)]);
    return html`${panel}<div class="card"><h2>Matched nothing</h2>${table(unmatched, "Transfers that matched nothing", "Every incoming transfer matched a pay-in or an intent.", true)}</div>
<div class="card"><h2>Going back to the payer</h2>${table(returned, "Transfers going back to the payer", "No transfer had to be returned.", false)}</div>`;
  },
  actions(app: FastifyInstance, deps: Deps) {
    const params = { type: "object", properties: { id: { type: "string", pattern: TRANSFER_ID.source } }, required: ["id"] } as const;
    app.post<{ Params: { id: string }; Body: { to?: unknown; value?: unknown } }>(`${BACK}/:id/assign`, { schema: { hide: true, params }, config: { permission: "transfers.assign" } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const to = assignTo(request.body ?? {});
        await requireStepUp(deps, request, moved(await bankTransferForOperator(deps, request.params.id)));
        const r = await assignUnmatchedTransfer(deps, request.params.id, to, operatorOf(request));
        return `Transfer ${r.transferId} assigned: ${r.outcome}${r.intentId ? ` (intent ${r.intentId})` : ""}${r.tradingPayinId ? ` (pay-in ${r.tradingPayinId})` : ""}.`;
      }),
    );
    app.post<{ Params: { id: string }; Body: { reason?: unknown } }>(`${BACK}/:id/refund`, { schema: { hide: true, params } }, async (request, reply) =>
      runFormAction(reply, BACK, async () => {
        const reason = typeof request.body?.reason === "string" ? request.body.reason.trim() : "";
        if (reason.length < 3 || reason.length > 140) throw new AppError("validation_failed", { field: "reason", message: "Give a reason of 3 to 140 characters." });
        await requireStepUp(deps, request, moved(await bankTransferForOperator(deps, request.params.id)));
        const r = await refundUnmatchedTransfer(deps, request.params.id, reason, operatorOf(request));
        return `Transfer ${r.transferId} refunded: refund order ${r.refundOrder.id} is ${r.refundOrder.status}.`;
      }),
    );
  },
};
