// TypeBox schemas of the trading dialect (also the OpenAPI source).
import { Type } from "typebox";
import { TRADING_PAYIN_STATUSES } from "../../../core/trading/payin-status.js";
import { HttpUrl } from "../../plugins/validation.js";
import { PaymentRisk } from "../../risk/risk-schemas.js";

const FiatAmountIn = Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ maxLength: 32 })], {
  description: "A JSON number or a decimal string with at most 2 decimals",
});

export const CreatePayinBody = Type.Object(
  {
    fiatAmount: Type.Optional(FiatAmountIn),
    fiatAmountRange: Type.Optional(
      Type.Object(
        {
          min: Type.Optional(FiatAmountIn),
          max: Type.Optional(FiatAmountIn),
          from: Type.Optional(FiatAmountIn),
          to: Type.Optional(FiatAmountIn),
        },
        { additionalProperties: false, description: "{ min, max } (alias { from, to })" },
      ),
    ),
    fiatCurrency: Type.Optional(Type.String({ pattern: "^[A-Za-z]{3}$" })),
    method: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
    bank: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    callbackUrl: Type.Optional(HttpUrl),
    depositType: Type.Optional(Type.Union([Type.Literal("FTD"), Type.Literal("STD")])),
    transferType: Type.Optional(Type.String({ maxLength: 64 })),
    extra: Type.Optional(
      Type.Object(
        {
          payerInfo: Type.Optional(
            Type.Object(
              {
                ip: Type.Optional(Type.String({ maxLength: 64 })),
                userId: Type.Optional(Type.String({ maxLength: 256 })),
                userAgent: Type.Optional(Type.String({ maxLength: 1024 })),
                fingerprint: Type.Optional(Type.String({ maxLength: 512 })),
                registeredAt: Type.Optional(Type.Integer()),
              },
              { additionalProperties: true },
            ),
          ),
          externalTransactionId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
        },
        { additionalProperties: true, description: "Echoed back unchanged" },
      ),
    ),
  },
  {
    additionalProperties: false,
    examples: [
      {
        fiatAmount: 5000,
        fiatCurrency: "RUB",
        method: "sbp",
        bank: "SBER",
        callbackUrl: "https://merchant.example/trading-webhooks",
        extra: {
          payerInfo: { ip: "203.0.113.7", userId: "65535", userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6_1 like Mac OS X)", registeredAt: 1728388185326 },
          externalTransactionId: "order-1001",
        },
      },
      { fiatAmountRange: { min: 4990, max: 5010 }, extra: { externalTransactionId: "order-1002" } },
    ],
  },
);

const NullableString = Type.Union([Type.String(), Type.Null()]);

export const PayinObject = Type.Object({
  id: Type.String({ format: "uuid" }),
  type: Type.Literal("pay-in"),
  status: Type.String({ enum: ["active", "closed", "canceled", "dispute", "checking", "re_calculation"] }),
  fiatAmount: Type.String({ description: "2 decimals" }),
  fiatCurrency: Type.String(),
  cryptoAmount: Type.String({ description: "integer micro-units" }),
  merchantFee: Type.String({ description: "integer micro-units" }),
  currencyRate: Type.String({ description: "fiat per 1 crypto" }),
  cryptoCurrency: Type.String(),
  cryptoNetwork: Type.String(),
  bank: Type.String(),
  method: Type.String(),
  requisite: Type.Object({
    id: Type.String(),
    bank: Type.String(),
    ownerName: Type.String(),
    sbpNumber: NullableString,
    requisites: NullableString,
    fiatCurrency: Type.String(),
    method: Type.String(),
  }),
  payoutInvoicesUrl: Type.Array(Type.String()),
  disputeMerchantCheckUrl: NullableString,
  disputeTraderCheckUrl: NullableString,
  disputeMerchantFiatAmount: Type.String(),
  disputeTraderFiatAmount: Type.String(),
  payerClaimedAt: NullableString,
  extra: Type.Unknown(),
  externalPaymentPageUrl: Type.String(),
  expiresAt: Type.String(),
  createdAt: Type.String(),
});

/** GET /payment/trading/{id}: the pay-in object and (Extension) its risk decision. */
export const PayinRead = Type.Object({ ...PayinObject.properties, risk: PaymentRisk });

export const TradingError = Type.Object({ message: Type.String(), code: Type.String(), requestId: Type.String() });

export const IdParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

export const ListQuery = Type.Object(
  {
    status: Type.Optional(Type.Enum(TRADING_PAYIN_STATUSES, { type: "string" })),
    from: Type.Optional(Type.String({ format: "date-time" })),
    to: Type.Optional(Type.String({ format: "date-time" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    cursor: Type.Optional(Type.String({ maxLength: 200 })),
  },
  { additionalProperties: false },
);

export const DisputeBody = Type.Object(
  {
    invoiceKey: Type.String({ minLength: 1, maxLength: 64 }),
    fiatAmount: FiatAmountIn,
    comment: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false, examples: [{ invoiceKey: "inv_01jef3k9q2m4x7v6t5r4p3n2bz", fiatAmount: "5000.00", comment: "Paid by the customer at 12:04, receipt attached" }] },
);

export const Bank = Type.Object({ code: Type.String(), name: Type.String(), methods: Type.Array(Type.String()), fiatCurrency: Type.String() });
