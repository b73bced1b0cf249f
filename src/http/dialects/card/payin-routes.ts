// /v3/payin: rates, saved cards, offers, pay and the pay outcome (bearer token; KYC_0, and the
// configured pay level for pay and pay-callback).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "typebox";
import { createOffer, type OfferView, readOffer, updateOffer } from "../../../app/card/card-offers.js";
import { payOffer } from "../../../app/card/card-payments.js";
import { payCallbackAnswer, readPaidOffer, startPayCallbackCache } from "../../../app/card/pay-callback-cache.js";
import type { PaymentView } from "../../../app/card/pay-callback.js";
import { fiatRates, payinData, savedCards } from "../../../app/card/card-rates.js";
import { cardPairs } from "../../../app/card/card-pricing.js";
import { addCard, removeCard, replaceBillingAddress } from "../../../app/card/card-vault.js";
import type { Deps } from "../../../app/deps.js";
import type { CardRow } from "../../../db/card/cards.js";
import { requireLevel } from "../../../core/card/kyc-levels.js";
import { AppError } from "../../../core/shared/errors.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { committedAnswer, idempotent } from "../../plugins/idempotency.js";
import { keptJson } from "../../plugins/kept-json.js";
import { customerOf, customerScope, requireCustomer } from "./card-auth.js";
import { renderCardError } from "./envelope.js";
import { idParam } from "./ids.js";
import { rawJsonMember } from "./raw-json-member.js";
import { renderFiatRates, renderOffer, renderPayinData, renderPayResponse, renderSavedCard } from "./render.js";
import { AddCardBody, BillingAddress, CardParams, CreateOfferBody, OfferObject, OfferParams, PayBody, PayCallbackObject, PayCallbackQuery, UpdateOfferBody } from "./schemas.js";

const TAGS = ["card: pay-in"];
const security = [{ bearer: [] }];

/**
 * The card number's digits. A JSON number is re-read from the raw body: the parsed double cannot hold
 * every 16-19 digit number exactly. A string may group digits with spaces or dashes.
 */
function cardNumberDigits(request: FastifyRequest, parsed: number | string): string {
  if (typeof parsed === "string") return parsed.replace(/[ -]/g, "");
  const raw = request.rawBody ? rawJsonMember(request.rawBody.toString("utf8"), "cardNumber") : undefined;
  if (raw === undefined || !/^[0-9]{13,19}$/.test(raw)) {
    throw new AppError("invalid_card_number", { field: "cardNumber", message: "The card number must be 13-19 digits." });
  }
  return raw;
}

const int = (v: number | string) => (typeof v === "number" ? v : Number.parseInt(v, 10));

/** The card dialect's empty 200 (billing address). */
const emptyOk = () => ({ status: 200 });

