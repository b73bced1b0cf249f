// GET /v3/payin/pay-callback is what a card customer's app (or its merchant) polls once an offer is
// paid. Like the intent status (intents/status-cache.ts) the paid offer's payment and risk decision
// are answered from a per-process cache that the card_payment_changed notifications keep exact
// (migrations/0062_r_status_read_notify.sql): any committed change to the payment or its decision,
// from any process, drops the offer's entry within a notification's latency, and this process's own
// changes are read back from the database until theirs arrives (cardPaymentChanging). Only paid offers
// are cached: an offer not paid yet is read from the database every time (paying inserts its payment).
import { AppError } from "../../core/shared/errors.js";
import { findCustomerOfferPayment, type PaymentRow } from "../../db/card/offers.js";
import { perDatabaseCache } from "../cache/change-notified-cache.js";
import { keptViews } from "../cache/kept-views.js";
import type { Deps } from "../deps.js";
import type { PaymentRiskView } from "../risk/payment-risk.js";
import { cardPaymentRisk } from "./card-risk.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { renderPayCallback, viewOf } from "./pay-callback.js";

interface PaidOffer {
  payment: PaymentRow;
  risk: PaymentRiskView | null;
}

const paidOfferCache = perDatabaseCache<PaidOffer>({ channel: "card_payment_changed", maxEntries: 100_000, ttlMs: 60_000 });

/** The card routes start it; workers do not. */
export function startPayCallbackCache(deps: Deps): void {
  paidOfferCache.start(deps.database);
}

/**
 * The customer's paid offer (`offerId`: digits) with the decision it was paid under. Another customer's
 * offer is "No such offer", exactly as an unknown id.
 */
export async function readPaidOffer(deps: Deps, who: CustomerPrincipal, offerId: string): Promise<PaidOffer> {
  let offerFound = false;
  // Keyed as the notifications name it (the offer id without leading zeros).
  const paid = await paidOfferCache.read(deps.database, BigInt(offerId).toString(), async () => {
    const found = await findCustomerOfferPayment(deps.database.db, who.customerId, offerId);
    offerFound = found.offerFound;
    return found.payment ? { payment: found.payment, risk: await cardPaymentRisk(deps, found.payment) } : undefined;
  });
  if (paid && paid.payment.customer_id === who.customerId) return paid;
  throw new AppError("not_found", { field: "offerId", message: offerFound ? "This offer has not been paid yet." : "No such offer." });
}

const answers = keptViews<PaidOffer, ReturnType<typeof renderPayCallback> & { risk: PaymentRiskView | null }>();

/**
 * The pay-callback object with its risk decision: frozen, the same for every read of an unchanged entry
 * (cache/kept-views.ts) while the values its 3-D Secure link is built from (signed, absolute) are the same.
 */
export function payCallbackAnswer(deps: Pick<Deps, "config">, paid: PaidOffer) {
  return answers(paid, [deps.config.publicUrl, deps.config.secretKey], () => ({ ...renderPayCallback(viewOf(deps, paid.payment)), risk: paid.risk }));
}

/** Every change to a card payment calls this in its transaction (transitionPayment). */
export function cardPaymentChanging(deps: Deps, offerId: string): void {
  paidOfferCache.changingNow(deps.database, BigInt(offerId).toString());
}
