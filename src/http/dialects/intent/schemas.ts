import { Type } from "typebox";
import { INTENT_STATUS } from "../../../core/intents/intent-status.js";
import { HttpUrl } from "../../plugins/validation.js";
import { PaymentRisk } from "../../risk/risk-schemas.js";

/** Amounts arrive as JSON numbers in major units; decimal strings are accepted too. */
const Amount = Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: "^\\d+(\\.\\d+)?$", maxLength: 40 })]);
const Short = (max = 200) => Type.String({ minLength: 1, maxLength: max });

export const CreateIntentBody = Type.Object(
  {
    email: Type.String({ format: "email", maxLength: 254 }),
    currencyIsoCode: Type.String({ pattern: "^[A-Za-z]{3}$" }),
    cryptoSymbol: Type.String({ pattern: "^[A-Za-z0-9]{2,10}$" }),
    network: Type.String({ pattern: "^[A-Za-z0-9_-]{2,20}$" }),
    walletAddress: Short(120),
    ip: Type.String({ minLength: 2, maxLength: 45 }),
    storeId: Short(100),
    fiatAmount: Type.Optional(Amount),
    cryptoAmount: Type.Optional(Amount),
    countryIsoCode: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$" })),
    phoneCountryCode: Type.Optional(Type.String({ pattern: "^\\+?\\d{1,4}$" })),
    phoneNumber: Type.Optional(Type.String({ pattern: "^\\d{4,15}$" })),
    firstName: Type.Optional(Short(100)),
    lastName: Type.Optional(Short(100)),
    birthDate: Type.Optional(Type.String({ format: "date" })),
    documentType: Type.Optional(Short(40)),
    documentNumber: Type.Optional(Short(60)),
    documentCountry: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$" })),
    nationality: Type.Optional(Type.String({ pattern: "^[A-Za-z]{2}$" })),
    documentFrontUrl: Type.Optional(HttpUrl),
    documentBackUrl: Type.Optional(HttpUrl),
    kycVideoUrl: Type.Optional(HttpUrl),
    kycRedirectUrl: Type.Optional(HttpUrl),
    successUrl: Type.Optional(HttpUrl),
    cancelUrl: Type.Optional(HttpUrl),
    ipnUrl: Type.Optional(HttpUrl),
    paymentMethod: Type.Optional(Type.String({ pattern: "^[a-z_]{2,30}$" })),
  },
  {
    additionalProperties: false,
    examples: [
      {
        email: "ada@example.com",
        currencyIsoCode: "EUR",
        cryptoSymbol: "USDT",
        network: "trc20",
        walletAddress: "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        ip: "203.0.113.7",
        storeId: "store_sandbox",
        fiatAmount: 100,
        countryIsoCode: "ES",
        phoneCountryCode: "+34",
        phoneNumber: "612345678",
        paymentMethod: "bank_transfer",
        kycRedirectUrl: "https://shop.example/kyc-done",
        successUrl: "https://shop.example/paid",
        cancelUrl: "https://shop.example/cart",
        ipnUrl: "https://shop.example/ipn",
      },
    ],
  },
);

const CheckoutUrl = Type.String({
  description: "Extension: the hosted checkout to send the payer to: KYC, the transfer details with an EPC QR code, then the payout, and back to successUrl or cancelUrl",
});

export const CreatedIntent = Type.Object({
  paymentIntentId: Type.String(),
  status: Type.Integer(),
  kycUrl: Type.Union([Type.String(), Type.Null()]),
  orderNumber: Type.Union([Type.String(), Type.Null()]),
  checkoutUrl: CheckoutUrl,
});

const Fees = Type.Object({ fiat: Type.Number({ description: "processing fee, fiat" }), network: Type.Number({ description: "network fee, crypto" }) });

const FinalAmounts = Type.Object(
  {
    fiatAmount: Type.Number({ description: "the fiat paid for it (after a recalculation, the amount received)" }),
    currencyIsoCode: Type.String(),
    cryptoAmount: Type.Number({ description: "what the wallet receives, every fee taken" }),
    cryptoSymbol: Type.String(),
    network: Type.String(),
    rate: Type.String(),
    fees: Fees,
  },
  { description: "Extension: the final amounts, in statuses 5, 6 and 10000; null otherwise" },
);

const Refund = Type.Object({
  fiatAmount: Type.Number(),
  currencyIsoCode: Type.String(),
  to: Type.Object(
    { name: Type.Union([Type.String(), Type.Null()]), iban: Type.Union([Type.String(), Type.Null()]) },
    { description: "the payer as the bank reported the transfer (null when unknown)" },
  ),
  reason: Type.Union([Type.String(), Type.Null()]),
  refundedAt: Type.String({ format: "date-time" }),
});

