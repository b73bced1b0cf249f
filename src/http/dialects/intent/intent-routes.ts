// The payment-intent dialect (/payment/intent, /payment/networks, /payment/estimate-*), wire
// compatible with the AhoraCrypto Payment Intent API: thin handlers over src/app/intents.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { thenMaybe } from "../../../core/shared/maybe-async.js";
import { startApiKeyCache } from "../../../app/auth/api-key-cache.js";
import { startRiskRuleCache } from "../../../app/risk/rule-cache.js";
import { authenticateMerchantKey } from "../../plugins/merchant-key.js";
import type { Deps } from "../../../app/deps.js";
import { checkoutUrl } from "../../../app/intents/checkout.js";
import { createIntent, type CreatedIntent as CreatedIntentView } from "../../../app/intents/create-intent.js";
import { intentInstructions, intentStatus } from "../../../app/intents/instructions.js";
import { type IntentStatusRead, statusView } from "../../../app/intents/status-view.js";
import { startIntentStatusCache } from "../../../app/intents/status-cache.js";
import { startIntentStoreCache } from "../../../app/intents/store-cache.js";
import { startPairCache } from "../../../app/pricing/pair-cache.js";
import { estimateCryptoToFiat, estimateFiatToCrypto } from "../../../app/intents/estimates.js";
import { cancelIntent } from "../../../app/intents/intent-lifecycle.js";
import { listIntents } from "../../../app/intents/list-intents.js";
import { buyableNetworks } from "../../../app/intents/networks.js";
import { installErrorHandling } from "../../errors/error-handling.js";
import { committedAnswer, idempotent } from "../../plugins/idempotency.js";
import { keptJson } from "../../plugins/kept-json.js";
import { maybeAsyncHook } from "../../plugins/maybe-async-hook.js";
import { principalOf } from "../../plugins/principal.js";
import { renderIntentError } from "./error-envelope.js";
import {
  CreatedIntent,
  CreateIntentBody,
  CryptoToFiatEstimate,
  CryptoToFiatQuery,
  FiatToCryptoEstimate,
  FiatToCryptoQuery,
  IdParams,
  Instructions,
  IntentError,
  IntentList,
  IntentListQuery,
  IntentStatusResponse,
  IntentStatusWithRisk,
  Network,
  NetworksQuery,
} from "./schemas.js";

const TAGS = ["payment intents"];
const errors = { 400: IntentError, 401: IntentError, 403: IntentError, 404: IntentError, 409: IntentError };

const principal = (request: FastifyRequest) => principalOf(request, "merchant");

export async function intentRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  installErrorHandling(app, renderIntentError);
  startIntentStatusCache(deps);
  startIntentStoreCache(deps);
  startPairCache(deps);
  startApiKeyCache(deps);
  startRiskRuleCache(deps);

  // Authenticate before the body is read: a caller without a key learns nothing about the schema,
  // not even that its JSON is malformed (401 before 400).
  app.addHook(
    "onRequest",
    maybeAsyncHook((request) =>
      thenMaybe(authenticateMerchantKey(deps, request), (p) => {
        request.principal = { kind: "merchant", ...p };
      }),
    ),
  );

  app.post(
    "/payment/intent",
    {
      schema: {
        tags: TAGS,
        summary: "Create a payment intent",
        security: [{ apiKey: [] }],
        body: CreateIntentBody,
        response: { 201: CreatedIntent, ...errors },
      },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, (created: CreatedIntentView) => ({ status: 201, payload: created }));
      return answer.send(await createIntent(deps, principal(request).merchantId, request.body, answer.commit));
    },
  );

  app.get(
    "/payment/intent",
    {
      schema: {
        tags: TAGS,
        summary: "List the merchant's intents, newest first (cursor pagination, limit 1 to 100)",
        security: [{ apiKey: [] }],
        querystring: IntentListQuery,
        response: { 200: IntentList, ...errors },
      },
    },
    async (request) => {
      const { from, to, ...q } = request.query;
      return listIntents(deps, principal(request).merchantId, { ...q, ...(from ? { from: new Date(from) } : {}), ...(to ? { to: new Date(to) } : {}) });
    },
  );

  app.get(
    "/payment/intent/:id/instructions",
    { schema: { tags: TAGS, summary: "Payment instructions (status 4 only)", security: [{ apiKey: [] }], params: IdParams, response: { 200: Instructions, ...errors } } },
    async (request) => intentInstructions(deps, principal(request).merchantId, request.params.id),
  );

  const sendStatus = keptJson();
  app.get(
    "/payment/intent/:id/status",
    { schema: { tags: TAGS, summary: "Payment intent status, with its risk decision (Extension: `risk`)", security: [{ apiKey: [] }], params: IdParams, response: { 200: IntentStatusWithRisk, ...errors } } },
    (request, reply) => sendStatus(reply, intentStatus(deps, principal(request).merchantId, request.params.id)),
  );

  app.post(
    "/payment/intent/:id/cancel",
    {
      schema: { tags: TAGS, summary: "Cancel before payment (→ 14)", security: [{ apiKey: [] }], params: IdParams, response: { 200: IntentStatusResponse, ...errors } },
      ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
    },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, (intent: IntentStatusRead) => ({ status: 200, payload: statusView(intent, checkoutUrl(deps, intent.id)) }));
      return answer.send(await cancelIntent(deps, principal(request).merchantId, request.params.id, answer.commit));
    },
  );

  app.get(
    "/payment/estimate-fiat-to-crypto-exchange",
    {
      schema: {
        tags: TAGS,
        summary: "Crypto received for a fiat amount, all fees included",
        security: [{ apiKey: [] }],
        querystring: FiatToCryptoQuery,
        response: { 200: FiatToCryptoEstimate, ...errors },
      },
    },
    async (request) => estimateFiatToCrypto(deps, request.query),
  );

  app.get(
    "/payment/estimate-crypto-to-fiat-exchange",
    {
      schema: {
        tags: TAGS,
        summary: "Fiat to pay for a crypto amount, all fees included",
        security: [{ apiKey: [] }],
        querystring: CryptoToFiatQuery,
        response: { 200: CryptoToFiatEstimate, ...errors },
      },
    },
    async (request) => estimateCryptoToFiat(deps, request.query),
  );

  app.get(
    "/payment/networks",
    {
      schema: {
        tags: TAGS,
        summary: "What an intent can buy now, per fiat, with the network aliases accepted",
        security: [{ apiKey: [] }],
        querystring: NetworksQuery,
        response: { 200: Type.Array(Network), ...errors },
      },
    },
    async (request) => buyableNetworks(deps, request.query.currencyIsoCode),
  );
}
