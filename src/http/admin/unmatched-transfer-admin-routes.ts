// /admin/v1/unmatched-transfers and /admin/v1/refund-orders: the operator closes an unmatched bank
// transfer by assigning it (to an intent or a trading pay-in, matched through the one inbound path) or
// refunding it (a refund order to the payer), and enters the IBAN of a refund order that waits for one.
// Mounted inside the operator-authenticated admin scope.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import { refundOrdersWaiting, setRefundOrderBeneficiary } from "../../app/bank-statements/refund-export.js";
import { type AssignTo, assignUnmatchedTransfer, refundUnmatchedTransfer } from "../../app/bank-transfers/resolve-unmatched-transfer.js";
import type { Deps } from "../../app/deps.js";
import { REFUND_ORDER_MACHINE } from "../../core/bank-statements/refund-order-status.js";
import { BANK_TRANSFER_OUTCOMES } from "../../core/bank-transfers/outcome.js";
import { AppError } from "../../core/shared/errors.js";
import { principalOf } from "../plugins/principal.js";

const TAGS = ["admin: bank statements"];
const security = [{ operatorKey: [] }];
const Nullable = Type.Union([Type.String(), Type.Null()]);
const TransferParams = Type.Object({ id: Type.String({ pattern: "^btr_[0-9A-Za-z_]{1,60}$" }) });
const OrderParams = Type.Object({ id: Type.String({ pattern: "^rfo_[0-9A-Za-z_]{1,60}$" }) });
const OrderStatus = Type.Enum(REFUND_ORDER_MACHINE.statuses, { type: "string" });

const RefundOrder = Type.Object({
  id: Type.String({ description: "also the pain.001 EndToEndId" }),
  bankTransferId: Type.String(),
  amount: Type.String(),
  currency: Type.String(),
  creditorName: Nullable,
  creditorIban: Nullable,
  status: OrderStatus,
  reason: Nullable,
});

const CONFLICT_NOTE =
  "An unmatched transfer is closed exactly once: a transfer already assigned, refunded or matched automatically answers 409 `illegal_transition` " +
  "with `details.currentStatus` (assigned, refunded or matched).";

export async function unmatchedTransferAdminRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    "/unmatched-transfers/:id/assign",
    {
      schema: {
        tags: TAGS,
        summary: "Assign an unmatched bank transfer to a payment intent (by id or reference) or a trading pay-in",
        description:
          "The transfer goes through the same inbound path as an automatic match: the intent or pay-in moves as if the transfer had carried its reference " +
          "(ledger entries, IPN and webhooks alike; an intent no longer waiting books the money back as a refund). A match that does not land on what was named " +
          "(another amount on the pay-in's requisite, a reference no intent has) is 409 `conflict` and nothing changes. " +
          CONFLICT_NOTE,
        security,
        params: TransferParams,
        body: Type.Object(
          {
            intentId: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            reference: Type.Optional(Type.String({ minLength: 1, maxLength: 140 })),
            tradingPayinId: Type.Optional(Type.String({ format: "uuid" })),
          },
          {
            additionalProperties: false,
            description: "exactly one of intentId, reference, tradingPayinId",
            examples: [{ reference: "RMP-7K2Q-9XZD" }, { intentId: "pi_01JEXAMPLE0000000000000000" }, { tradingPayinId: "5b0c6a52-3f7e-4c1e-9d7a-2f4c8e1b9a10" }],
          },
        ),
        response: {
          200: Type.Object({
            transferId: Type.String(),
            status: Type.Literal("assigned"),
            outcome: Type.Enum(BANK_TRANSFER_OUTCOMES, { type: "string" }),
            reason: Nullable,
            intentId: Nullable,
            tradingPayinId: Nullable,
          }),
        },
      },
    },
    async (request) => {
      const named = Object.entries(request.body).filter(([, v]) => v !== undefined);
      if (named.length !== 1) throw new AppError("validation_failed", { message: "Name exactly one of intentId, reference, tradingPayinId" });
      return assignUnmatchedTransfer(deps, request.params.id, request.body as AssignTo, principalOf(request, "operator").operatorId);
    },
  );

  app.post(
    "/unmatched-transfers/:id/refund",
    {
      schema: {
        tags: TAGS,
        summary: "Refund an unmatched bank transfer to its payer: a refund order to the IBAN and name from the statement entry",
        description:
          "The money is booked in and back out on the ledger, and a refund order is created, paid from the account of the statement that brought the " +
          "transfer. It is exported in the next pain.001 (POST /admin/v1/refund-exports), or waits with the reason when the payer's IBAN is unknown " +
          "(enter it with PUT /admin/v1/refund-orders/{id}/beneficiary). A transfer that arrived on a trader's requisite is 409: its trader returns it. " +
          CONFLICT_NOTE,
        security,
        params: TransferParams,
        body: Type.Object(
          { reason: Type.String({ minLength: 3, maxLength: 140 }) },
          { additionalProperties: false, examples: [{ reason: "No order matches this payment; returned to the payer" }] },
        ),
        response: {
          200: Type.Object({
            transferId: Type.String(),
            status: Type.Literal("refunded"),
            refundOrder: Type.Object({
              id: Type.String(),
              status: OrderStatus,
              amount: Type.String(),
              currency: Type.String(),
              creditorName: Nullable,
              creditorIban: Nullable,
              debtorIban: Nullable,
              reason: Nullable,
            }),
          }),
        },
      },
    },
    async (request) => refundUnmatchedTransfer(deps, request.params.id, request.body.reason.trim(), principalOf(request, "operator").operatorId),
  );

  app.get(
    "/refund-orders",
    {
      schema: {
        tags: TAGS,
        summary: "Refund orders waiting for the operator (the payer's IBAN unknown), oldest first, each with the reason",
        security,
        response: { 200: Type.Object({ items: Type.Array(RefundOrder) }) },
      },
    },
    async () => ({ items: await refundOrdersWaiting(deps) }),
  );

  app.put(
    "/refund-orders/:id/beneficiary",
    {
      schema: {
        tags: TAGS,
        summary: "Enter the payer's IBAN and name of a refund order: it becomes pending and goes out in the next pain.001 export",
        description:
          "The IBAN is checked (country, length, check digits; 400 `invalid_iban`). Allowed while the order waits or is pending; an exported or closed " +
          "order is 409 `illegal_transition` naming its status.",
        security,
        params: OrderParams,
        body: Type.Object(
          { iban: Type.String({ minLength: 1, maxLength: 50 }), name: Type.String({ minLength: 1, maxLength: 70 }) },
          { additionalProperties: false, examples: [{ iban: "ES79 2100 0813 6101 2345 6789", name: "Ana García" }] },
        ),
        response: { 200: RefundOrder },
      },
    },
    async (request) => setRefundOrderBeneficiary(deps, request.params.id, request.body),
  );
}
