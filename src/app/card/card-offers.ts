// Offers: a quote tied to a saved card, valid offerTtlSeconds, with no charge. Updating re-quotes
// (fiat wins when both amounts are given) and extends validity; a paid or expired offer is final.
import { CRYPTO_WIRE_SCALE } from "../../core/card/card-amounts.js";
import { parseAmount } from "../../core/money/decimal.js";
import { pow10 } from "../../core/money/rounding.js";
import type { Quote } from "../../core/pricing/quote.js";
import { AppError } from "../../core/shared/errors.js";
import { findCustomerOffer, insertOffersWithinLimit, type NewOffer, type NewOfferOutcome, type OfferAmounts, type OfferRow, requoteOffer } from "../../db/card/offers.js";
import type { Deps } from "../deps.js";
import type { CommitAnswer } from "../idempotency/idempotency-keys.js";
import { refuseWhenBlocked } from "../risk/assess-payment.js";
import type { PaymentRiskView } from "../risk/payment-risk.js";
import { readRiskSet } from "../risk/rule-cache.js";
import { assessOffer, type CardDevice, offerRisk } from "./card-risk.js";
import { writeOffer } from "./offer-writer.js";
import { type CardPair, type CardQuote, cardPair, cardQuote, currentRate, inLimitCurrency } from "./card-pricing.js";
import type { CustomerPrincipal } from "./customer-auth.js";
import { assertWithinLimit, levelLimitMinor, limitExceeded, type LimitState, limitState, limitStateOf, limitWindowStart } from "./customer-profile.js";

export interface OfferView {
  offer: OfferRow;
  pair: CardPair;
  limit: LimitState;
  /** The risk decision taken at create (docs/risk.md, "Cards"); null when the offer was not assessed. */
  risk: PaymentRiskView | null;
}

interface CreateOfferInput {
  cardId: string;
  fromCurrency: string;
  toCurrency: string;
  amount: unknown; // JSON number or decimal string, fiat major units
}

interface UpdateOfferInput {
  fromCurrency: string;
  toCurrency: string;
  amount?: unknown;
  toAmount?: unknown;
}

function amounts(pair: CardPair, q: CardQuote, feeMinor: bigint): OfferAmounts {
  return {
    fiat: q.fiat,
    fiat_minor: q.fiatMinor.toString(),
    crypto: q.crypto,
    crypto_network: pair.asset.network,
    crypto_decimals: pair.asset.decimals,
    crypto_minor: q.cryptoMinor.toString(),
    fee_minor: feeMinor.toString(),
    mid_rate: q.midRate,
    rate_source: q.rateSource,
    expires_at: q.expiresAt,
  };
}

const processingFee = (q: Quote) => q.fees.find((f) => f.name === "processing")?.amountMinor ?? 0n;

/** Quotes and checks the amount against the customer's rolling limit. */
async function priceIt(deps: Deps, who: CustomerPrincipal, pair: CardPair, amount: { fiatMinor?: bigint; cryptoMinor?: bigint }) {
  const rate = await currentRate(deps, pair.terms.fiat, pair.terms.crypto);
  const q = cardQuote(deps, pair, rate, amount);
  const limit = await limitState(deps, deps.database.db, who.customerId, who.kycLevel);
  assertWithinLimit(limit, await inLimitCurrency(deps, q.fiat, q.fiatMinor), amount.fiatMinor !== undefined ? "amount" : "toAmount");
  return { q, limit };
}

/**
 * The card check, the limit check and the insert are one statement, shared with concurrent offers. An
 * offer whose answer commits with it (`commit`), or whose merchant has risk rules (card-risk.ts), gets
 * a transaction of its own instead of the batch.
 */
