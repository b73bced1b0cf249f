// The sandbox bank feed: POST /sandbox/bank-transfers simulates an incoming transfer. One route for
// both dialects, dispatched on the body: `{ requisiteId, amount }` is a transfer to a trading
// requisite; `{ reference, amount, currency }` carries a payment-intent reference.
// Registered only in sandbox mode (in live mode the route does not exist: 404).
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyInstance } from "fastify";
import { Type } from "typebox";
import type { Deps } from "../../app/deps.js";
import { receiveBankTransfer } from "../../app/trading/bank-feed.js";
import { AppError } from "../../core/shared/errors.js";
import { parseFiatAmount } from "../../core/trading/fiat-amount.js";
import { IntentBankTransferBody, IntentBankTransferResult, handleIntentBankTransfer } from "./intent-bank-transfer-routes.js";
import { UUID_PATTERN } from "../../core/shared/uuid.js";

const TradingTransferBody = Type.Object(
  {
    requisiteId: Type.String({ pattern: UUID_PATTERN }),
    amount: Type.Union([Type.Number(), Type.String({ maxLength: 32 })]),
    payerName: Type.Optional(Type.String({ maxLength: 200 })),
    externalId: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
  },
  { additionalProperties: false },
);
const TradingTransferResult = Type.Object({ transferId: Type.String(), matched: Type.Boolean(), payinId: Type.Union([Type.String(), Type.Null()]) });

export async function sandboxBankFeedRoutes(scope: FastifyInstance, deps: Deps): Promise<void> {
  if (deps.config.mode !== "sandbox") return;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.post(
    "/sandbox/bank-transfers",
    {
      schema: {
        tags: ["sandbox"],
        summary: "Simulate an incoming bank transfer to a trading requisite or with a payment-intent reference (sandbox only)",
        body: Type.Union([TradingTransferBody, IntentBankTransferBody]),
        response: { 200: Type.Union([TradingTransferResult, IntentBankTransferResult]) },
      },
    },
    async (request) => {
      if ("reference" in request.body) return handleIntentBankTransfer(deps, request.body);
      const amountMinor = parseFiatAmount(request.body.amount);
      if (amountMinor === null) throw new AppError("validation_failed", { field: "amount" });
      const r = await receiveBankTransfer(deps, {
        externalId: request.body.externalId ?? deps.ids.prefixed("sbx"),
        requisiteId: request.body.requisiteId,
        amountMinor,
        currency: "",
        ...(request.body.payerName ? { payerName: request.body.payerName } : {}),
        receivedAt: deps.clock.now(),
      });
      return { transferId: r.transferId, matched: r.matched, payinId: r.payinId };
    },
  );
}
