// /admin/v1/merchants/{merchantId}/card-webhook: the merchant's card webhook (a Rampart extension of the
// /v3 dialect). PUT sets or rotates it and is the only answer that shows the secret. Mounted inside the
// operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { cardWebhook, removeCardWebhook, setCardWebhook } from "../../app/card/card-webhook.js";
import { MAX_URL_LENGTH } from "../../core/shared/http-url.js";
import type { Deps } from "../../app/deps.js";
import { noStore } from "./no-store.js";

const TAGS = ["admin: card"];
const security = [{ operatorKey: [] }];
// Any string up to a bound: a malformed id is an unknown merchant (404), decided by the use case.
const Params = Type.Object({ merchantId: Type.String({ maxLength: 64 }) });
const PATH = "/merchants/:merchantId/card-webhook";

export async function cardAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.put(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: "Set or rotate the merchant's card webhook; the answer shows the new signing secret, once",
        security,
        params: Params,
        body: Type.Object({ url: Type.String({ minLength: 1, maxLength: MAX_URL_LENGTH }) }, { additionalProperties: false, examples: [{ url: "https://merchant.example/card-events" }] }),
        response: { 200: Type.Object({ url: Type.String(), secret: Type.String(), endpointId: Type.String() }) },
      },
    },
    async (request, reply) => {
      noStore(reply);
      return setCardWebhook(deps, request.params.merchantId, request.body.url);
    },
  );

  app.get(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: "The merchant's card webhook (never the secret); enabled is false while a 410 has stopped delivery",
        security,
        params: Params,
        response: { 200: Type.Object({ url: Type.String(), enabled: Type.Boolean(), endpointId: Type.String() }) },
      },
    },
    async (request) => cardWebhook(deps, request.params.merchantId),
  );

  app.delete(
    PATH,
    {
      schema: {
        tags: TAGS,
        summary: "Stop card payment events for the merchant (204; events already queued are still delivered)",
        security,
        params: Params,
      },
    },
    async (request, reply) => {
      await removeCardWebhook(deps, request.params.merchantId);
      return reply.code(204).send();
    },
  );
}