const statusProps = {
  paymentIntentId: Type.String(),
  status: Type.Integer(),
  statusName: Type.String(),
  orderNumber: Type.Union([Type.String(), Type.Null()]),
  txHash: Type.Union([Type.String(), Type.Null()]),
  amounts: Type.Union([FinalAmounts, Type.Null()]),
  refunds: Type.Array(Refund, { description: "Extension: every transfer refunded to its payer for this intent (status 12 names one), oldest first" }),
  checkoutUrl: CheckoutUrl,
};

export const IntentStatusResponse = Type.Object(statusProps);

/** GET /payment/intent/{id}/status: the status and (Extension) the intent's risk decision. */
export const IntentStatusWithRisk = Type.Object({ ...statusProps, risk: PaymentRisk });

export const IntentListQuery = Type.Object(
  {
    status: Type.Optional(Type.Integer({ enum: Object.values(INTENT_STATUS) })),
    email: Type.Optional(Type.String({ format: "email", maxLength: 254 })),
    storeId: Type.Optional(Short(100)),
    from: Type.Optional(Type.String({ format: "date-time", description: "created at or after" })),
    to: Type.Optional(Type.String({ format: "date-time", description: "created before" })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "1 to 100, default 20" })),
    cursor: Type.Optional(Type.String({ maxLength: 64, description: "nextCursor of the previous page" })),
  },
  { additionalProperties: false },
);

export const IntentList = Type.Object({
  items: Type.Array(Type.Object({ ...statusProps, storeId: Type.String(), email: Type.String(), createdAt: Type.String({ format: "date-time" }) })),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const Instructions = Type.Object({
  paymentIntentId: Type.String(),
  orderNumber: Type.Union([Type.String(), Type.Null()]),
  fiatAmount: Type.Number(),
  currencyIsoCode: Type.String(),
  cryptoAmount: Type.Number(),
  cryptoSymbol: Type.String(),
  network: Type.String(),
  walletAddress: Type.String(),
  rate: Type.String(),
  fees: Fees,
  expiresAt: Type.Union([Type.String(), Type.Null()]),
  bankTransfer: Type.Object({
    iban: Type.String(),
    bic: Type.String(),
    beneficiary: Type.String(),
    bankName: Type.String(),
    reference: Type.String(),
  }),
});

export const IntentError = Type.Object({
  error: Type.String(),
  message: Type.String(),
  field: Type.Optional(Type.String()),
  status: Type.Optional(Type.Integer()),
  requestId: Type.String(),
});

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export const Network = Type.Object({
  cryptoSymbol: Type.String(),
  network: Type.String({ description: "Rampart's name, the one answers carry" }),
  name: Type.String(),
  decimals: Type.Integer(),
  aliases: Type.Array(Type.String(), { description: "Extension: ticker-style names also accepted as `network`, case-insensitively" }),
  currencyIsoCodes: Type.Array(Type.String(), { description: "Extension: the fiats an intent can buy it with now" }),
});

const QueryAmount = Type.String({ pattern: "^\\d+(\\.\\d+)?$", maxLength: 40 });
const Symbol = Type.String({ pattern: "^[A-Za-z0-9]{2,10}$" });
const Fiat = Type.String({ pattern: "^[A-Za-z]{3}$" });
const NetworkName = Type.String({ pattern: "^[A-Za-z0-9_-]{2,20}$" });

export const NetworksQuery = Type.Object(
  { currencyIsoCode: Type.Optional(Type.String({ pattern: "^[A-Za-z]{3}$", description: "Extension: only what this fiat can buy" })) },
  { additionalProperties: false },
);

export const FiatToCryptoQuery = Type.Object(
  {
    fiatAmount: QueryAmount,
    currencyIsoCode: Fiat,
    cryptoSymbol: Symbol,
    paymentMethod: Type.Optional(Type.String({ pattern: "^[a-z_]{2,30}$" })),
    network: Type.Optional(NetworkName),
  },
  { additionalProperties: false },
);

export const FiatToCryptoEstimate = Type.Object({
  fiatAmount: Type.Number(),
  currencyIsoCode: Type.String(),
  cryptoSymbol: Type.String(),
  cryptoAmount: Type.Optional(Type.Number()),
  cryptoAmounts: Type.Optional(Type.Array(Type.Object({ paymentMethod: Type.String(), cryptoAmount: Type.Number() }))),
});

export const CryptoToFiatQuery = Type.Object(
  { cryptoAmount: QueryAmount, cryptoSymbol: Symbol, currencyIsoCode: Fiat, network: Type.Optional(NetworkName) },
  { additionalProperties: false },
);

export const CryptoToFiatEstimate = Type.Object({
  cryptoAmount: Type.Number(),
  cryptoSymbol: Type.String(),
  fiatAmount: Type.Number(),
  currencyIsoCode: Type.String(),
});
