// Withdrawals and the allow-list of withdrawal addresses, for their two kinds of owner:
//   /merchant/v1/withdrawals, /merchant/v1/withdrawal-addresses  (x-api-key): a merchant's balance;
//   /trader/v1/withdrawals, /trader/v1/withdrawal-addresses      (x-trader-key): the free part of a trader's deposit.
// One set of thin handlers over src/app/withdrawals, registered in each owner's authenticated scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { authenticateTrader } from "../../app/trading/traders.js";
import { requestWithdrawal } from "../../app/withdrawals/request-withdrawal.js";
import { MAX_WITHDRAWAL_PAGE, readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { addWithdrawalAddress, listOwnWithdrawalAddresses, MAX_ADDRESS_PAGE, removeOwnWithdrawalAddress } from "../../app/withdrawals/withdrawal-addresses.js";
import { withdrawalView } from "../../app/withdrawals/withdrawal-view.js";
import type { WithdrawalOwner } from "../../core/withdrawals/withdrawal-owner.js";
import type { WithdrawalRow } from "../../db/withdrawals/withdrawals.js";
import { pageLimit } from "../admin/page-limit.js";
import { installErrorHandling, renderDefaultError } from "../errors/error-handling.js";
import { committedAnswer, idempotent } from "../plugins/idempotency.js";
import { principalOf } from "../plugins/principal.js";
import { AddressBody, AddressPage, AddressView, IdParams, WithdrawalBody, WithdrawalPage, WithdrawalView } from "./withdrawal-schemas.js";

const Cursor = Type.Optional(Type.String({ minLength: 1, maxLength: 100 }));

interface OwnerScope {
  tags: string[];
  security: { [scheme: string]: never[] }[];
  /** What the owner withdraws from, for the summaries. */
  funds: string;
  owner(request: FastifyRequest): WithdrawalOwner;
  /** The merchant API key that asks (it signs the withdrawal's webhooks); traders have none. */
  apiKeyId(request: FastifyRequest): string | null;
}

function ownerRoutes(inner: FastifyInstance, deps: Deps, s: OwnerScope): void {
  const app = inner.withTypeProvider<TypeBoxTypeProvider>();
  const { tags, security } = s;

  app.post(
    "/withdrawal-addresses",
    {
      schema: {
        tags,
        summary: "Allow-list a withdrawal address; it is usable once the cooling-off period (usableFrom) is over",
        description: "409 `withdrawal_address_exists` when the address is already listed for the network; 400 `invalid_address` when it is not valid for the network.",
        security,
        body: AddressBody,
        response: { 201: AddressView },
      },
    },
    async (request, reply) => reply.code(201).send(await addWithdrawalAddress(deps, s.owner(request), request.body)),
  );
  app.get(
    "/withdrawal-addresses",
    {
      schema: {
        tags,
        summary: "The allow-listed addresses, oldest first",
        security,
        querystring: Type.Object({ limit: pageLimit(MAX_ADDRESS_PAGE), after: Cursor }, { additionalProperties: false }),
        response: { 200: AddressPage },
      },
    },
    async (request) => listOwnWithdrawalAddresses(deps, s.owner(request), request.query),
  );
  app.delete(
    "/withdrawal-addresses/:id",
    { schema: { tags, summary: "Remove an address from the allow-list (withdrawals already made to it are unaffected)", security, params: IdParams } },
    async (request, reply) => {
      await removeOwnWithdrawalAddress(deps, s.owner(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    "/withdrawals",
    {
      schema: {
        tags,
        summary: `Withdraw part of ${s.funds} to an allow-listed address`,
        description:
          `Amount + fee leave ${s.funds} at once (422 \`withdrawal_insufficient_balance\` otherwise). Above the approval ` +
          "threshold the withdrawal waits in `requested` for an operator; below it, it is `approved` and sent. Supports `Idempotency-Key`.",
        security,
        body: WithdrawalBody,
        response: { 201: WithdrawalView },
      },
      ...idempotent(deps, (request) => {
        const o = s.owner(request);
        return `${o.kind}:${o.id}`;
      }),
    },
    async (request, reply) => {
      const answer = committedAnswer(deps, request, reply, (w: WithdrawalRow) => ({ status: 201, payload: withdrawalView(w) }));
      return answer.send(await requestWithdrawal(deps, { owner: s.owner(request), apiKeyId: s.apiKeyId(request) }, request.body, answer.commit));
    },
  );
  app.get(
    "/withdrawals",
    {
      schema: {
        tags,
        summary: "The withdrawals, newest first",
        security,
        querystring: Type.Object({ limit: pageLimit(MAX_WITHDRAWAL_PAGE), before: Cursor }, { additionalProperties: false }),
        response: { 200: WithdrawalPage },
      },
    },
    async (request) => withdrawalPage(deps, { owner: s.owner(request), ...request.query }),
  );
  app.get(
    "/withdrawals/:id",
    { schema: { tags, summary: "One withdrawal (another owner's is not found)", security, params: IdParams, response: { 200: WithdrawalView } } },
    async (request) => readWithdrawal(deps, request.params.id, s.owner(request)),
  );
}

/** The merchant's withdrawals and addresses, registered in the /merchant/v1 scope (merchant-routes.ts), which authenticates the key. */
export function merchantWithdrawalRoutes(app: FastifyInstance, deps: Deps): void {
  ownerRoutes(app, deps, {
    tags: ["merchant: withdrawals"],
    security: [{ apiKey: [] }],
    funds: "the merchant's balance",
    owner: (request) => ({ kind: "merchant", id: principalOf(request, "merchant").merchantId }),
    apiKeyId: (request) => principalOf(request, "merchant").apiKeyId,
  });
}

export async function traderWithdrawalRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  await scope.register(
    async (app) => {
      installErrorHandling(app, renderDefaultError);
      app.addHook("onRequest", async (request) => {
        const key = request.headers["x-trader-key"];
        request.principal = { kind: "trader", traderId: (await authenticateTrader(deps, typeof key === "string" ? key : undefined)).traderId };
      });
      ownerRoutes(app, deps, {
        tags: ["trader: withdrawals"],
        security: [{ traderKey: [] }],
        funds: "the trader's free deposit (never what open pay-ins hold)",
        owner: (request) => ({ kind: "trader", id: principalOf(request, "trader").traderId }),
        apiKeyId: () => null,
      });
    },
    { prefix: "/trader/v1" },
  );
}
