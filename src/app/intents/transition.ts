// One place where an intent changes status: decide with the core table, write the row and its
// event, apply what entering the new status means (order number, payment window and a copy of the
// store's bank details on 4, KYC window on 2, payout on 5), and enqueue the IPN, all in the caller's
// transaction. The caller has locked the row FOR UPDATE and re-read its status.
import { isTestMerchant } from "../merchants/test-mode.js";
import type { Transaction, Updateable } from "kysely";
import { INTENT_MACHINE, INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentAction, type IntentStatus } from "../../core/intents/intent-status.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { type IntentChange, type IntentRow, type IntentSettingsRow, findIntentSettings, updateIntents } from "../../db/intents/intents.js";
import type { DB } from "../../db/schema.js";
import type { PaymentIntentsTable } from "../../db/tables/intents.js";
import type { Deps } from "../deps.js";
import type { PaymentOutcome } from "../ops/metrics.js";
import { type MerchantEvent, publishMerchantEvents } from "../outbox/merchant-events.js";
import { enqueueJobs, enqueueWebhooks, type NewJob, type WebhookInput } from "../outbox/outbox.js";
import { intentChanging } from "./status-cache.js";

type IntentActor = "merchant" | "user" | "kyc_vendor" | "support" | "bank_feed" | "chain" | "operator" | "system";

const INTENT_TIMEOUT_JOB = "intent.timeout";
const INTENT_PAYOUT_JOB = "intent.payout";

interface IntentTransition {
  action: IntentAction;
  actor: IntentActor;
  set?: Updateable<PaymentIntentsTable>;
  data?: Record<string, unknown>;
  /** The store's settings when the caller has them already (read here otherwise, if the new status needs them). */
  settings?: IntentSettingsRow;
}

export async function transitionIntent(deps: Deps, trx: Transaction<DB>, locked: IntentRow, t: IntentTransition): Promise<IntentRow> {
  return (await transitionIntents(deps, trx, [{ locked, ...t }]))[0]!;
}

/**
 * Several intents' transitions, each as transitionIntent would, with a constant number of statements
 * whatever their number (a batch of creates moving all its intents on): the jobs in one insert, the
 * rows and their events in one update, the IPNs and the endpoint fan-out each in one insert (plus a
 * lookup of the endpoint per distinct IPN URL). Rows come back in the order given.
 */
export async function transitionIntents(deps: Deps, trx: Transaction<DB>, list: readonly (IntentTransition & { locked: IntentRow })[]): Promise<IntentRow[]> {
  if (list.length === 0) return [];
  const now = deps.clock.now();
  const jobs: NewJob[] = [];
  const changes: IntentChange[] = [];
  for (const t of list) {
    const { locked } = t;
    const to = INTENT_MACHINE.next(locked.status, t.action);
    const set: Updateable<PaymentIntentsTable> = { ...t.set, status: to, updated_at: now };
    const settings = async () => t.settings ?? (await findIntentSettings(trx, locked.store_id))!;
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
      jobs.push({ kind: INTENT_TIMEOUT_JOB, payload: { intentId: locked.id }, key: `${INTENT_TIMEOUT_JOB}:${locked.id}:4`, dueAt: windowEnds });
    } else if (to === S.kycNeeded) {
      const windowEnds = new Date(now.getTime() + (await settings()).kyc_window_seconds * 1000);
      set.window_ends_at = windowEnds;
      jobs.push({ kind: INTENT_TIMEOUT_JOB, payload: { intentId: locked.id }, key: `${INTENT_TIMEOUT_JOB}:${locked.id}:2`, dueAt: windowEnds });
    } else if (to === S.paid) {
      jobs.push({ kind: INTENT_PAYOUT_JOB, payload: { intentId: locked.id }, key: `${INTENT_PAYOUT_JOB}:${locked.id}` });
    }
    intentChanging(deps, locked.id);
    changes.push({ id: locked.id, set, event: { from: locked.status, actor: t.actor, at: now, data: { action: t.action, ...t.data } }, assignOrderNumber: to === S.readyToPay });
  }
  await enqueueJobs(trx, jobs);
  const updated = await updateIntents(trx, changes);

  const ipns: WebhookInput[] = [];
  const events: MerchantEvent[] = [];
  for (const [n, u] of updated.entries()) {
    const to = u.status;
    const outcome = paymentOutcome(to);
    // Test twins' payments are not counted: the counters are live volume (test mode, issue 19).
    if (outcome && !(await isTestMerchant(deps, u.merchant_id, trx))) deps.metrics.paymentFinished(trx, "intent", outcome, list[n]!.locked.created_at, now);
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
  return updated;
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
