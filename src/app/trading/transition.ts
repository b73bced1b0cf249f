// One place where a trading pay-in changes status: decide with the core table, write the row, record
// the event with its actor, and enqueue the webhook carrying the pay-in object, all in the caller's
// transaction (the caller has locked the row FOR UPDATE and re-read its status).
import { isTestMerchant } from "../merchants/test-mode.js";
import type { Transaction, Updateable } from "kysely";
import { TRADING_MACHINE, type TradingActor, type TradingPayinAction } from "../../core/trading/payin-status.js";
import type { DB } from "../../db/schema.js";
import { findRequisites } from "../../db/trading/requisites.js";
import { findTradingSettingsOf } from "../../db/trading/settings.js";
import { insertPayinEvents, type TradingPayinRow, updatePayins } from "../../db/trading/payins.js";
import type { TradingPayinsTable } from "../../db/tables/trading.js";
import { assertNever } from "../../core/shared/assert-never.js";
import type { Deps } from "../deps.js";
import type { PaymentOutcome } from "../ops/metrics.js";
import { enqueuePayinWebhooks } from "./payin-outbox.js";
import { merchantEventFanOut } from "../outbox/merchant-events.js";
import { renderTradingPayin } from "./payin-object.js";
import { tradingPayinChanging } from "./payin-read-cache.js";

interface TransitionInput {
  action: TradingPayinAction;
  actor: TradingActor;
  actorId: string | null;
  /** Other columns changed with the status (amounts, dispute fields, hold state). */
  set?: Updateable<TradingPayinsTable>;
  data?: Record<string, unknown>;
}

export async function transitionPayin(
  deps: Deps,
  trx: Transaction<DB>,
  locked: TradingPayinRow,
  t: TransitionInput,
): Promise<TradingPayinRow> {
  return (await transitionPayins(deps, trx, [locked], t))[0]!;
}

/**
 * The same action on several locked pay-ins (a batch of expiries, issue 16): every move is decided
 * with the core table before anything is written, so one illegal move refuses the whole batch; then
 * one update per target status, one insert of the events, one of the webhooks. Returns the pay-ins as
 * written, in the order given.
 */
export async function transitionPayins(
  deps: Deps,
  trx: Transaction<DB>,
  locked: readonly TradingPayinRow[],
  t: TransitionInput,
): Promise<TradingPayinRow[]> {
  const moves = locked.map((p) => ({ p, to: TRADING_MACHINE.next(p.status, t.action) }));
  const now = deps.clock.now();
  for (const { p } of moves) tradingPayinChanging(deps, p.id);
  const written = new Map<string, TradingPayinRow>();
  for (const to of new Set(moves.map((m) => m.to))) {
    const ids = moves.filter((m) => m.to === to).map((m) => m.p.id);
    for (const row of await updatePayins(trx, ids, { ...t.set, status: to, updated_at: now, ...(to === "closed" ? { closed_at: now } : {}) })) {
      written.set(row.id, row);
    }
  }
  await insertPayinEvents(
    trx,
    moves.map(({ p, to }) => ({ payinId: p.id, actor: t.actor, actorId: t.actorId, from: p.status, to, at: now, data: { action: t.action, ...t.data } })),
  );
  const updated = moves.map(({ p }) => written.get(p.id)!);
  await notifyMerchants(deps, trx, updated);
  const outcome = paymentOutcome(t.action);
  // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
  if (outcome) for (const p of locked) if (!(await isTestMerchant(deps, p.merchant_id, trx))) deps.metrics.paymentFinished(trx, "trading", outcome, p.created_at, now);
  return updated;
}

/** What a transition means for the payments metrics: an outcome, or none (a dispute's steps). */
function paymentOutcome(action: TradingPayinAction): PaymentOutcome | null {
  switch (action) {
    case "pay":
    case "resolve_paid":
    case "settle_recalculated":
    case "auto_resolve":
      return "paid";
    case "expire":
      return "expired";
    case "cancel":
      return "canceled";
    case "resolve_not_paid":
      return "failed";
    case "open_dispute":
    case "open_review":
    case "resolve_recalculate":
    case "payer_claim":
      return null;
    default:
      return assertNever(action, "trading action");
  }
}

/**
 * Enqueues the signed webhook (body = the pay-in object) to callbackUrl or the merchant's URL: on every
 * status change, and on a trader's dispute answer (the amount the trader says arrived).
 */
export async function notifyMerchant(deps: Deps, trx: Transaction<DB>, p: TradingPayinRow, extension?: Record<string, unknown>): Promise<void> {
  await notifyMerchants(deps, trx, [p], extension);
}

/**
 * notifyMerchant for several pay-ins: the settings and requisites they need are read once each.
 * `extension` adds fields to the pay-in object (an operator's refund, docs/contract-trading.md). The
 * same event also goes to the merchant's own webhook endpoints that take trading.payin.<status>
 * (merchant-events.ts), with or without a callback URL.
 */
async function notifyMerchants(deps: Deps, trx: Transaction<DB>, payins: readonly TradingPayinRow[], extension?: Record<string, unknown>): Promise<void> {
  const settings = await findTradingSettingsOf(trx, payins.filter((p) => !p.callback_url).map((p) => p.merchant_id));
  const fanOut = await merchantEventFanOut(trx, payins.map((p) => p.merchant_id));
  const targets = payins.flatMap((p) => {
    const url = p.callback_url ?? settings.get(p.merchant_id)?.webhook_url ?? null;
    return url || fanOut.wants(p.merchant_id, payinEventType(p)) ? [{ p, url, eventId: deps.ids.uuid() }] : [];
  });
  if (targets.length === 0) return;
  const requisites = new Map((await findRequisites(trx, targets.map((x) => x.p.requisite_id))).map((r) => [r.id, r]));
  const rendered = targets.map((t) => ({ ...t, data: { ...renderTradingPayin(t.p, requisites.get(t.p.requisite_id)!, deps.config.publicUrl), ...extension } }));
  await enqueuePayinWebhooks(
    trx,
    rendered.flatMap(({ p, url, eventId, data }) => (url ? [{ payin: p, url, eventId, body: JSON.stringify(data) }] : [])),
  );
  const now = deps.clock.now();
  await fanOut.publish(
    rendered.map(({ p, eventId, data }) => ({ merchantId: p.merchant_id, type: payinEventType(p), key: `trading_payin.${eventId}`, orderingKey: `trading_payin.${p.id}`, createdAt: now, data })),
  );
}

const payinEventType = (p: TradingPayinRow) => `trading.payin.${p.status}`;
