// /admin/v1/withdrawals: the operator lists merchants' and traders' withdrawals and decides those above the approval
// threshold (permission "withdrawals"). Mounted inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_WITHDRAWAL_PAGE, readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { decideWithdrawal } from "../../app/withdrawals/withdrawal-decisions.js";
import { withdrawalView } from "../../app/withdrawals/withdrawal-view.js";
import { IdParams, RejectBody, WithdrawalPage, WithdrawalStatus, WithdrawalView } from "../withdrawals/withdrawal-schemas.js";
import { principalOf } from "../plugins/principal.js";
import { pageLimit } from "./page-limit.js";

const TAGS = ["admin: withdrawals"];
const security = [{ operatorKey: [] }];

export async function withdrawalAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    "/withdrawals",
    {
      schema: {
        tags: TAGS,
        summary: "Withdrawals newest first, optionally of one status (requested: waiting for approval)",
        security,
        querystring: Type.Object(
          { status: Type.Optional(WithdrawalStatus), limit: pageLimit(MAX_WITHDRAWAL_PAGE), before: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) },
          { additionalProperties: false },
        ),
        response: { 200: WithdrawalPage },
      },
    },
    async (request) => withdrawalPage(deps, request.query),
  );
  app.get("/withdrawals/:id", { schema: { tags: TAGS, summary: "One withdrawal", security, params: IdParams, response: { 200: WithdrawalView } } }, async (request) =>
    readWithdrawal(deps, request.params.id),
  );
  app.post(
    "/withdrawals/:id/approve",
    {
      schema: {
        tags: TAGS,
        summary: "Approve a withdrawal waiting for approval: it is sent",
        description: "Anything but `requested` is 409 `illegal_transition` naming the current status.",
        security,
        params: IdParams,
        response: { 200: WithdrawalView },
      },
    },
    async (request) => withdrawalView(await decideWithdrawal(deps, request.params.id, principalOf(request, "operator").operatorId, { kind: "approve" })),
  );
  app.post(
    "/withdrawals/:id/reject",
    {
      schema: {
        tags: TAGS,
        summary: "Reject a withdrawal waiting for approval: amount and fee return to the balance or deposit they came from",
        description: "The body is a JSON object, `{}` or `{ reason }` (shown to the merchant as failureReason). Anything but `requested` is 409 `illegal_transition` naming the current status.",
        security,
        params: IdParams,
        body: RejectBody,
        response: { 200: WithdrawalView },
      },
    },
    async (request) =>
      withdrawalView(await decideWithdrawal(deps, request.params.id, principalOf(request, "operator").operatorId, { kind: "reject", reason: request.body.reason ?? null })),
  );
}
