// Request schemas of the card dialect (the OpenAPI source), and the Extension members of its responses. Field names follow docs/contract-card.md;
// the extra spellings real clients send (code, cardCvv, currencyFrom/amountFrom, offerId in bodies)
// are accepted too (docs/contract-card.md#compatibility-with-clients-in-the-wild). Ids and amounts
// may be numbers or digit strings.
import { Type } from "typebox";
import { HttpUrl } from "../../plugins/validation.js";
import { PaymentRisk } from "../../risk/risk-schemas.js";

const Id = Type.Union([Type.Integer({ minimum: 1 }), Type.String({ pattern: "^[0-9]{1,18}$" })]);
const Amount = Type.Union([Type.Number({ minimum: 0 }), Type.String({ pattern: "^[0-9]+(\\.[0-9]+)?$", maxLength: 40 })]);
const Text = (max: number) => Type.String({ minLength: 1, maxLength: max });
const BILLING_ADDRESS_EXAMPLE = { address: "Unter den Linden 5", city: "Berlin", countryCode: "DE", zip: "10117" };
export const SignupBody = Type.Object(
  { phone: Text(32), password: Type.String({ maxLength: 128 }), analyticsCallback: Type.Optional(Type.Unknown()) },
  { additionalProperties: false, examples: [{ phone: "+447871239999", password: "c0rrect-h0rse" }] },
);

export const ConfirmBody = Type.Object(
  {
    phone: Text(32),
    smsCode: Type.Optional(Type.String({ maxLength: 12 })),
    code: Type.Optional(Type.String({ maxLength: 12 })),
    fingerprint: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false, examples: [{ phone: "+447871239999", smsCode: "1234" }] },
);

export const ResendBody = Type.Object({ phone: Text(32) }, { additionalProperties: false, examples: [{ phone: "+447871239999" }] });

const Code = Type.String({ minLength: 1, maxLength: 12 });
const Password = Type.String({ maxLength: 128 });
export const ResetCodeBody = Type.Object({ phone: Text(32), code: Code }, { additionalProperties: false, examples: [{ phone: "+447871239999", code: "1234" }] });
export const ResetConfirmBody = Type.Object(
  { phone: Text(32), code: Code, password: Password },
  { additionalProperties: false, examples: [{ phone: "+447871239999", code: "1234", password: "n3w-c0rrect-h0rse" }] },
);
export const PasswordChangeBody = Type.Object(
  { currentPassword: Password, newPassword: Password },
  { additionalProperties: false, examples: [{ currentPassword: "c0rrect-h0rse", newPassword: "n3w-c0rrect-h0rse" }] },
);
export const EmailBody = Type.Object({ email: Type.String({ maxLength: 320 }) }, { additionalProperties: false, examples: [{ email: "ada@example.com" }] });
/** The confirmation link's query; event is vault.ist's and not used. */
export const EmailConfirmQuery = Type.Object({
  email: Type.String({ maxLength: 320 }),
  token: Type.String({ maxLength: 200 }),
  event: Type.Optional(Type.String({ maxLength: 64 })),
});

/** Form fields arrive as strings; the grant decides which are needed. */
export const TokenBody = Type.Object(
  {
    grant_type: Type.String({ maxLength: 64 }),
    number: Type.Optional(Type.String({ maxLength: 32 })),
    password: Type.Optional(Type.String({ maxLength: 128 })),
    refresh_token: Type.Optional(Type.String({ maxLength: 256 })),
    email: Type.Optional(Type.String({ maxLength: 256 })),
    scope: Type.Optional(Type.String({ maxLength: 64 })),
  },
  {
    additionalProperties: true,
    examples: [
      { grant_type: "mobile_phone", number: "+447871239999", password: "c0rrect-h0rse" },
      { grant_type: "refresh_token", refresh_token: "u0Vb7c1Qm8ZkX3pT9sLw2nYd6hJf4aRe5gKq0iNoP1M" },
    ],
  },
);

const SurveyText = Type.String({ maxLength: 200 });
export const ProfileBody = Type.Object(
  {
    firstName: Type.Optional(SurveyText),
    lastName: Type.Optional(SurveyText),
    primaryCurrency: Type.Optional(SurveyText),
    residenceCountry: Type.Optional(SurveyText),
    residenceCity: Type.Optional(SurveyText),
    residenceStreet: Type.Optional(SurveyText),
    residenceZipCode: Type.Optional(SurveyText),
    dateOfBirth: Type.Optional(SurveyText),
    // Kept and shown on the profile, not part of the survey.
    citizenshipCountry: Type.Optional(SurveyText),
    // Sent by some clients; accepted and not used.
    residenceState: Type.Optional(Type.Union([SurveyText, Type.Null()])),
  },
  {
    additionalProperties: false,
    examples: [
      {
        firstName: "Ada",
        lastName: "Lovelace",
        primaryCurrency: "EUR",
        residenceCountry: "DE",
        residenceCity: "Berlin",
        residenceStreet: "Unter den Linden 5",
        residenceZipCode: "10117",
        dateOfBirth: "1990-05-20",
      },
    ],
  },
);

export const BillingAddress = Type.Object(
  {
    address: Text(200),
    city: Text(100),
    countryCode: Type.String({ minLength: 2, maxLength: 3 }),
    zip: Text(20),
    state: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
  },
  { additionalProperties: false, examples: [BILLING_ADDRESS_EXAMPLE] },
);