export async function payinRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderCardError);
  requireCustomer(app, deps);
  startPayCallbackCache(deps);
  const kyc0 = (request: FastifyRequest) => requireLevel(customerOf(request).kycLevel, "KYC_0");
  const post = idempotent(deps, customerScope);

  app.get("/v3/payin/fiat-rates", { schema: { tags: TAGS, summary: "Fiat cross rates", security } }, async (request) => {
    kyc0(request);
    return renderFiatRates(await fiatRates(deps));
  });

  app.get("/v3/payin/data", { schema: { tags: TAGS, summary: "Saved cards, pairs with rates and scales, fees, limits", security } }, async (request) => {
    kyc0(request);
    return renderPayinData(await payinData(deps, customerOf(request)), deps.clock.now());
  });

  app.post(
    "/v3/payin/card",
    { schema: { tags: TAGS, summary: "Save a card with its billing address (at most 4 cards); answers the saved card, masked", security, body: AddCardBody }, ...post },
    async (request, reply) => {
      kyc0(request);
      const b = request.body;
      // The saved card as /data lists it (clients that expect vault.ist's empty 200 ignore the body).
      // The pairs are read first: the answer renders inside the card's transaction.
      const firstPair = (await cardPairs(deps))[0]?.terms;
      const answer = committedAnswer(deps, request, reply, (card: CardRow) => ({ status: 200, payload: renderSavedCard(card, firstPair) }));
      const added = await addCard(
        deps,
        customerOf(request),
        {
          pan: cardNumberDigits(request, b.cardNumber),
          holder: b.cardHolder,
          expMonth: int(b.cardExpirationMonth),
          expYear: ((y) => (y < 100 ? 2000 + y : y))(int(b.cardExpirationYear)),
          billingAddress: b.billingAddress,
        },
        answer.commit,
      );
      return answer.send(added);
    },
  );

  app.get("/v3/payin/card", { schema: { tags: TAGS, summary: "The saved cards, as /data lists them", security } }, async (request) => {
    kyc0(request);
    const cards = await savedCards(deps, customerOf(request));
    const firstPair = (await cardPairs(deps))[0]?.terms;
    return { cards: cards.map((c) => renderSavedCard(c, firstPair)) };
  });

  app.delete(
    "/v3/payin/card/:cardId",
    { schema: { tags: TAGS, summary: "Delete a saved card: it leaves the lists and can no longer be offered on or paid with", security, params: CardParams } },
    async (request) => {
      kyc0(request);
      await removeCard(deps, customerOf(request), idParam(request.params.cardId, "card"));
      return { result: "ok" };
    },
  );

  app.post(
    "/v3/payin/card/:cardId/billing-address",
    { schema: { tags: TAGS, summary: "Replace a saved card's billing address", security, params: CardParams, body: BillingAddress }, ...post },
    async (request, reply) => {
      kyc0(request);
      const answer = committedAnswer(deps, request, reply, emptyOk);
      await replaceBillingAddress(deps, customerOf(request), idParam(request.params.cardId, "card"), request.body, answer.commit);
      return answer.send(undefined);
    },
  );

  app.post(
    "/v3/payin/offer",
    {
      schema: {
        tags: TAGS,
        summary: "Create an offer (a quote, no charge) valid for offerTtlSeconds, with its risk decision (Extension: `risk`)",
        security,
        body: CreateOfferBody,
        response: { 200: OfferObject },
      },
      ...post,
    },
    async (request, reply) => {
      kyc0(request);
      const b = request.body;
      const cardId = /^[0-9]{1,18}$/.test(String(b.cardId)) ? String(b.cardId) : "0";
      const answer = committedAnswer(deps, request, reply, (view: OfferView) => ({ status: 200, payload: renderOffer(view, deps.clock.now()) }));
      return answer.send(await createOffer(deps, customerOf(request), { cardId, fromCurrency: b.fromCurrency, toCurrency: b.toCurrency, amount: b.amount }, { ip: request.ip, userAgent: request.headers["user-agent"] ?? null }, answer.commit));
    },
  );

  const update = async (request: FastifyRequest<{ Params: { offerId: string }; Body: Static<typeof UpdateOfferBody> }>) => {
    kyc0(request);
    const b = request.body;
    const fromCurrency = b.fromCurrency ?? b.currencyFrom;
    const toCurrency = b.toCurrency ?? b.currencyTo;
    if (!fromCurrency) throw new AppError("validation_failed", { field: "fromCurrency", message: "Missing required field: fromCurrency" });
    if (!toCurrency) throw new AppError("validation_failed", { field: "toCurrency", message: "Missing required field: toCurrency" });
    const view = await updateOffer(deps, customerOf(request), idParam(request.params.offerId, "offer"), {
      fromCurrency,
      toCurrency,
      amount: b.amount ?? b.amountFrom ?? undefined,
      toAmount: b.toAmount ?? b.amountTo ?? undefined,
    });
    return renderOffer(view, deps.clock.now());
  };
  const updateSchema = (summary: string) => ({ schema: { tags: TAGS, summary, security, params: OfferParams, body: UpdateOfferBody, response: { 200: OfferObject } } });
  app.put("/v3/payin/offer/:offerId", updateSchema("Re-quote an offer (fiat wins when both amounts are given); 409 once paid or expired"), update);
  app.put("/v3/payin/pay/:offerId", updateSchema("Alias of PUT /v3/payin/offer/{offerId} (the path a public client uses)"), update);

  // Extension: the offer as it stands, so that the merchant can read its risk decision (and an
  // operator's release of a review) before paying; pay-callback answers only once it is paid.
  app.get(
    "/v3/payin/offer/:offerId",
    { schema: { tags: TAGS, summary: "Extension: read an offer (paid or expired too) with its risk decision", security, params: OfferParams, response: { 200: OfferObject } } },
    async (request) => {
      kyc0(request);
      return renderOffer(await readOffer(deps, customerOf(request), idParam(request.params.offerId, "offer")), deps.clock.now());
    },
  );

  app.post(
    "/v3/payin/pay/:offerId",
    { schema: { tags: TAGS, summary: "Pay the offer with its card; authLink is the 3-D Secure page when a challenge is needed", security, params: OfferParams, body: PayBody }, ...post },
    async (request, reply) => {
      const b = request.body ?? {};
      const answer = committedAnswer(deps, request, reply, (view: PaymentView) => ({ status: 200, payload: renderPayResponse(view) }));
      const input = { cvv: b.cardCVV ?? b.cardCvv ?? null, successUrl: b.successUrl ?? null, failUrl: b.failUrl ?? null, cancelUrl: b.cancelUrl ?? null };
      return answer.send(await payOffer(deps, customerOf(request), idParam(request.params.offerId, "offer"), input, answer.commit));
    },
  );

  const sendCallback = keptJson();
  app.get(
    "/v3/payin/pay-callback",
    { schema: { tags: TAGS, summary: "The payment outcome: PENDING, SUCCESS or FAILURE (a body on this GET is ignored), with its risk decision (Extension: `risk`)", security, querystring: PayCallbackQuery, response: { 200: PayCallbackObject } } },
    async (request, reply) => {
      const who = customerOf(request);
      requireLevel(who.kycLevel, deps.config.card.payinPayKycLevel);
      const offerId = idParam(request.query.offerId, "offer");
      return sendCallback(reply, payCallbackAnswer(deps, await readPaidOffer(deps, who, offerId)));
    },
  );
}
