// The status read (GET /payment/intent/{id}/status) and the merchant's list share one view: the
// dialect's five fields, then (Extension) the final amounts once the intent is paid (5, 6, 10000: the
// instructions answer only at 4, and a recalculated amount is only readable here) and every transfer
// refunded to its payer for this intent (what, to whom, when; status 12 is one of them), and the
// hosted checkout's URL (Extension) for the merchant to send the payer to.
import { INTENT_STATUS as S, INTENT_STATUS_NAMES, type IntentStatus } from "../../core/intents/intent-status.js";
import { AssetRegistry } from "../../core/money/assets.js";
import { fiatScale } from "../../core/money/currencies.js";
import { minorToJsonNumber } from "../../core/money/decimal.js";
import type { IntentRefundRow } from "../../db/bank-transfers/bank-transfers.js";
import type { IntentStatusRow } from "../../db/intents/intents.js";

const assets = new AssetRegistry();

/** The statuses whose amounts are final: paid, and the crypto delivered or being (or failed to be) delivered. */
const FINAL_AMOUNT_STATUSES: ReadonlySet<number> = new Set([S.paid, S.done, S.failed]);

/** A status row with the refunds of its intent (status-cache.ts reads both). */
export type IntentStatusRead = IntentStatusRow & { refunds: IntentRefundRow[] };

/** The intent's amounts, rate and fees as JSON numbers in major units (also what the instructions show). */
export function intentAmounts(i: IntentStatusRow) {
  const scale = fiatScale(i.fiat_currency);
  const decimals = assets.get(i.crypto_symbol, i.network).decimals;
  return {
    fiatAmount: minorToJsonNumber(BigInt(i.fiat_minor), scale),
    currencyIsoCode: i.fiat_currency,
    cryptoAmount: minorToJsonNumber(BigInt(i.crypto_minor), decimals),
    cryptoSymbol: i.crypto_symbol,
    network: i.network,
    rate: i.rate,
    fees: { fiat: minorToJsonNumber(BigInt(i.fee_fiat_minor), scale), network: minorToJsonNumber(BigInt(i.network_fee_minor), decimals) },
  };
}

const finalAmounts = (i: IntentStatusRow) => (FINAL_AMOUNT_STATUSES.has(i.status) ? intentAmounts(i) : null);

function refundView(r: IntentRefundRow) {
  return {
    fiatAmount: minorToJsonNumber(BigInt(r.amount_minor), fiatScale(r.currency)),
    currencyIsoCode: r.currency,
    // The payer as the bank reported the transfer; either may be unknown (null).
    to: { name: r.payer_name, iban: r.payer_iban },
    reason: r.reason,
    refundedAt: r.created_at.toISOString(),
  };
}

/** `checkoutUrl` is the intent's hosted checkout (checkout.ts), passed in to keep this view pure. */
export function statusView(i: IntentStatusRead, checkoutUrl: string) {
  return {
    paymentIntentId: i.id,
    status: i.status,
    statusName: INTENT_STATUS_NAMES[i.status as IntentStatus],
    orderNumber: i.order_number,
    txHash: i.tx_hash,
    amounts: finalAmounts(i),
    refunds: i.refunds.map(refundView),
    checkoutUrl,
  };
}

/** A list item: the status view with what the list filters on. */
export function listItemView(i: IntentStatusRead, checkoutUrl: string) {
  return { ...statusView(i, checkoutUrl), storeId: i.store_id, email: i.email, createdAt: i.created_at.toISOString() };
}
