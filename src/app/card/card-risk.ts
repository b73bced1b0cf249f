// The risk engine in the card flow (docs/risk.md): an offer is assessed when it is created, with the
// saved card and the device (client address, user agent), in the transaction that writes it. A block
// refuses the offer; a review creates it held, and paying it waits for an operator's release. Pay
// assesses again only an offer that create did not (made before the merchant had rules) or that was
// re-quoted since; a card is charged at once, so a review there refuses like a block.
import type { Transaction } from "kysely";
import { AppError } from "../../core/shared/errors.js";
import { findCustomerCard } from "../../db/card/cards.js";
import type { OfferRow, PaymentRow } from "../../db/card/offers.js";
import { findDecisionByPaymentId, insertDecision } from "../../db/risk/decisions.js";
import type { DB } from "../../db/schema.js";
import type { Deps } from "../deps.js";
import { assessPaymentRisk, RiskBlockedError } from "../risk/assess-payment.js";
import { cardSignals } from "../risk/dialect-signals.js";
import { paymentRisk, paymentRiskView, type PaymentRiskView } from "../risk/payment-risk.js";
import { refuseHeld } from "../risk/reviews.js";
import type { CustomerPrincipal } from "./customer-auth.js";

/** The device an offer is created from, as the card routes see it. */
export interface CardDevice {
  ip: string | null;
  userAgent: string | null;
}

async function signalsOf(trx: Transaction<DB>, who: CustomerPrincipal, offer: OfferRow, device: CardDevice) {
  const card = await findCustomerCard(trx, who.customerId, offer.card_id);
  if (!card) throw new AppError("not_found", { field: "cardId", message: "No such card." });
  return cardSignals({
    amountMinor: BigInt(offer.fiat_minor),
    currency: offer.fiat,
    customerId: who.customerId,
    cardId: card.id,
    cardBin: card.bin,
    cardCountry: card.billing_country,
    wallet: null,
    ...device,
  });
}

/**
 * At offer create, inside its transaction: the decision is stored under the offer's id and returned as
 * the offer's `risk` member (the merchant reads it before paying).
 */
export async function assessOffer(deps: Deps, trx: Transaction<DB>, who: CustomerPrincipal, offer: OfferRow, device: CardDevice): Promise<PaymentRiskView | null> {
  const risk = await assessPaymentRisk(deps, trx, { merchantId: who.merchantId, flow: "card", paymentId: String(offer.id), signals: await signalsOf(trx, who, offer, device) });
  return paymentRiskView(risk ? await insertDecision(trx, risk.record) : undefined);
}

/** An offer's decision at create (null: not assessed), for the offer's update and read. */
export function offerRisk(deps: Deps, offerId: string): Promise<PaymentRiskView | null> {
  return paymentRisk(deps.database.db, "card", [offerId]);
}

/**
 * At pay, inside its transaction with the offer locked: an offer decided at create goes on only when
 * allowed or released (pending is risk_review_pending, rejected risk_blocked), even when re-quoted
 * since (a re-quote must not slip a held offer past its review); an offer not decided at create, or
 * re-quoted since, is assessed now under the payment's own id, and a review refuses it (nothing is
 * started).
 */
export async function assessAtPay(deps: Deps, trx: Transaction<DB>, who: CustomerPrincipal, offer: OfferRow, paymentId: string): Promise<void> {
  const atCreate = await findDecisionByPaymentId(trx, String(offer.id));
  refuseHeld(atCreate);
  if (atCreate && atCreate.created_at >= offer.updated_at) return;
  const signals = await signalsOf(trx, who, offer, { ip: null, userAgent: null });
  const risk = await assessPaymentRisk(deps, trx, { merchantId: who.merchantId, flow: "card", paymentId, signals });
  if (risk?.decision === "review") throw new RiskBlockedError({ merchantId: who.merchantId, flow: "card", decision: risk });
  if (risk) await insertDecision(trx, risk.record);
}

/** The decision a card payment went on under: its own (assessed at pay) or else its offer's (at create). */
export function cardPaymentRisk(deps: Deps, p: PaymentRow): Promise<PaymentRiskView | null> {
  return paymentRisk(deps.database.db, "card", [p.id, String(p.offer_id)]);
}
