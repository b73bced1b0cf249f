// The payments explorer on the wire, shared by the operator's /admin/v1/payments and the merchant's
// /merchant/v1/payments (which forces its own merchant and leaves out the trader).
import { Type } from "typebox";
import type { PaymentListItem } from "../../app/payments/payment-explorer.js";

export const Dialect = Type.Union([Type.Literal("trading"), Type.Literal("intent"), Type.Literal("card")]);
const Risk = Type.Union([Type.Literal("allow"), Type.Literal("review"), Type.Literal("block"), Type.Literal("none")], { description: "none: no rule met the payment" });
const Text = (description: string, maxLength = 200) => Type.Optional(Type.String({ maxLength, description }));

export const FILTERS = {
  q: Text("Any id (Rampart's, the merchant's external id or order number, card offer id, tx hash, bank transaction id or payment reference), a payer e-mail, a requisite number, or an amount (e.g. 1500.00)"),
  dialect: Type.Optional(Dialect),
  status: Text("A status of the flow, by name (intents: e.g. payment_received)", 40),
  merchant: Text("Merchant id", 64),
  store: Text("Store id (payment intents only)", 64),
  trader: Text("Trader id (trading pay-ins only)", 64),
  from: Text("Created at or after: YYYY-MM-DD (UTC) or an ISO timestamp", 40),
  to: Text("Created before: YYYY-MM-DD (UTC) or an ISO timestamp", 40),
  risk: Type.Optional(Risk),
  cursor: Text("nextCursor of the previous page", 300),
};

export const Payment = Type.Object({
  dialect: Dialect,
  id: Type.String(),
  merchantId: Type.String(),
  merchantName: Type.String(),
  status: Type.String(),
  fiatAmountMinor: Type.String({ description: "Fiat amount in minor units" }),
  fiatCurrency: Type.String(),
  cryptoAmountMinor: Type.String(),
  cryptoCurrency: Type.String(),
  cryptoNetwork: Type.String(),
  externalId: Type.Union([Type.String(), Type.Null()], { description: "Trading: externalTransactionId; intents: order number; card: offer id" }),
  payer: Type.Union([Type.String(), Type.Null()], { description: "The payer's e-mail where the flow has one" }),
  traderId: Type.Union([Type.String(), Type.Null()]),
  storeId: Type.Union([Type.String(), Type.Null()]),
  risk: Type.Union([Type.String(), Type.Null()], { description: "The risk decision (allow, review, block), null when no rule met it" }),
  createdAt: Type.String(),
});


export const paymentJson = ({ fiatMinor, cryptoMinor, createdAt, ...p }: PaymentListItem) => ({
  ...p,
  fiatAmountMinor: fiatMinor,
  cryptoAmountMinor: cryptoMinor,
  createdAt: createdAt.toISOString(),
});

/** An operator's refund of a paid trading pay-in (app/payments/refund-payment.ts). */
export const PaymentRefund = Type.Object({
  id: Type.String(),
  paymentId: Type.String(),
  dialect: Type.Literal("trading"),
  status: Type.Union([Type.Literal("pending"), Type.Literal("sent"), Type.Literal("completed")], { description: "pending: owed to the payer; sent: paid out; completed: its bank reference recorded" }),
  fiatAmount: Type.String({ description: "Owed back to the payer, 2 decimals" }),
  fiatCurrency: Type.String(),
  cryptoAmount: Type.String({ description: "Taken back from the merchant's balance with the fee (minor units)" }),
  merchantFee: Type.String(),
  reason: Type.String(),
  bankReference: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  sentAt: Type.Union([Type.String(), Type.Null()]),
  completedAt: Type.Union([Type.String(), Type.Null()]),
});
