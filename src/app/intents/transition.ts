// One place where an intent changes status: decide with the core table, write the row and its
// event, apply what entering the new status means (order number, payment window and a copy of the
// store's bank details on 4, KYC window on 2, payout on 5), and enqueue the IPN, all in the caller's
// transaction. The caller has locked the row FOR UPDATE and re-read its status; a new intent whose
// first move its create already decided is inserted at the status it reaches (insertIntentsMovedOn),
// the move decided by the same table.
import { isTestMerchant } from "../merchants/test-mode.js";
import type { Insertable, Transaction, Updateable } from "kysely";
import { INTENT_MACHINE, INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentAction, type IntentStatus } from "../../core/intents/intent-status.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { type IntentChange, type IntentRow, type IntentSettingsRow, findIntentSettings, insertIntents, updateIntents } from "../../db/intents/intents.js";
import type { NewRiskDecision } from "../../db/risk/decisions.js";
import type { DB } from "../../db/schema.js";
import type { PaymentIntentsTable } from "../../db/tables/intents.js";
import type { Deps } from "../deps.js";
import type { PaymentOutcome } from "../ops/metrics.js";
import { type MerchantEvent, publishMerchantEvents } from "../outbox/merchant-events.js";
import { enqueueJobs, enqueueWebhooks, type NewJob, newJobRows, type WebhookInput } from "../outbox/outbox.js";
import { intentChanging } from "./status-cache.js";

type IntentActor = "merchant" | "user" | "kyc_vendor" | "support" | "bank_feed" | "chain" | "operator" | "system";

const INTENT_TIMEOUT_JOB = "intent.timeout";
const INTENT_PAYOUT_JOB = "intent.payout";

export interface IntentTransition {
  action: IntentAction;
  actor: IntentActor;
  set?: Updateable<PaymentIntentsTable>;
  data?: Record<string, unknown>;
  /** The store's settings when the caller has them already (read here otherwise, if the new status needs them). */
  settings?: IntentSettingsRow;
}

export async function transitionIntent(deps: Deps, trx: Transaction<DB>, locked: IntentRow, t: IntentTransition): Promise<IntentRow> {
  const now = deps.clock.now();
  intentChanging(deps, locked.id);
  const planned = await plan(trx, locked, t, now);
  if (planned.job) await enqueueJobs(trx, [planned.job]);
  const [updated] = await updateIntents(trx, [planned.change]);
  await announce(deps, trx, [{ row: updated!, createdAt: locked.created_at }], now);
  return updated!;
}

/**
 * New intents written in one statement (with the risk decisions given), each at the status its first
 * transition gives when the create has already decided it (`first`: KYC valid, or the country not
 * served), else at created. A row that moves on is inserted once, already moved, with both its events
 * (created, then the move): no update rewrites it and its index entries, and no change is announced,
 * since no process can hold an intent that did not exist (migrations/0009 notifies on update only).
 * The move itself is decided, and its job (in the insert's statement), IPN and endpoint events
 * written, as transitionIntent does.
 */
export async function insertIntentsMovedOn(
  deps: Deps,
  trx: Transaction<DB>,
  list: readonly { row: Insertable<PaymentIntentsTable> & { id: string; store_id: string; created_at: Date }; first?: IntentTransition }[],
  decisions: readonly NewRiskDecision[],
): Promise<IntentRow[]> {
  const now = deps.clock.now();
  const moves: (IntentChange | null)[] = [];
  const jobs: NewJob[] = [];
  for (const { row, first } of list) {
    const p = first ? await plan(trx, { id: row.id, status: S.created, store_id: row.store_id }, first, now) : null;
    if (p?.job) jobs.push(p.job);
    moves.push(p?.change ?? null);
  }
  const written = await insertIntents(trx, list.map((l) => ({ ...l.row, status: S.created })), decisions, moves, newJobRows(jobs));
  const moved = list.flatMap((l, n) => (l.first ? [{ row: written[n]!, createdAt: l.row.created_at }] : []));
  await announce(deps, trx, moved, now);
  return written;
}

interface Planned {
  change: IntentChange;
  job: NewJob | null;
}

