// Card payment events for the merchant's card webhook (a Rampart extension: the /v3 dialect itself has
// no webhook). Each is written in the transaction that changes the payment, so an event exists exactly
// when its status was committed, and goes out through the outbox in the signed envelope format:
//   { id, type, createdAt, data }   data = the pay-callback object at that moment.
import type { Transaction } from "kysely";
import type { CardPaymentStatus } from "../../core/card/payment-status.js";
import { assertNever } from "../../core/shared/assert-never.js";
import { findCardWebhook } from "../../db/card/merchant-settings.js";
import type { PaymentRow } from "../../db/card/offers.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { CARD_PAYMENT_EVENT_TYPES } from "../../core/webhooks/event-types.js";
import { publishMerchantEvents } from "../outbox/merchant-events.js";
import { enqueueWebhook } from "../outbox/outbox.js";
import { renderPayCallback, viewOf } from "./pay-callback.js";

type CardPaymentEventType = (typeof CARD_PAYMENT_EVENT_TYPES)[number];

/** The event a payment sends on entering a status, or null for a status the merchant is not told about. */
function eventTypeOf(s: CardPaymentStatus): CardPaymentEventType | null {
  switch (s) {
    case "authorizing": // pay accepted
    case "challenge": // a 3-D Secure challenge opened: data.authLink is the payer's page
      return "card.payment.pending";
    case "provider_error": // still PENDING; the status sync job resolves it and the next event is the outcome
      return null;
    case "succeeded":
      return "card.payment.succeeded";
    case "failed":
      return "card.payment.failed";
    default:
      return assertNever(s, "card payment status");
  }
}

/** Stable per (payment, status): the state machine never re-enters a status, so a re-run is a no-op. */
export function cardPaymentEventId(paymentId: string, status: CardPaymentStatus): string {
  return `card_payment.${paymentId}.${status}`;
}

/** Messages of one offer are delivered in order (a later one waits until the earlier one settled). */
export function cardPaymentOrderingKey(offerId: string): string {
  return `card_offer.${offerId}`;
}

/** Queues the event for the payment's current status, if the merchant has a card webhook. */
export async function enqueueCardPaymentEvent(deps: Deps, trx: Transaction<DB>, p: PaymentRow, at: Date): Promise<void> {
  const type = eventTypeOf(p.status);
  if (type === null) return;
  const id = cardPaymentEventId(p.id, p.status);
  const data = renderPayCallback(viewOf(deps, p));
  // The merchant's own webhook endpoints (merchant-events.ts) take it with or without a card webhook.
  await publishMerchantEvents(trx, [{ merchantId: p.merchant_id, type, key: id, orderingKey: cardPaymentOrderingKey(p.offer_id), createdAt: at, data }]);
  const hook = await findCardWebhook(trx, p.merchant_id);
  if (!hook) return;
  await enqueueWebhook(trx, {
    merchantId: p.merchant_id,
    format: "envelope",
    url: hook.url,
    eventId: id,
    orderingKey: cardPaymentOrderingKey(p.offer_id),
    body: JSON.stringify({ id, type, createdAt: at.toISOString(), data }),
    signingKeyRef: { kind: "webhook_secret", merchantId: p.merchant_id },
  });
}
