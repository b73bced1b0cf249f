// /admin/v1/payouts: the manual chain's queue (RAMPART_CHAIN=manual). The operator lists payouts waiting
// for them, pays each from their own wallet, and enters the tx hash, which completes the intent (5 → 6,
// IPN sent). Mounted inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_PAYOUT_PAGE, payoutQueue, recordOperatorPayout } from "../../app/intents/operator-payouts.js";
import { PAYOUT_STATUSES } from "../../core/intents/payout-status.js";
import { principalOf } from "../plugins/principal.js";
import { pageLimit } from "./page-limit.js";

const TAGS = ["admin: payouts"];
const security = [{ operatorKey: [] }];
const Nullable = Type.Union([Type.String(), Type.Null()]);
const Status = Type.Enum(PAYOUT_STATUSES, { type: "string" });
const Payout = Type.Object({
  id: Type.String(),
  intentId: Type.String(),
  merchantId: Type.String(),
  storeId: Type.String(),
  orderNumber: Nullable,
  network: Type.String(),
  asset: Type.String(),
  address: Type.String(),
  amount: Type.String({ description: "In the asset's units, e.g. 91.540000 USDT" }),
  status: Status,
  txHash: Nullable,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});
// A payout id is `payout_` and its intent's id; anything else is an unknown payout (404).
const Params = Type.Object({ payoutId: Type.String({ maxLength: 100 }) });

export async function payoutAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/payouts",
    {
      schema: {
        tags: TAGS,
        summary: "Payouts by status, oldest first: by default those waiting for the operator to pay (manual chain)",
        security,
        querystring: Type.Object(
          { status: Type.Optional(Status), limit: pageLimit(MAX_PAYOUT_PAGE), after: Type.Optional(Type.String({ maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Payout), nextCursor: Nullable }) },
      },
    },
    async (request) => {
      const { status, limit, after } = request.query;
      return payoutQueue(deps, { ...(status ? { status } : {}), ...(limit ? { limit } : {}), ...(after ? { after } : {}) });
    },
  );

  app.post(
    "/payouts/:payoutId/tx-hash",
    {
      schema: {
        tags: TAGS,
        summary: "Record the transaction the operator paid a waiting payout with: the intent completes (5 → 6) and its IPN is sent",
        description:
          "Idempotent: the same hash again answers 200 with `replayed: true` and changes nothing. Another hash for a confirmed payout, " +
          "or any hash for a payout not waiting for the operator, is 409 `illegal_transition` naming its status. The hash must be a " +
          "transaction id of the payout's network (0x and 64 hex digits on Ethereum, 64 hex digits on TRON and Bitcoin).",
        security,
        params: Params,
        body: Type.Object(
          { txHash: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false, examples: [{ txHash: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b" }] },
        ),
        response: {
          200: Type.Object({
            payoutId: Type.String(),
            intentId: Type.String(),
            status: Status,
            txHash: Type.String(),
            intentStatus: Type.Integer(),
            replayed: Type.Boolean(),
          }),
        },
      },
    },
    async (request) => recordOperatorPayout(deps, request.params.payoutId, request.body.txHash, principalOf(request, "operator").operatorId),
  );
}
