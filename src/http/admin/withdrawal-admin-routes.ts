// /admin/v1/withdrawals: the operator lists merchants' and traders' withdrawals, decides those above the approval
// threshold, re-polls or cancels one whose payout does not confirm, and records the hash of one paid by hand
// on the manual chain (permission "withdrawals"). Mounted
// inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { MAX_WITHDRAWAL_PAGE, readWithdrawal, withdrawalPage } from "../../app/withdrawals/list-withdrawals.js";
import { decideWithdrawal } from "../../app/withdrawals/withdrawal-decisions.js";
import { cancelWithdrawal, repollWithdrawal } from "../../app/withdrawals/withdrawal-operator-actions.js";
import { recordWithdrawalTx } from "../../app/withdrawals/withdrawal-operator-tx.js";
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
  app.post(
    "/withdrawals/:id/tx-hash",
    {
      schema: {
        tags: TAGS,
        summary: "Record the transaction an operator paid an approved withdrawal with, on the manual chain: it becomes sent, then confirmed",
        description:
          "The manual chain (RAMPART_CHAIN=manual) sends nothing: an approved withdrawal waits for an operator to pay it from their own wallet. " +
          "The hash must be a transaction id of the withdrawal's network; with RAMPART_EVM_RPC_URLS set it is checked on chain first " +
          "(`payout_tx_mismatch` 422, `payout_tx_unconfirmed` 409), as for intent payouts. Idempotent: the same hash again answers 200 and " +
          "changes nothing. Another hash for a confirmed withdrawal, or any status but `approved`, is 409 `illegal_transition` naming it; " +
          "on a chain that sends by itself (sandbox, evm) it is 409 `withdrawal_not_manual`.",
        security,
        params: IdParams,
        body: Type.Object(
          { txHash: Type.String({ minLength: 1, maxLength: 100 }) },
          { additionalProperties: false, examples: [{ txHash: "0x4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b" }] },
        ),
        response: { 200: WithdrawalView },
      },
    },
    async (request) => withdrawalView((await recordWithdrawalTx(deps, request.params.id, request.body.txHash)).withdrawal),
  );
}
