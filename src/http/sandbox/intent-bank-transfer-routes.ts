// The sandbox bank feed for payment intents: POST /sandbox/bank-transfers { reference, amount,
// currency } simulates an incoming transfer carrying an intent's payment reference. Sandbox mode only.
// The trading dialect serves the same path for { requisiteId, amount }: when both are mounted, one
// route dispatches on the body and calls `handleIntentBankTransfer` for bodies with `reference`.
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { type Static, Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { matchIntentTransfer } from "../../app/intents/match-bank-transfer.js";

export const IntentBankTransferBody = Type.Object(
  {
    reference: Type.String({ minLength: 4, maxLength: 64 }),
    amount: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.String({ pattern: "^\\d+(\\.\\d+)?$", maxLength: 40 })]),
    currency: Type.String({ pattern: "^[A-Za-z]{3}$" }),
    /** The bank's id of the transfer; a repeat is ignored. Generated when absent. */
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
export type IntentBankTransferBody = Static<typeof IntentBankTransferBody>;

export const IntentBankTransferResult = Type.Object({
  transferId: Type.String(),
  outcome: Type.Union([Type.Literal("paid"), Type.Literal("recalculated"), Type.Literal("refunded"), Type.Literal("unmatched"), Type.Literal("duplicate")]),
  paymentIntentId: Type.Union([Type.String(), Type.Null()]),
});

/** The intent side of the sandbox bank feed, callable from a shared route. */
export async function handleIntentBankTransfer(deps: Deps, body: IntentBankTransferBody) {
  const transferId = body.externalId ?? deps.ids.prefixed("sbx");
  const r = await matchIntentTransfer(deps, { externalId: transferId, reference: body.reference, amount: body.amount, currency: body.currency });
  return { transferId, outcome: r.outcome, paymentIntentId: r.paymentIntentId };
}

export async function sandboxIntentBankFeedRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  if (deps.config.mode !== "sandbox") return;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/sandbox/bank-transfers",
    {
      schema: {
        tags: ["sandbox"],
        summary: "Simulate an incoming bank transfer carrying a payment-intent reference (sandbox only)",
        body: IntentBankTransferBody,
        response: { 200: IntentBankTransferResult },
      },
    },
    async (request) => handleIntentBankTransfer(deps, request.body),
  );
}
