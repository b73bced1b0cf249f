// /admin/v1/withdrawals: the operator lists merchants' and traders' withdrawals, decides those above the approval
// threshold, and re-polls or cancels one whose payout does not confirm (permission "withdrawals"). Mounted
// inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_WITHDRAWAL_PAGE, readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { decideWithdrawal } from "../../app/withdrawals/withdrawal-decisions.js";
import { cancelWithdrawal, repollWithdrawal } from "../../app/withdrawals/withdrawal-operator-actions.js";
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
  app.post(
    "/withdrawals/:id/repoll",
    {
      schema: {
        tags: TAGS,
        summary: "Re-poll now: an approved withdrawal's payout is retried, a sent one's confirmation asked for, at once instead of after the backoff",
        description: "Nothing is sent twice: the payout is looked up by its key first. Anything but `approved` or `sent` is 409 `illegal_transition` naming the current status.",
        security,
        params: IdParams,
        response: { 200: WithdrawalView },
      },
    },
    async (request) => withdrawalView(await repollWithdrawal(deps, request.params.id)),
  );
  app.post(
    "/withdrawals/:id/cancel",
    {
      schema: {
        tags: TAGS,
        summary: "Cancel and return a sent withdrawal whose payout does not confirm",
        description:
          "The payout is replaced on chain by a 0-value transfer to the hot wallet at the same nonce with a higher fee; the answer shows " +
          "`cancelRequestedAt` and the withdrawal stays `sent`. Only once that replacement is mined to the confirmation depth (the payout can " +
          "then never be mined) does it become `failed` with amount and fee returned (the gas is the platform's); if the payout is mined " +
          "instead, it becomes `confirmed` as usual. Asking again changes nothing. Anything but `sent` is 409 `illegal_transition` naming the " +
          "current status; a chain that cannot cancel (sandbox, manual) is 409 `withdrawal_cancel_unsupported`.",
        security,
        params: IdParams,
        response: { 200: WithdrawalView },
      },
    },
    async (request) => withdrawalView(await cancelWithdrawal(deps, request.params.id, principalOf(request, "operator").operatorId)),
  );
}
