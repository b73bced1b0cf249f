// The card dialect's response bodies. Amounts are JSON numbers in major units (the dialect's wire
// form: docs/contract-card.md#amounts-and-rounding), produced from exact minor units;
// transactionAmount is a string.
// The pay-callback object lives in the app layer (src/app/card/pay-callback.ts): the merchant webhook
// sends it too.
import type { OfferView } from "../../../app/card/card-offers.js";
import { type PaymentView, transactionFields, wireMoney } from "../../../app/card/pay-callback.js";
import type { FiatRate, PayinData } from "../../../app/card/card-rates.js";
import type { LimitState } from "../../../app/card/customer-profile.js";
import type { CardRow } from "../../../db/card/cards.js";
import { CRYPTO_WIRE_SCALE, cryptoPerFiatScaled, truncateToWireScale } from "../../../core/card/card-amounts.js";
import { maskedPan } from "../../../core/card/card-number.js";
import { minorToJsonNumber, parseDecimal } from "../../../core/money/decimal.js";
import { tierFor } from "../../../core/pricing/fees.js";
import { cryptoForFiat, type PairTerms } from "../../../core/pricing/quote.js";

/** 2024-03-12T11:23:20.123+00:00 (offers, /data). */
const isoOffset = (d: Date) => d.toISOString().replace("Z", "+00:00");

const num = (minor: bigint, scale: number) => minorToJsonNumber(minor, scale);

function renderLimit(l: LimitState) {
  return wireMoney(l.remainingMinor, l.currency, l.scale);
}

function feesObject(view: { feeBps: number; fixedFeeMinor: bigint; currency: string; scale: number }) {
  const percent = view.feeBps / 100;
  return {
    currency: view.currency,
    scale: view.scale,
    rate: percent,
    partnerFee: 0,
    crypteriumGas: 0,
    additionalFee: num(view.fixedFeeMinor, view.scale),
    transactionFee: percent,
    insuranceFee: null,
    feeTableEnabled: false,
    feeTable: null,
  };
}

export function renderFiatRates(rates: FiatRate[]) {
  return rates.map((r) => ({ baseCurrency: r.base, symbolCurrency: r.symbol, rate: num(r.rateScaled, 8) }));
}

/**
 * A saved card as /data lists it and add card answers it; `first` is the pair whose card limits are
 * shown (the first one offered).
 */
export function renderSavedCard(c: CardRow, first: PairTerms | undefined) {
  return {
    cardId: Number(c.id),
    maskedPan: maskedPan(c.bin, c.last4),
    cardType: c.brand,
    minAmountFrom: first ? num(first.limits.minFiatMinor, first.fiatScale) : 0,
    maxAmountFrom: first ? num(first.limits.maxFiatMinor, first.fiatScale) : 0,
    validationStatus: c.validation_status,
    billingAddressRequired: false,
  };
}

export function renderPayinData(d: PayinData, now: Date) {
  const first = d.pairs[0]?.pair.terms;
  return {
    cards: d.cards.map((c) => renderSavedCard(c, first)),
    validTo: isoOffset(d.validTo),
    validSeconds: Math.round((d.validTo.getTime() - now.getTime()) / 1000),
    pairs: d.pairs.map((p) => ({
      rate: num(p.rateScaled, CRYPTO_WIRE_SCALE),
      currencyFrom: p.pair.terms.fiat,
      currencyTo: p.pair.terms.crypto,
      amountScaleFrom: p.pair.terms.fiatScale,
      amountScaleTo: CRYPTO_WIRE_SCALE,
      lock: false,
    })),
    fiatPairs: d.fiatPairs.map((p) => ({
      rate: num(p.rateScaled, 8),
      currencyFrom: p.from,
      currencyTo: p.to,
      amountScaleFrom: p.fromScale,
      amountScaleTo: p.toScale,
      lock: false,
    })),
    feeInfo: null,
    feeTable: null,
    defaultMinAmountFrom: first ? num(first.limits.minFiatMinor, first.fiatScale) : 0,
    defaultMaxAmountFrom: first ? num(first.limits.maxFiatMinor, first.fiatScale) : 0,
    firstPurchase: false,
    firstPurchaseLimit: renderLimit(d.limit),
    freeTransactionsPromo: { available: 0, total: 0 },
    fees: first
      ? feesObject({ feeBps: first.fees.percentBps, fixedFeeMinor: first.fees.fixedMinor, currency: first.fiat, scale: first.fiatScale })
      : null,
    billingAddressRequired: false,
  };
}

export function renderOffer(v: OfferView, now: Date) {
  const { offer, pair } = v;
  const t = pair.terms;
  const rate = parseDecimal(offer.mid_rate);
  const cryptoAt = (fiatMinor: bigint) => truncateToWireScale(cryptoForFiat(t, rate, fiatMinor).cryptoMinor, pair.asset.decimals);
  const fee = BigInt(offer.fee_minor);
  const tier = tierFor(t.fees, BigInt(offer.fiat_minor));
  return {
    offerId: Number(offer.id),
    cardId: Number(offer.card_id),
    operation: "PAYIN",
    expirationTime: isoOffset(offer.expires_at),
    validSeconds: Math.max(0, Math.round((offer.expires_at.getTime() - now.getTime()) / 1000)),
    fromCurrency: offer.fiat,
    toCurrency: offer.crypto,
    amount: num(BigInt(offer.fiat_minor), t.fiatScale),
    toAmount: num(BigInt(offer.crypto_minor), pair.asset.decimals),
    rate: {
      rate: num(cryptoPerFiatScaled(rate, t.spreadBps), CRYPTO_WIRE_SCALE),
      currency: offer.crypto,
      commissionFix: num(tier.fixedMinor, t.fiatScale),
      commissionPercentage: tier.percentBps / 100,
      minCrypto: num(cryptoAt(t.limits.minFiatMinor), pair.asset.decimals),
      maxCrypto: num(cryptoAt(t.limits.maxFiatMinor), pair.asset.decimals),
    },
    feeInfo: [{ name: "Transaction fee", value: num(fee, t.fiatScale), valueOld: num(fee, t.fiatScale), scale: t.fiatScale, currency: offer.fiat }],
    limit: renderLimit(v.limit),
    fees: feesObject({ feeBps: tier.percentBps, fixedFeeMinor: tier.fixedMinor, currency: offer.fiat, scale: t.fiatScale }),
    // Extension (docs/risk.md, "The decision in the merchant's read"): read before paying.
    risk: v.risk,
  };
}

export function renderPayResponse(v: PaymentView) {
  const p = v.payment;
  return {
    successUrl: p.success_url,
    failUrl: p.fail_url,
    cancelUrl: p.cancel_url,
    authLink: v.authLink,
    offerId: Number(p.offer_id),
    ...transactionFields(v),
  };
}
