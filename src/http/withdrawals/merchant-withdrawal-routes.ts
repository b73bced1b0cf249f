// /merchant/v1/withdrawals and /merchant/v1/withdrawal-addresses: a merchant withdraws its balance to
// its own allow-listed addresses with its API key (x-api-key). Thin handlers over src/app/withdrawals.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import { startApiKeyCache } from "../../app/auth/api-key-cache.js";
import type { Deps } from "../../app/deps.js";
import { requestWithdrawal } from "../../app/withdrawals/request-withdrawal.js";
import { MAX_WITHDRAWAL_PAGE, readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { addWithdrawalAddress, listMerchantWithdrawalAddresses, MAX_ADDRESS_PAGE, removeMerchantWithdrawalAddress } from "../../app/withdrawals/withdrawal-addresses.js";
import { withdrawalView } from "../../app/withdrawals/withdrawal-view.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import { pageLimit } from "../admin/page-limit.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { committedAnswer, idempotent } from "../plugins/idempotency.js";
import { authenticateMerchantKey } from "../plugins/merchant-key.js";
import { principalOf } from "../plugins/principal.js";
import { AddressBody, AddressPage, AddressView, IdParams, WithdrawalBody, WithdrawalPage, WithdrawalView } from "./withdrawal-schemas.js";

const TAGS = ["merchant: withdrawals"];
const security = [{ apiKey: [] }];
const principal = (request: FastifyRequest) => principalOf(request, "merchant");
const Cursor = Type.Optional(Type.String({ minLength: 1, maxLength: 100 }));

export async function merchantWithdrawalRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(
    async (inner) => {
      const app = inner.withTypeProvider<TypeBoxTypeProvider>();
      installErrorHandling(app, renderDefaultError);
      startApiKeyCache(deps);
      // Authenticate before validating: a caller without a key learns nothing about the schema.
      app.addHook("preValidation", async (request) => {
        request.principal = { kind: "merchant", ...(await authenticateMerchantKey(deps, request)) };
      });

      app.post(
        "/withdrawal-addresses",
        {
          schema: {
            tags: TAGS,
            summary: "Allow-list a withdrawal address; it is usable once the cooling-off period (usableFrom) is over",
            description: "409 `withdrawal_address_exists` when the address is already listed for the network; 400 `invalid_address` when it is not valid for the network.",
            security,
            body: AddressBody,
            response: { 201: AddressView },
          },
        },
        async (request, reply) => reply.code(201).send(await addWithdrawalAddress(deps, principal(request).merchantId, request.body)),
      );
      app.get(
        "/withdrawal-addresses",
        {
          schema: {
            tags: TAGS,
            summary: "The merchant's allow-listed addresses, oldest first",
            security,
            querystring: Type.Object({ limit: pageLimit(MAX_ADDRESS_PAGE), after: Cursor }, { additionalProperties: false }),
            response: { 200: AddressPage },
          },
        },
        async (request) => listMerchantWithdrawalAddresses(deps, principal(request).merchantId, request.query),
      );
      app.delete(
        "/withdrawal-addresses/:id",
        { schema: { tags: TAGS, summary: "Remove an address from the allow-list (withdrawals already made to it are unaffected)", security, params: IdParams } },
        async (request, reply) => {
          await removeMerchantWithdrawalAddress(deps, principal(request).merchantId, request.params.id);
          return reply.code(204).send();
        },
      );

      app.post(
        "/withdrawals",
        {
          schema: {
            tags: TAGS,
            summary: "Withdraw part of the balance to an allow-listed address",
            description:
              "Amount + fee leave the available balance at once (422 `withdrawal_insufficient_balance` otherwise). Above the approval " +
              "threshold the withdrawal waits in `requested` for an operator; below it, it is `approved` and sent. Webhooks " +
              "`withdrawal.<status>` follow every change. Supports `Idempotency-Key`.",
            security,
            body: WithdrawalBody,
            response: { 201: WithdrawalView },
          },
          ...idempotent(deps, (request) => `merchant:${principal(request).merchantId}`),
        },
        async (request, reply) => {
          const answer = committedAnswer(deps, request, reply, (w: WithdrawalRow) => ({ status: 201, payload: withdrawalView(w) }));
          return answer.send(await requestWithdrawal(deps, principal(request), request.body, answer.commit));
        },
      );
      app.get(
        "/withdrawals",
        {
          schema: {
            tags: TAGS,
            summary: "The merchant's withdrawals, newest first",
            security,
            querystring: Type.Object({ limit: pageLimit(MAX_WITHDRAWAL_PAGE), before: Cursor }, { additionalProperties: false }),
            response: { 200: WithdrawalPage },
          },
        },
        async (request) => withdrawalPage(deps, { merchantId: principal(request).merchantId, ...request.query }),
      );
      app.get(
        "/withdrawals/:id",
        { schema: { tags: TAGS, summary: "One withdrawal of the merchant", security, params: IdParams, response: { 200: WithdrawalView } } },
        async (request) => readWithdrawal(deps, request.params.id, principal(request).merchantId),
      );
    },
    { prefix: "/merchant/v1" },
  );
}
