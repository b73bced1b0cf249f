// A card payment as the dialect shows it. The pay-callback object is built here, once, because two
// places send it: GET /v3/payin/pay-callback and the merchant webhook (as the event's data), which is
// written inside the payment's own transaction. Amounts are JSON numbers in major units (the dialect's
// wire form: docs/contract-card.md#amounts-and-rounding), from exact minor units; transactionAmount is a string.
import { callbackStatus } from "../../core/card/payment-status.js";
import { fiatScale } from "../../core/money/currencies.js";
import { minorToJsonNumber } from "../../core/money/decimal.js";
import type { PaymentRow } from "../../db/card/offers.js";
import type { Deps } from "../deps.js";
import { threeDsToken } from "./three-ds-token.js";

export interface PaymentView {
  payment: PaymentRow;
  /** The hosted 3-D Secure page while a challenge is open, else null. */
  authLink: string | null;
}

export function viewOf(deps: Pick<Deps, "config">, p: PaymentRow): PaymentView {
  return { payment: p, authLink: p.status === "challenge" ? `${deps.config.publicUrl}/3ds/${threeDsToken(deps, p.id)}` : null };
}

/** `{ value, currency }` with the value in major units. */
export function wireMoney(minor: bigint, currency: string, scale: number) {
  return { value: minorToJsonNumber(minor, scale), currency };
}

/** 2024-03-12T11:23:20 (transactions: UTC, no zone, as the public API writes them). */
const isoLocal = (d: Date) => d.toISOString().slice(0, 19);

/** The transaction fields shared by the pay response and the pay-callback object. */
export function transactionFields(v: PaymentView) {
  const p = v.payment;
  const scale = fiatScale(p.fiat);
  return {
    transactionStatus: p.transaction_status,
    transactionStatusCode: p.transaction_status_code,
    originalTransactionStatus: p.original_status,
    originalTransactionStatusCode: p.original_status_code,
    paymentMode: "debit",
    maskedPan: p.masked_pan,
    transactionDate: isoLocal(p.created_at),
    transactionAmount: minorToJsonNumber(BigInt(p.fiat_minor), scale).toFixed(scale),
    cardCountryCode: p.card_country_code,
    cardCountryName: p.card_country_name,
    cardBankName: p.card_bank_name,
  };
}
/** The body of GET /v3/payin/pay-callback (and the data of a card payment webhook event). */
export function renderPayCallback(v: PaymentView) {
  const p = v.payment;
  const status = callbackStatus(p.status);
  const scale = fiatScale(p.fiat);
  return {
    offerId: Number(p.offer_id),
    status,
    amount: minorToJsonNumber(BigInt(p.fiat_minor), scale),
    currency: p.fiat,
    cryptoAmount: minorToJsonNumber(BigInt(p.crypto_minor), p.crypto_decimals),
    cryptoCurrency: p.crypto,
    ...transactionFields(v),
    authLink: v.authLink,
    blockedAmount: wireMoney(status === "PENDING" ? BigInt(p.fiat_minor) : 0n, p.fiat, scale),
  };
}