export const AddCardBody = Type.Object(
  {
    // A JSON number or a string of digits (spaces allowed); the exact digits of a number are read
    // from the raw body.
    cardNumber: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: "^[0-9 -]{13,27}$" })]),
    cardHolder: Text(100),
    cardExpirationYear: Type.Union([Type.Integer(), Type.String({ pattern: "^[0-9]{2,4}$" })]),
    cardExpirationMonth: Type.Union([Type.Integer(), Type.String({ pattern: "^[0-9]{1,2}$" })]),
    billingAddress: BillingAddress,
  },
  {
    additionalProperties: false,
    examples: [{ cardNumber: "4242 4242 4242 4242", cardHolder: "ADA LOVELACE", cardExpirationYear: 2030, cardExpirationMonth: 12, billingAddress: BILLING_ADDRESS_EXAMPLE }],
  },
);

export const CardParams = Type.Object({ cardId: Type.String({ maxLength: 40 }) });
export const OfferParams = Type.Object({ offerId: Type.String({ maxLength: 40 }) });
export const WalletParams = Type.Object({ walletId: Type.String({ maxLength: 40 }) });

export const CreateOfferBody = Type.Object(
  {
    cardId: Id,
    fromCurrency: Type.String({ minLength: 3, maxLength: 3 }),
    amount: Amount,
    toCurrency: Type.String({ minLength: 2, maxLength: 10 }),
    operation: Type.Optional(Type.Literal("PAYIN")),
  },
  { additionalProperties: false, examples: [{ cardId: 1042, fromCurrency: "EUR", amount: "100.00", toCurrency: "USDT", operation: "PAYIN" }] },
);

/** Documented names, and the ones a public client sends to PUT /v3/payin/pay/{offerId}. */
export const UpdateOfferBody = Type.Object(
  {
    amount: Type.Optional(Type.Union([Amount, Type.Null()])),
    fromCurrency: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    toAmount: Type.Optional(Type.Union([Amount, Type.Null()])),
    toCurrency: Type.Optional(Type.String({ minLength: 2, maxLength: 10 })),
    amountFrom: Type.Optional(Type.Union([Amount, Type.Null()])),
    currencyFrom: Type.Optional(Type.String({ minLength: 3, maxLength: 3 })),
    amountTo: Type.Optional(Type.Union([Amount, Type.Null()])),
    currencyTo: Type.Optional(Type.String({ minLength: 2, maxLength: 10 })),
    operation: Type.Optional(Type.Literal("PAYIN")),
    offerId: Type.Optional(Id),
    insuranceOrderRequest: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: false, examples: [{ amount: "150.00", fromCurrency: "EUR", toCurrency: "USDT" }] },
);

export const PayBody = Type.Object(
  {
    cardCVV: Type.Optional(Type.String({ pattern: "^[0-9]{3,4}$" })),
    cardCvv: Type.Optional(Type.String({ pattern: "^[0-9]{3,4}$" })),
    successUrl: Type.Optional(HttpUrl),
    failUrl: Type.Optional(HttpUrl),
    cancelUrl: Type.Optional(HttpUrl),
    // Browser data for 3-D Secure: an object (documented) or a string (a public client); not stored.
    fingerprint: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.String({ maxLength: 4096 })])),
    offerId: Type.Optional(Id),
  },
  {
    additionalProperties: false,
    examples: [
      {
        cardCVV: "123",
        successUrl: "https://merchant.example/pay/success",
        failUrl: "https://merchant.example/pay/fail",
        fingerprint: {
          timezone: -60,
          browserColorDepth: 24,
          browserLanguage: "en-GB",
          browserScreenHeight: 900,
          browserScreenWidth: 1440,
          browserJavascriptEnabled: true,
          browserJavaEnabled: false,
          browserAcceptHeader: "text/html,application/xhtml+xml",
        },
      },
    ],
  },
);

export const PayCallbackQuery = Type.Object({ offerId: Type.String({ maxLength: 40 }) });

/**
 * The offer object (create, update, read): only the Extension member `risk` is declared here; the
 * other members are vault.ist's offer object (docs/contract-card.md) and pass through as rendered.
 */
export const OfferObject = Type.Object(
  { offerId: Type.Integer(), risk: PaymentRisk },
  { additionalProperties: true, description: "vault.ist's offer object, with the risk decision taken at create (Extension: `risk`)" },
);
/** The pay-callback object with its risk decision (Extension: `risk`). */
export const PayCallbackObject = Type.Object({ offerId: Type.Integer(), status: Type.String(), risk: PaymentRisk }, { additionalProperties: true });

const Count = Type.String({ pattern: "^[0-9]{1,9}$" });
const Filter = Type.Union([Type.String({ maxLength: 200 }), Type.Array(Type.String({ maxLength: 40 }), { maxItems: 20 })]);
/** History paging: offset (or offest, a public client's spelling) and size; filters once, repeated or comma-separated. */
export const HistoryQuerySchema = Type.Object({
  offset: Type.Optional(Count),
  offest: Type.Optional(Count),
  size: Type.Optional(Count),
  typeFilter: Type.Optional(Filter),
  currencyFilter: Type.Optional(Filter),
});
