// The pay-in object of the trading dialect: the create response, the GET response and the webhook
// body are this one shape (docs/contract-trading.md#the-pay-in-object). Amount types are the wire contract:
// fiat 2-decimal strings, crypto integer micro-unit strings, the rate a decimal string.
import { formatFiatAmount } from "../../core/trading/fiat-amount.js";
import type { TradingPayinRow } from "../../db/trading/payins.js";
import type { RequisiteWithUsage } from "../../db/trading/requisites.js";

/** The requisite fields a pay-in shows its payer. */
export type RequisiteView = Pick<RequisiteWithUsage, "id" | "bank_code" | "method" | "owner_name" | "number" | "sbp_phone" | "fiat_currency">;

export interface TradingPayinObject {
  id: string;
  type: "pay-in";
  status: string;
  fiatAmount: string;
  fiatCurrency: string;
  cryptoAmount: string;
  merchantFee: string;
  currencyRate: string;
  cryptoCurrency: string;
  cryptoNetwork: string;
  bank: string;
  method: string;
  requisite: {
    id: string;
    bank: string;
    ownerName: string;
    sbpNumber: string | null;
    requisites: string | null;
    fiatCurrency: string;
    method: string;
  };
  payoutInvoicesUrl: string[];
  disputeMerchantCheckUrl: string | null;
  disputeTraderCheckUrl: string | null;
  disputeMerchantFiatAmount: string;
  disputeTraderFiatAmount: string;
  /** Extension: when the payer said "I have paid" on the payer page, or null. */
  payerClaimedAt: string | null;
  extra: unknown;
  externalPaymentPageUrl: string;
  expiresAt: string;
  createdAt: string;
}

/** Where a receipt can be fetched (merchant key auth). */
function receiptUrl(publicUrl: string, invoiceKey: string | null): string | null {
  return invoiceKey ? `${publicUrl}/file/trading/pay-in/invoice/${encodeURIComponent(invoiceKey)}` : null;
}

function payerPageUrl(publicUrl: string, payinId: string): string {
  return `${publicUrl}/pay/${payinId}`;
}

export function renderTradingPayin(p: TradingPayinRow, r: RequisiteView, publicUrl: string): TradingPayinObject {
  return {
    id: p.id,
    type: "pay-in",
    status: p.status,
    fiatAmount: formatFiatAmount(BigInt(p.fiat_amount_minor)),
    fiatCurrency: p.fiat_currency,
    cryptoAmount: BigInt(p.crypto_amount_minor).toString(),
    merchantFee: BigInt(p.merchant_fee_minor).toString(),
    currencyRate: p.currency_rate,
    cryptoCurrency: p.crypto_currency,
    cryptoNetwork: p.crypto_network,
    bank: p.bank_code,
    method: p.method,
    requisite: {
      id: r.id,
      bank: r.bank_code,
      ownerName: r.owner_name,
      sbpNumber: r.sbp_phone,
      requisites: r.number,
      fiatCurrency: r.fiat_currency,
      method: r.method,
    },
    payoutInvoicesUrl: [],
    disputeMerchantCheckUrl: receiptUrl(publicUrl, p.dispute_merchant_invoice_key),
    disputeTraderCheckUrl: receiptUrl(publicUrl, p.dispute_trader_invoice_key),
    disputeMerchantFiatAmount: formatFiatAmount(BigInt(p.dispute_merchant_fiat_minor)),
    disputeTraderFiatAmount: formatFiatAmount(BigInt(p.dispute_trader_fiat_minor)),
    payerClaimedAt: p.payer_claimed_at?.toISOString() ?? null,
    extra: p.extra ?? {},
    externalPaymentPageUrl: payerPageUrl(publicUrl, p.id),
    expiresAt: p.expires_at.toISOString(),
    createdAt: p.created_at.toISOString(),
  };
}