export async function createOffer(deps: Deps, who: CustomerPrincipal, input: CreateOfferInput, device: CardDevice, commit?: CommitAnswer<OfferView>): Promise<OfferView> {
  const pair = await cardPair(deps, input.fromCurrency, input.toCurrency);
  const fiatMinor = parseAmount(input.amount, pair.terms.fiatScale, { field: "amount" });
  const q = cardQuote(deps, pair, await currentRate(deps, pair.terms.fiat, pair.terms.crypto), { fiatMinor });
  const offer: NewOffer = {
    row: { ...amounts(pair, q, processingFee(q)), customer_id: who.customerId, card_id: input.cardId, now: deps.clock.now() },
    limit: { since: limitWindowStart(deps), limitMinor: levelLimitMinor(deps, who.kycLevel), amountInLimitMinor: await inLimitCurrency(deps, q.fiat, q.fiatMinor) },
  };
  const viewOf = (outcome: NewOfferOutcome): OfferView => {
    if (outcome.kind === "no_card") throw new AppError("not_found", { field: "cardId", message: "No such card." });
    const limit = limitStateOf(deps, who.kycLevel, outcome);
    if (outcome.kind === "over_limit") throw limitExceeded(limit, "amount");
    return { offer: outcome.offer, pair, limit, risk: null };
  };
  // The merchant's rules are cached: without any, the offer keeps the batched write and costs no query.
  const assessed = (await readRiskSet(deps, who.merchantId)).rules.length > 0;
  if (!commit && !assessed) return viewOf(await writeOffer(deps.database, offer));
  return refuseWhenBlocked(deps, () =>
    deps.database.db.transaction().execute(async (trx) => {
      const view = viewOf((await insertOffersWithinLimit(trx, [offer]))[0]!);
      if (assessed) view.risk = await assessOffer(deps, trx, who, view.offer, device);
      await commit?.(trx, view);
      return view;
    }),
  );
}

/** toAmount has at most 8 decimals on the wire; the ledger counts in the asset's own minor units. */
function cryptoMinorOf(v: unknown, decimals: number): bigint {
  const wire = Math.min(decimals, CRYPTO_WIRE_SCALE);
  return parseAmount(v, wire, { field: "toAmount" }) * pow10(decimals - wire);
}

export function assertOfferOpen(offer: OfferRow, now: Date): void {
  if (offer.status === "paid") throw new AppError("offer_already_paid", { details: { currentStatus: "PAID" } });
  if (offer.expires_at <= now) throw new AppError("offer_expired", { details: { currentStatus: "EXPIRED" } });
}

export async function updateOffer(deps: Deps, who: CustomerPrincipal, offerId: string, input: UpdateOfferInput): Promise<OfferView> {
  const db = deps.database.db;
  const current = await findCustomerOffer(db, who.customerId, offerId);
  if (!current) throw new AppError("not_found", { message: "No such offer." });
  assertOfferOpen(current, deps.clock.now());
  const pair = await cardPair(deps, input.fromCurrency, input.toCurrency);
  const hasFiat = input.amount !== undefined && input.amount !== null;
  const hasCrypto = input.toAmount !== undefined && input.toAmount !== null;
  if (!hasFiat && !hasCrypto) throw new AppError("validation_failed", { field: "amount", message: "Give amount or toAmount." });
  const amount = hasFiat
    ? { fiatMinor: parseAmount(input.amount, pair.terms.fiatScale, { field: "amount" }) }
    : { cryptoMinor: cryptoMinorOf(input.toAmount, pair.asset.decimals) };
  const { q, limit } = await priceIt(deps, who, pair, amount);
  // Re-checked under the row lock: a pay or an expiry may have happened while the rate was read.
  const offer = await db.transaction().execute(async (trx) => {
    const locked = (await findCustomerOffer(trx, who.customerId, offerId, true))!;
    assertOfferOpen(locked, deps.clock.now());
    return requoteOffer(trx, offerId, { ...amounts(pair, q, processingFee(q)), now: deps.clock.now() });
  });
  return { offer, pair, limit, risk: await offerRisk(deps, offerId) };
}

/** One of the customer's offers as it stands (paid or expired too), with its risk decision. */
export async function readOffer(deps: Deps, who: CustomerPrincipal, offerId: string): Promise<OfferView> {
  const db = deps.database.db;
  const offer = await findCustomerOffer(db, who.customerId, offerId);
  if (!offer) throw new AppError("not_found", { message: "No such offer." });
  const [pair, limit, risk] = await Promise.all([cardPair(deps, offer.fiat, offer.crypto), limitState(deps, db, who.customerId, who.kycLevel), offerRisk(deps, offerId)]);
  return { offer, pair, limit, risk };
}