/** One transition decided by the table: the row's new columns, its event, and the job entering the new status schedules. */
async function plan(trx: Transaction<DB>, from: Pick<IntentRow, "id" | "status" | "store_id">, t: IntentTransition, now: Date): Promise<Planned> {
  const to = INTENT_MACHINE.next(from.status, t.action);
  const set: Updateable<PaymentIntentsTable> = { ...t.set, status: to, updated_at: now };
  const settings = async () => t.settings ?? (await findIntentSettings(trx, from.store_id))!;
  let job: NewJob | null = null;
  if (to === S.readyToPay) {
    const store = await settings();
    const windowEnds = new Date(now.getTime() + store.payment_window_seconds * 1000);
    set.window_ends_at = windowEnds;
    // The instructions show this copy: a later change of the store's account does not reach a payer
    // who already has the details.
    set.bank_iban = store.bank_iban;
    set.bank_bic = store.bank_bic;
    set.bank_beneficiary = store.bank_beneficiary;
    set.bank_name = store.bank_name;
    job = { kind: INTENT_TIMEOUT_JOB, payload: { intentId: from.id }, key: `${INTENT_TIMEOUT_JOB}:${from.id}:4`, dueAt: windowEnds };
  } else if (to === S.kycNeeded) {
    const windowEnds = new Date(now.getTime() + (await settings()).kyc_window_seconds * 1000);
    set.window_ends_at = windowEnds;
    job = { kind: INTENT_TIMEOUT_JOB, payload: { intentId: from.id }, key: `${INTENT_TIMEOUT_JOB}:${from.id}:2`, dueAt: windowEnds };
  } else if (to === S.paid) {
    job = { kind: INTENT_PAYOUT_JOB, payload: { intentId: from.id }, key: `${INTENT_PAYOUT_JOB}:${from.id}` };
  }
  return { change: { id: from.id, set, event: { from: from.status, actor: t.actor, at: now, data: { action: t.action, ...t.data } }, assignOrderNumber: to === S.readyToPay }, job };
}

/** What reaching its status tells the world, for each row written: the payments metrics, its IPN, the merchant's endpoint events. */
async function announce(deps: Deps, trx: Transaction<DB>, written: readonly { row: IntentRow; createdAt: Date }[], now: Date): Promise<void> {
  const ipns: WebhookInput[] = [];
  const events: MerchantEvent[] = [];
  for (const { row: u, createdAt } of written) {
    const to = u.status;
    const outcome = paymentOutcome(to);
    // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
    if (outcome && !(await isTestMerchant(deps, u.merchant_id, trx))) deps.metrics.paymentFinished(trx, "intent", outcome, createdAt, now);
    if (u.ipn_url) {
      ipns.push({
        merchantId: u.merchant_id,
        format: "intent_ipn",
        url: u.ipn_url,
        eventId: `${u.id}.${to}`,
        orderingKey: u.id,
        query: { paymentIntentId: u.id, paymentIntentStatus: String(to) },
        signingKeyRef: { kind: "ipn_secret", storeId: u.store_id },
      });
    }
    // The merchant's own webhook endpoints hear of every status too, with or without an IPN URL.
    events.push({
      merchantId: u.merchant_id,
      type: `payment_intent.${INTENT_STATUS_NAMES[to]}`,
      key: `payment_intent.${u.id}.${to}`,
      orderingKey: `payment_intent.${u.id}`,
      createdAt: now,
      data: { paymentIntentId: u.id, paymentIntentStatus: to, status: INTENT_STATUS_NAMES[to], storeId: u.store_id },
    });
  }
  if (ipns.length > 0) await enqueueWebhooks(trx, ipns);
  await publishMerchantEvents(trx, events);
}

/** What entering `to` means for the payments metrics: an outcome, or none (a step on the way, or after payment). */
function paymentOutcome(to: IntentStatus): PaymentOutcome | null {
  switch (to) {
    case S.paid:
      return "paid";
    case S.timedOut:
      return "expired";
    case S.cancelled:
      return "canceled";
    case S.failed:
    case S.kycFailed:
    case S.countryNotServed:
      return "failed";
    case S.created:
    case S.kycNeeded:
    case S.kycReview:
    case S.readyToPay:
    case S.done:
    case S.refunded:
      return null;
    default:
      return assertNever(to, "intent status");
  }
}
